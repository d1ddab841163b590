/**
 * Runs tasks one at a time per key, in the order they were queued; different keys run in parallel.
 *
 * Storage writes go through one of these keyed by file: buffered writes to one file take its
 * inode lock in turn anyway, and several threads spinning on that lock cost more CPU than the
 * writes themselves.
 */
export class PerKeyQueue<K> {
  private readonly tails = new Map<K, Promise<unknown>>();

  run<T>(key: K, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(noop, noop);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}

function noop(): void {}
