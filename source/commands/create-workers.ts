import { availableParallelism } from 'node:os';

/**
 * Hash workers for `btui create`: the calling thread hashes too (it has nothing else to do), so
 * one worker fewer than cores keeps every core busy and saves a worker's start-up. The CLI's
 * entry starts them before loading the command (source/cli.tsx).
 */
export function createHashWorkerCount(): number {
  return Math.max(1, availableParallelism() - 1);
}
