/** Bytes per second over a sliding window, kept in fixed time buckets (no per-sample storage). */
const BUCKETS = 20;

export class RateMeter {
  total = 0;
  private readonly bucketMs: number;
  private readonly counts = new Float64Array(BUCKETS);
  /** Which bucket number (time / bucketMs) each slot currently holds. */
  private readonly stamps = new Float64Array(BUCKETS).fill(-Infinity);
  private start: number | undefined;

  constructor(readonly windowMs = 5000) {
    if (!(windowMs > 0)) throw new RangeError(`window must be positive, got ${windowMs}`);
    this.bucketMs = windowMs / BUCKETS;
  }

  add(bytes: number, now = Date.now()): void {
    this.total += bytes;
    this.start ??= now;
    const n = Math.floor(now / this.bucketMs);
    const slot = n % BUCKETS;
    if (this.stamps[slot] !== n) {
      this.stamps[slot] = n;
      this.counts[slot] = 0;
    }
    this.counts[slot] += bytes;
  }

  rate(now = Date.now()): number {
    if (this.start === undefined) return 0;
    const n = Math.floor(now / this.bucketMs);
    let sum = 0;
    for (let i = 0; i < BUCKETS; i++) {
      const stamp = this.stamps[i]!;
      if (stamp > n - BUCKETS && stamp <= n) sum += this.counts[i]!;
    }
    // The window covers the older full buckets plus the elapsed part of the current one;
    // a young meter divides by its age instead, so its first second is not underestimated.
    const covered = (BUCKETS - 1) * this.bucketMs + (now - n * this.bucketMs);
    const span = Math.max(Math.min(covered, now - this.start), this.bucketMs);
    return (sum * 1000) / span;
  }
}
