/**
 * How long the calling thread has been runnable (on a CPU or waiting in the run queue for one),
 * from Linux's /proc/thread-self/schedstat. A write that took long in wall time but was runnable
 * all along was preempted by other work, not held by the kernel (a throttled writer sleeps):
 * DirectWrites must tell the two apart, or a busy machine sends every write to the pool.
 *
 * The file is opened by the first thread that asks and read again in place: one clock per thread
 * that writes (each worker thread loads its own copy of this module).
 */
import { closeSync, openSync, readSync } from 'node:fs';

const SCHEDSTAT = '/proc/thread-self/schedstat';

export class RunnableClock {
  private fd: number | undefined;
  private unavailable = false;
  private readonly text = Buffer.alloc(96);

  constructor(private readonly path = SCHEDSTAT) {}

  /** Milliseconds this thread has been runnable, cumulative; undefined where the system does not say. */
  now(): number | undefined {
    if (this.unavailable) return undefined;
    try {
      this.fd ??= openSync(this.path, 'r');
      return parseRunnableNs(this.text, readSync(this.fd, this.text, 0, this.text.length, 0)) / 1e6;
    } catch {
      this.close();
      this.unavailable = true;
      return undefined;
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * The sum of schedstat's first two fields, "on-CPU ns" and "run-queue wait ns" (the third, time
 * slices, is not needed). Read from the bytes in place: no string per write.
 */
export function parseRunnableNs(text: Uint8Array, length: number): number {
  let sum = 0;
  let field = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= length && field < 2; i++) {
    const c = i < length ? text[i]! : 0x20;
    if (c >= 0x30 && c <= 0x39) {
      value = value * 10 + (c - 0x30);
      digits++;
    } else if (digits > 0) {
      sum += value;
      field++;
      value = 0;
      digits = 0;
    }
  }
  if (field < 2) throw new Error(`unexpected schedstat: ${Buffer.from(text.subarray(0, length)).toString('latin1')}`);
  return sum;
}
