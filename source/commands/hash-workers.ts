import { availableParallelism } from 'node:os';

/**
 * Hash workers for a one-shot command that hashes at start (`create`, the check of `download`):
 * the calling thread hashes too (it has nothing else to do), so one worker fewer than cores keeps
 * every core busy and saves a worker's start-up.
 */
export function hashWorkerCount(): number {
  return Math.max(1, availableParallelism() - 1);
}

/**
 * Whether the built CLI's entry should start those workers before it loads the command (a Node
 * 20 worker boots in ~50 ms, as long as loading `download`'s bundle): `create`, and `download` of
 * a local .torrent, which checks the data it finds at start. Never for --help.
 */
export function hashesAtStart(command: string, argv: readonly string[]): boolean {
  if (argv.includes('--help')) return false;
  if (command === 'create') return argv.length > 0;
  return command === 'download' && argv.some((arg) => /\.torrent$/i.test(arg) && !/^(magnet|https?):/i.test(arg));
}
