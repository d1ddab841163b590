/**
 * Incremental framing of a byte stream into length-prefixed messages.
 *
 * A pushed chunk is only borrowed: the caller may reuse its memory once it has called
 * `retain()` (or pushed the next chunk), which copies whatever is left of it. So a socket can
 * read every chunk into one reused buffer instead of allocating one per read. A message that
 * lies inside the current chunk is returned as a view into it (no copy); only a message that
 * straddles chunks is assembled, once, in the framer's own buffer.
 *
 * A body returned by next() is valid until the next call to next(), push() or retain().
 */
import { ProtocolError } from './messages.js';

const EMPTY = Buffer.alloc(0);
/** The assembly buffer is kept between messages up to this size; a larger one is let go once empty. */
const KEEP_ASSEMBLY_BYTES = 64 * 1024;
/** Room for a whole 16 KiB block message, the usual one to straddle reads. */
const MIN_ASSEMBLY_BYTES = 16 * 1024 + 64;

export class Framer {
  /** Owned bytes not yet consumed: assembly[start, end). They come before the chunk's. */
  private assembly: Buffer = EMPTY;
  private start = 0;
  private end = 0;
  /** The borrowed chunk; its bytes from chunkOffset on are not consumed yet. */
  private chunk: Buffer = EMPTY;
  private chunkOffset = 0;

  constructor(readonly maxMessageLength: number) {}

  /** Bytes queued and not yet taken. */
  get length(): number {
    return this.end - this.start + (this.chunk.length - this.chunkOffset);
  }

  push(chunk: Buffer): void {
    this.retain();
    this.chunk = chunk;
    this.chunkOffset = 0;
  }

  /** Copies what is left of the borrowed chunk, so the caller may reuse its memory. */
  retain(): void {
    if (this.chunkOffset < this.chunk.length) this.append(this.chunk.length - this.chunkOffset);
    this.chunk = EMPTY;
    this.chunkOffset = 0;
  }

  /** The byte at position i of the queued data (i < length). */
  byteAt(i: number): number {
    if (i < 0 || i >= this.length) throw new RangeError(`byteAt(${i}) beyond ${this.length} buffered bytes`);
    const owned = this.end - this.start;
    return i < owned ? this.assembly[this.start + i]! : this.chunk[this.chunkOffset + i - owned]!;
  }

  /** Removes and returns a copy of the next n bytes (n <= length). */
  take(n: number): Buffer {
    if (n > this.length) throw new RangeError(`take(${n}) beyond ${this.length} buffered bytes`);
    const out = Buffer.allocUnsafe(n);
    const fromOwned = Math.min(n, this.end - this.start);
    this.assembly.copy(out, 0, this.start, this.start + fromOwned);
    this.consumeOwned(fromOwned);
    this.chunk.copy(out, fromOwned, this.chunkOffset, this.chunkOffset + n - fromOwned);
    this.chunkOffset += n - fromOwned;
    return out;
  }

  /**
   * The body (bytes after the length prefix) of the next complete message, or null when
   * it has not fully arrived. An oversized length prefix throws as soon as it is seen.
   */
  next(): Buffer | null {
    const available = this.length;
    if (available < 4) return null;
    const length = this.peekUInt32();
    if (length > this.maxMessageLength) {
      throw new ProtocolError(`message length ${length} exceeds the limit of ${this.maxMessageLength}`);
    }
    const total = 4 + length;
    if (available < total) return null;
    const owned = this.end - this.start;
    if (owned === 0) {
      const from = this.chunkOffset + 4;
      this.chunkOffset = from + length;
      return this.chunk.subarray(from, from + length);
    }
    if (owned < total) this.append(total - owned);
    const from = this.start + 4;
    const body = this.assembly.subarray(from, from + length);
    this.consumeOwned(total);
    return body;
  }

  private peekUInt32(): number {
    if (this.end - this.start === 0 && this.chunk.length - this.chunkOffset >= 4) return this.chunk.readUInt32BE(this.chunkOffset);
    return ((this.byteAt(0) << 24) | (this.byteAt(1) << 16) | (this.byteAt(2) << 8) | this.byteAt(3)) >>> 0;
  }

  /** Moves the next n bytes of the chunk to the end of the owned bytes. */
  private append(n: number): void {
    const owned = this.end - this.start;
    if (this.end + n > this.assembly.length) {
      if (owned + n <= this.assembly.length) {
        this.assembly.copyWithin(0, this.start, this.end);
      } else {
        const grown = Buffer.allocUnsafeSlow(
          Math.max(owned + n, Math.min(Math.max(2 * this.assembly.length, MIN_ASSEMBLY_BYTES), this.maxMessageLength + 4)),
        );
        this.assembly.copy(grown, 0, this.start, this.end);
        this.assembly = grown;
      }
      this.start = 0;
      this.end = owned;
    }
    this.chunk.copy(this.assembly, this.end, this.chunkOffset, this.chunkOffset + n);
    this.end += n;
    this.chunkOffset += n;
  }

  private consumeOwned(n: number): void {
    this.start += n;
    if (this.start < this.end) return;
    this.start = this.end = 0;
    // The body just returned may still be read from it: letting go does not overwrite it.
    if (this.assembly.length > KEEP_ASSEMBLY_BYTES) this.assembly = EMPTY;
  }
}
