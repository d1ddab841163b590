/**
 * Commands whose run has awaited everything it started (the torrent or the resume data written,
 * its workers stopped), so that their process may end as soon as their output is out: Node's own
 * teardown after the last callback (freeing the heap, joining its threads) took 11-35 ms here
 * for `create`, `process.exit` ~4 ms.
 */
const EXITS_WHEN_DONE: ReadonlySet<string> = new Set(['create', 'download']);

export function exitsWhenDone(command: string): boolean {
  return EXITS_WHEN_DONE.has(command);
}

/**
 * Ends the process with `code` once stdout and stderr have written what they hold (a pipe is
 * asynchronous on some systems). If one never drains (its reader went away), the process ends
 * as it would have anyway, with `code`.
 */
export function exitWhenFlushed(code: number): void {
  process.exitCode = code;
  const pending = [process.stdout, process.stderr].filter((stream) => stream.writableLength > 0);
  let left = pending.length;
  if (left === 0) process.exit(code);
  for (const stream of pending) stream.once('drain', () => --left === 0 && process.exit(code));
}
