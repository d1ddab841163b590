/**
 * Pieces of one priority level in an array partitioned into contiguous buckets by availability:
 * bucket a holds the pieces of availability a. A piece moves to a neighbouring bucket by swapping
 * with the bucket's edge element and shifting the boundary.
 */
export class AvailabilityBuckets {
  order: number[] = [];
  /** starts[a] = position of the first piece of bucket a; bucket a ends where bucket a + 1 starts. */
  starts: number[] = [0];

  constructor(
    private readonly pos: Int32Array,
    private readonly avail: Uint32Array,
  ) {}

  get size(): number {
    return this.order.length;
  }

  end(bucket: number): number {
    return bucket + 1 < this.starts.length ? this.starts[bucket + 1]! : this.order.length;
  }

  /** Replaces the contents with `pieces` (counting sort by availability). */
  rebuild(pieces: number[]): void {
    let top = 0;
    for (const p of pieces) if (this.avail[p]! > top) top = this.avail[p]!;
    const starts = new Array<number>(top + 1).fill(0);
    for (const p of pieces) if (this.avail[p]! < top) starts[this.avail[p]! + 1]!++;
    for (let a = 1; a <= top; a++) starts[a]! += starts[a - 1]!;
    const fill = starts.slice();
    const order = new Array<number>(pieces.length);
    for (const p of pieces) {
      const at = fill[this.avail[p]!]!++;
      order[at] = p;
      this.pos[p] = at;
    }
    this.order = order;
    this.starts = starts;
  }

  private swap(i: number, j: number): void {
    const o = this.order;
    const a = o[i]!;
    const b = o[j]!;
    o[i] = b;
    o[j] = a;
    this.pos[b] = i;
    this.pos[a] = j;
  }

  /** Moves `piece` from bucket a to bucket a + 1. */
  up(piece: number, a: number): void {
    if (a + 1 >= this.starts.length) this.starts.push(this.order.length);
    const last = this.starts[a + 1]! - 1;
    this.swap(this.pos[piece]!, last);
    this.starts[a + 1] = last;
  }

  /** Moves `piece` from bucket a to bucket a - 1. */
  down(piece: number, a: number): void {
    const first = this.starts[a]!;
    this.swap(this.pos[piece]!, first);
    this.starts[a] = first + 1;
  }

  insert(piece: number): void {
    const a = this.avail[piece]!;
    while (this.starts.length <= a) this.starts.push(this.order.length);
    this.pos[piece] = this.order.length;
    this.order.push(piece);
    for (let b = this.starts.length - 1; b > a; b--) this.down(piece, b);
  }

  remove(piece: number): void {
    const last = this.starts.length - 1;
    for (let b = this.avail[piece]!; b < last; b++) this.up(piece, b);
    this.swap(this.pos[piece]!, this.order.length - 1);
    this.order.pop();
    this.pos[piece] = -1;
  }
}
