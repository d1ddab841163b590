/**
 * A set of items kept in the order `compare` gives, as sorted chunks of at most 2 x CHUNK items:
 * adding or deleting one costs a binary search and a splice of one chunk, and the first items are
 * read without touching the rest. The download queue keeps its waiting torrents in one, so that a
 * pass over 50,000 of them reads only the first few. Items must not change their place in the
 * order while they are in the set (keep an immutable key) and no two may compare equal.
 */
const CHUNK = 512;

export class SortedChunks<T> {
  private chunks: T[][] = [];
  private count = 0;

  constructor(private readonly compare: (a: T, b: T) => number) {}

  get size(): number {
    return this.count;
  }

  add(item: T): void {
    if (this.chunks.length === 0) {
      this.chunks.push([item]);
      this.count = 1;
      return;
    }
    const at = Math.min(this.chunkFor(item), this.chunks.length - 1);
    const chunk = this.chunks[at]!;
    chunk.splice(this.indexIn(chunk, item), 0, item);
    this.count++;
    if (chunk.length > 2 * CHUNK) this.chunks.splice(at + 1, 0, chunk.splice(CHUNK));
  }

  /** Removes the item (found by its place in the order); false when it was not there. */
  delete(item: T): boolean {
    const at = this.chunkFor(item);
    const chunk = this.chunks[at];
    if (!chunk) return false;
    const index = this.indexIn(chunk, item);
    if (index >= chunk.length || this.compare(chunk[index]!, item) !== 0) return false;
    chunk.splice(index, 1);
    this.count--;
    if (chunk.length === 0) this.chunks.splice(at, 1);
    return true;
  }

  clear(): void {
    this.chunks = [];
    this.count = 0;
  }

  /** In order. Deleting the item just yielded (and only that) is allowed while iterating. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let c = 0; c < this.chunks.length; ) {
      const chunk = this.chunks[c]!;
      let i = 0;
      while (i < chunk.length) {
        const item = chunk[i]!;
        yield item;
        if (chunk[i] === item) i++;
        else if (this.chunks[c] !== chunk) break;
      }
      // The chunk emptied and was taken out: the next one is now at c.
      if (this.chunks[c] === chunk) c++;
    }
  }

  /** The first chunk whose last item is not before `item` (chunks.length when every one is). */
  private chunkFor(item: T): number {
    let low = 0;
    let high = this.chunks.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.compare(this.chunks[mid]!.at(-1)!, item) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** The first index in `chunk` whose item is not before `item`. */
  private indexIn(chunk: readonly T[], item: T): number {
    let low = 0;
    let high = chunk.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.compare(chunk[mid]!, item) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
