// A fixed-length bit set in BitTorrent wire format: bit 0 is the high bit of byte 0.

const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1]!;

function byteLength(bits: number): number {
  return (bits + 7) >>> 3;
}

/** Mask of the bits in the last byte that lie beyond `length` (must be zero on the wire). */
function spareMask(length: number): number {
  const used = length & 7;
  return used === 0 ? 0 : 0xff >>> used;
}

export class Bitfield {
  readonly length: number;
  readonly buffer: Uint8Array;
  private setCount = 0;

  /**
   * `buffer`, if given, is copied; spare bits past `length` are cleared.
   * Use `fromWire` to validate a peer's message strictly instead.
   */
  constructor(length: number, buffer?: Uint8Array) {
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`invalid bitfield length ${length}`);
    this.length = length;
    const size = byteLength(length);
    this.buffer = new Uint8Array(size);
    if (buffer !== undefined) {
      if (buffer.length < size) throw new RangeError(`bitfield buffer has ${buffer.length} bytes, need ${size}`);
      this.buffer.set(buffer.subarray(0, size));
      if (size > 0) this.buffer[size - 1]! &= ~spareMask(length) & 0xff;
      let n = 0;
      for (let i = 0; i < size; i++) n += POPCOUNT[this.buffer[i]!]!;
      this.setCount = n;
    }
  }

  /** Parses a `bitfield` message payload; throws on a wrong size or spare bits set. */
  static fromWire(buffer: Uint8Array, length: number): Bitfield {
    const size = byteLength(length);
    if (buffer.length !== size) throw new RangeError(`bitfield has ${buffer.length} bytes, expected ${size}`);
    if (size > 0 && (buffer[size - 1]! & spareMask(length)) !== 0) throw new RangeError('bitfield has spare bits set');
    return new Bitfield(length, buffer);
  }

  get(i: number): boolean {
    if (!(i >= 0 && i < this.length)) return false;
    return (this.buffer[i >>> 3]! & (0x80 >>> (i & 7))) !== 0;
  }

  set(i: number, v = true): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) throw new RangeError(`bit ${i} out of range 0..${this.length - 1}`);
    const byte = i >>> 3;
    const mask = 0x80 >>> (i & 7);
    const was = (this.buffer[byte]! & mask) !== 0;
    if (was === v) return;
    if (v) {
      this.buffer[byte]! |= mask;
      this.setCount++;
    } else {
      this.buffer[byte]! &= ~mask;
      this.setCount--;
    }
  }

  count(): number {
    return this.setCount;
  }

  isComplete(): boolean {
    return this.setCount === this.length;
  }

  setAll(): void {
    const size = this.buffer.length;
    if (size === 0) return;
    this.buffer.fill(0xff);
    this.buffer[size - 1] = ~spareMask(this.length) & 0xff;
    this.setCount = this.length;
  }

  clone(): Bitfield {
    return new Bitfield(this.length, this.buffer);
  }
}
