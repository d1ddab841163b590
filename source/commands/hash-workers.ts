import { opendirSync } from 'node:fs';
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
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if ((arg === '-o' || arg === '--output') && i + 1 < argv.length) return argv[i + 1];
    if (arg.startsWith('--output=')) return arg.slice('--output='.length);
  }
  return undefined;
}

/** Whether `dir` has an entry other than dot-files (btui's own state may live there); reads no more than that. */
function holdsData(dir: string): boolean {
  let entries;
  try {
    entries = opendirSync(dir);
  } catch {
    return false; // not there yet: the download makes it
  }
  try {
    for (let entry = entries.readSync(); entry; entry = entries.readSync()) if (!entry.name.startsWith('.')) return true;
    return false;
  } catch {
    return true;
  } finally {
    entries.closeSync();
  }
}
