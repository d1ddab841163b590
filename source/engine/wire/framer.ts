/**
 * Incremental framing of a byte stream into length-prefixed messages.
 *
 * Incoming chunks are queued as they are; a message that lies inside one chunk is returned
 * as a view into it (no copy), and only a message that straddles chunks is copied once
 * into a buffer of its own size. Nothing concatenates the whole queue.
 */
import { ProtocolError } from './messages.js';

export class Framer {
  private chunks: Buffer[] = [];
  /** Read position inside chunks[0]. */
  private offset = 0;
  private buffered = 0;

  constructor(readonly maxMessageLength: number) {}

  /** Bytes queued and not yet taken. */
  get length(): number {
    return this.buffered;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** The byte at position i of the queued data (i < length). */
  byteAt(i: number): number {
    let pos = this.offset + i;
    for (const chunk of this.chunks) {
      if (pos < chunk.length) return chunk[pos]!;
      pos -= chunk.length;
    }
    throw new RangeError(`byteAt(${i}) beyond ${this.buffered} buffered bytes`);
  }

  /** Removes and returns the next n bytes (n <= length); a view when they lie in one chunk. */
  take(n: number): Buffer {
    if (n > this.buffered) throw new RangeError(`take(${n}) beyond ${this.buffered} buffered bytes`);
    this.buffered -= n;
    const head = this.chunks[0];
    if (head === undefined) return Buffer.alloc(0);
    const end = this.offset + n;
    if (end <= head.length) {
      const out = head.subarray(this.offset, end);
      this.advanceHead(end, head.length);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let written = 0;
    while (written < n) {
      const chunk = this.chunks[0]!;
      const count = Math.min(chunk.length - this.offset, n - written);
      chunk.copy(out, written, this.offset, this.offset + count);
      written += count;
      this.advanceHead(this.offset + count, chunk.length);
    }
    return out;
  }

  private advanceHead(to: number, headLength: number): void {
    if (to === headLength) {
      this.chunks.shift();
      this.offset = 0;
    } else {
      this.offset = to;
    }
  }

  private peekUInt32(): number {
    const head = this.chunks[0]!;
    if (head.length - this.offset >= 4) return head.readUInt32BE(this.offset);
    return ((this.byteAt(0) << 24) | (this.byteAt(1) << 16) | (this.byteAt(2) << 8) | this.byteAt(3)) >>> 0;
  }

  /**
   * The body (bytes after the length prefix) of the next complete message, or null when
   * it has not fully arrived. An oversized length prefix throws as soon as it is seen.
   */
  next(): Buffer | null {
    if (this.buffered < 4) return null;
    const length = this.peekUInt32();
    if (length > this.maxMessageLength) {
      throw new ProtocolError(`message length ${length} exceeds the limit of ${this.maxMessageLength}`);
    }
    if (this.buffered < 4 + length) return null;
    this.skip(4);
    return this.take(length);
  }

  private skip(n: number): void {
    this.buffered -= n;
    while (n > 0) {
      const chunk = this.chunks[0]!;
      const count = Math.min(chunk.length - this.offset, n);
      n -= count;
      this.advanceHead(this.offset + count, chunk.length);
    }
  }
}
