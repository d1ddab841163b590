import { createHash, type Hash } from 'node:crypto';

/** A stretch of a piece's buffer: `data` starts `begin` bytes into the piece. */
export interface PieceSpan {
  begin: number;
  data: Buffer;
}

/**
 * One piece being downloaded: its blocks copied into one buffer, and how far from the start
 * they run without a gap (blocks usually arrive in order).
 *
 * That gap-free prefix is hashed as it grows, and handed out for writing in stretches, both
 * while the bytes are still in the CPU cache: copying a piece to the page cache long after it
 * was received cost several times more system time than copying it at once.
 */
export class PieceAssembly {
  /** Who sent blocks of this piece (peer or web seed ids): blamed if the hash fails. */
  readonly contributors = new Set<string>();
  private readonly have: Uint8Array;
  /** Bytes from the start present without a gap. */
  private contiguous = 0;
  private readonly sha1: Hash | undefined;
  private hashed = 0;
  private flushed = 0;

  /** `hashing` false: the caller verifies the piece some other way (a custom hasher). */
  constructor(
    readonly buffer: Buffer,
    private readonly blockSize: number,
    hashing: boolean,
  ) {
    this.have = new Uint8Array(Math.ceil(buffer.length / blockSize));
    this.sha1 = hashing ? createHash('sha1') : undefined;
  }

  /** Copies in the block at `begin` (a multiple of the block size). */
  add(begin: number, block: Buffer, from: string): void {
    block.copy(this.buffer, begin);
    this.contributors.add(from);
    this.have[begin / this.blockSize] = 1;
    const size = this.buffer.length;
    while (this.contiguous < size && this.have[this.contiguous / this.blockSize] === 1) {
      this.contiguous = Math.min(size, this.contiguous + this.blockSize);
    }
    if (this.sha1 && this.contiguous > this.hashed) {
      this.sha1.update(this.buffer.subarray(this.hashed, this.contiguous));
      this.hashed = this.contiguous;
    }
  }

  /** The gap-free bytes not handed out yet, once there are at least `minBytes` of them. */
  takeReady(minBytes: number): PieceSpan | undefined {
    if (this.contiguous - this.flushed < minBytes) return undefined;
    return this.takeUpTo(this.contiguous);
  }

  /** Everything not handed out yet (call when the piece is complete). */
  takeRest(): PieceSpan | undefined {
    return this.flushed < this.buffer.length ? this.takeUpTo(this.buffer.length) : undefined;
  }

  /** SHA-1 of the whole buffer: whatever was not hashed yet is hashed now. */
  digest(): Buffer {
    if (!this.sha1) throw new Error('this piece is not hashed as it arrives');
    if (this.hashed < this.buffer.length) this.sha1.update(this.buffer.subarray(this.hashed));
    this.hashed = this.buffer.length;
    return this.sha1.digest();
  }

  private takeUpTo(end: number): PieceSpan {
    const span = { begin: this.flushed, data: this.buffer.subarray(this.flushed, end) };
    this.flushed = end;
    return span;
  }
}
