import { readdirSync } from 'node:fs';
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
 * a local .torrent into a directory that holds something (the data it would check at start). A
 * download into an empty directory checks nothing, and a worker booted for nothing costs 60-80 ms
 * of CPU (3% of a leecher's in the bench's swarm). Never for --help. A guess either way loses only
 * the overlap: the command starts the workers it needs.
 */
export function hashesAtStart(command: string, argv: readonly string[], cwd = '.'): boolean {
  if (argv.includes('--help')) return false;
  if (command === 'create') return argv.length > 0;
  return (
    command === 'download' &&
    argv.some((arg) => /\.torrent$/i.test(arg) && !/^(magnet|https?):/i.test(arg)) &&
    holdsData(outputDirectory(argv) ?? cwd)
  );
}

/** `download`'s -o/--output, as typed. */
function outputDirectory(argv: readonly string[]): string | undefined {
  const i = argv.findIndex((arg) => arg === '-o' || arg === '--output');
  return i >= 0 ? argv[i + 1] : argv.find((arg) => arg.startsWith('--output='))?.slice(9);
}

/** Whether `dir` has an entry other than dot-files (btui's own state may live there). */
function holdsData(dir: string): boolean {
  try {
    return readdirSync(dir).some((name) => !name.startsWith('.'));
  } catch {
    return false; // not there yet: the download makes it
  }
}
