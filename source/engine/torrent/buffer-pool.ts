/**
 * Piece-sized buffers for reuse. A fresh buffer costs a page fault and the kernel's zeroing for
 * every 4 KiB of it, more than copying the blocks in: a leecher in a swarm keeps each piece it
 * finishes for uploading, and allocating anew for every piece was 7% of its CPU time.
 *
 * A buffer handed to a socket must not change until written. Each send hold()s it and
 * release()s it once written; a buffer given back while held is reused after its last release.
 * One that is never released is simply not reused (the GC takes it).
 */
export class BufferPool {
  private readonly spare: Buffer[] = [];
  private readonly spareSet = new Set<ArrayBufferLike>();
  private readonly holds = new Map<ArrayBufferLike, number>();
  /** Given back while held: into the pool at the last release. */
  private readonly givenWhileHeld = new Map<ArrayBufferLike, Buffer>();

  constructor(
    readonly size: number,
    private readonly maxSpareBytes: number,
  ) {}

  take(): Buffer {
    const buffer = this.spare.pop();
    if (!buffer) return Buffer.allocUnsafeSlow(this.size);
    this.spareSet.delete(buffer.buffer);
    return buffer;
  }

  /** The caller is done with `buffer`: it goes back to the pool unless held (or not one of ours). */
  give(buffer: Buffer): void {
    if (!this.owns(buffer) || this.spareSet.has(buffer.buffer)) return;
    if (this.holds.has(buffer.buffer)) {
      this.givenWhileHeld.set(buffer.buffer, buffer);
      return;
    }
    if ((this.spare.length + 1) * this.size > this.maxSpareBytes) return;
    this.spare.push(buffer);
    this.spareSet.add(buffer.buffer);
  }

  /** `buffer` (a whole one, as take() gave it) is in use elsewhere until release(). */
  hold(buffer: Buffer): void {
    if (!this.owns(buffer)) return;
    this.holds.set(buffer.buffer, (this.holds.get(buffer.buffer) ?? 0) + 1);
  }

  release(buffer: Buffer): void {
    const memory = buffer.buffer;
    const count = this.holds.get(memory);
    if (count === undefined) return;
    if (count > 1) {
      this.holds.set(memory, count - 1);
      return;
    }
    this.holds.delete(memory);
    const given = this.givenWhileHeld.get(memory);
    if (given) {
      this.givenWhileHeld.delete(memory);
      this.give(given);
    }
  }

  /** Drops the spare buffers (a stopped torrent keeps no memory); holds stay counted. */
  clear(): void {
    this.spare.length = 0;
    this.spareSet.clear();
  }

  get spareCount(): number {
    return this.spare.length;
  }

  /** Whole buffers of the pool's size only: a view into a larger allocation is not reusable. */
  private owns(buffer: Buffer): boolean {
    return buffer.length === this.size && buffer.byteOffset === 0 && buffer.buffer.byteLength === this.size;
  }
}
