import { createHash, type Hash } from 'node:crypto';

/**
 * SHA-1 of a piece buffer fed block by block: each block that extends the hashed prefix is hashed
 * at once (blocks usually arrive in order), later ones when the gap before them fills.
 */
export class IncrementalSha1 {
  private readonly hash: Hash = createHash('sha1');
  private readonly have: Uint8Array;
  private hashed = 0;

  constructor(private readonly buffer: Buffer, private readonly blockSize: number) {
    this.have = new Uint8Array(Math.ceil(buffer.length / blockSize));
  }

  /** The block at `begin` is now in the buffer. */
  received(begin: number): void {
    this.have[Math.floor(begin / this.blockSize)] = 1;
    const size = this.buffer.length;
    while (this.hashed < size && this.have[this.hashed / this.blockSize] === 1) {
      const end = Math.min(size, this.hashed + this.blockSize);
      this.hash.update(this.buffer.subarray(this.hashed, end));
      this.hashed = end;
    }
  }

  /** The digest of the whole buffer: whatever was not hashed yet is hashed now. */
  digest(): Buffer {
    if (this.hashed < this.buffer.length) this.hash.update(this.buffer.subarray(this.hashed));
    this.hashed = this.buffer.length;
    return this.hash.digest();
  }
}
