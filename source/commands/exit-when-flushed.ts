/**
 * Commands whose run has awaited everything it started (the torrent or the resume data written,
 * its workers stopped, the summary written), so that their process may end as soon as their
 * output is out: Node's own teardown after the last callback (freeing the heap, joining its
 * threads) took 11-35 ms here for `create`, `process.exit` ~4 ms; for `metainfo -t` the wait
 * from its output to the exit event alone was ~8 ms.
 */
const EXITS_WHEN_DONE: ReadonlySet<string> = new Set(['create', 'download', 'metainfo']);

export function exitsWhenDone(command: string): boolean {
  return EXITS_WHEN_DONE.has(command);
}

type StandardStream = 'stdout' | 'stderr';

/** The standard streams made so far, once watchStandardStreams() runs; until then both count as made. */
let made: Set<StandardStream> | undefined;

/**
 * Notes which of process.stdout and process.stderr get made from now on. Each is made on first
 * read, which loads the stream (and net or tty) machinery: a command that wrote only through
 * writeStdout never needs either, and exitWhenFlushed should not make them to find them empty.
 */
export function watchStandardStreams(): void {
  const watched = new Set<StandardStream>();
  for (const name of ['stdout', 'stderr'] as const) {
    const descriptor = Object.getOwnPropertyDescriptor(process, name);
    const make = descriptor?.get;
    if (!make || descriptor.configurable !== true) return; // not Node's lazy getter: both count as made
    Object.defineProperty(process, name, {
      configurable: true,
      enumerable: descriptor.enumerable,
      get() {
        watched.add(name);
        return make.call(process) as NodeJS.WriteStream;
      },
    });
  }
  made = watched;
}

/**
 * Ends the process with `code` once stdout and stderr have written what they hold (a pipe is
 * asynchronous on some systems). If one never drains (its reader went away), the process ends
 * as it would have anyway, with `code`.
 */
export function exitWhenFlushed(code: number): void {
  process.exitCode = code;
  const names = (['stdout', 'stderr'] as const).filter((name) => made === undefined || made.has(name));
  const pending = names.map((name) => process[name]).filter((stream) => stream.writableLength > 0);
  let left = pending.length;
  if (left === 0) process.exit(code);
  for (const stream of pending) stream.once('drain', () => --left === 0 && process.exit(code));
}
