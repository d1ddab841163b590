import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
/** A full garbage collection, for tests that measure live memory (no --expose-gc flag needed). */
export const gc = runInNewContext('gc') as () => void;

/** The JS heap in use after two full collections (the second takes what the first's finalizers freed). */
export function heapUsedAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
