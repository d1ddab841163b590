/**
 * Token bucket for byte rates. `rate` 0 means unlimited. Callers consume first and wait
 * the returned delay, so a burst of one bucket is allowed and the long-run rate holds.
 */
export class RateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    private rateBytesPerSecond = 0,
    private readonly burstSeconds = 0.5,
  ) {
    this.tokens = this.capacity();
    this.last = Date.now();
  }

  get rate(): number {
    return this.rateBytesPerSecond;
  }

  setRate(bytesPerSecond: number): void {
    this.rateBytesPerSecond = Math.max(0, bytesPerSecond);
    this.tokens = Math.min(this.tokens, this.capacity());
  }

  /** Takes `bytes` and returns how many ms to wait before taking more (0 = go on). */
  consume(bytes: number, now?: number): number {
    // Unlimited (the common case) costs no clock read: this runs for every block.
    if (this.rateBytesPerSecond <= 0) return 0;
    this.refill(now ?? Date.now());
    this.tokens -= bytes;
    if (this.tokens >= 0) return 0;
    return Math.ceil((-this.tokens / this.rateBytesPerSecond) * 1000);
  }

  private capacity(): number {
    return Math.max(16 * 1024, this.rateBytesPerSecond * this.burstSeconds);
  }

  private refill(now: number): void {
    const elapsed = (now - this.last) / 1000;
    this.last = now;
    this.tokens = Math.min(this.capacity(), this.tokens + elapsed * this.rateBytesPerSecond);
  }
}
