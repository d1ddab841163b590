/**
 * Work on a list in order while the next few items' reads are already under way: restoring a
 * session reads one .torrent file per torrent, and awaiting each read in turn costs a round
 * trip through libuv's thread pool per torrent. A failed read rejects only when its item is
 * reached (never as an unhandled rejection before).
 */
export function readAhead<T, R>(items: readonly T[], window: number, read: (item: T) => Promise<R>): (index: number) => Promise<R> {
  const started: Promise<{ value: R } | { error: unknown }>[] = [];
  const start = (index: number) => {
    while (started.length <= Math.min(index, items.length - 1)) {
      started.push(
        read(items[started.length]!).then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        ),
      );
    }
  };
  return async (index) => {
    start(index + window);
    const outcome = await started[index]!;
    if ('error' in outcome) throw outcome.error;
    return outcome.value;
  };
}

/** Runs at most `limit` tasks at once; `drain()` waits for all of them. */
export class TaskLimit {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly limit: number) {}

  async add(task: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.limit) await Promise.race(this.running);
    const promise = task().finally(() => this.running.delete(promise));
    this.running.add(promise);
  }

  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.race(this.running);
  }
}
