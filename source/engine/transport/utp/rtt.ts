/** Round-trip time and retransmission timeout, as TCP keeps them (RFC 6298), in milliseconds. */
export class RttEstimator {
  private srtt = 0;
  private rttvar = 0;
  private sampled = false;
  /** Doubles with each timeout in a row, reset by the next new acknowledgement. */
  private backoff = 1;

  constructor(
    private readonly minRtoMs = 500,
    private readonly maxRtoMs = 60_000,
    private readonly initialRtoMs = 1000,
  ) {}

  get rtt(): number {
    return this.srtt;
  }

  /** A round trip measured on a packet sent once (Karn's rule: retransmitted ones are not sampled). */
  sample(ms: number): void {
    if (!this.sampled) {
      this.srtt = ms;
      this.rttvar = ms / 2;
      this.sampled = true;
    } else {
      this.rttvar += (Math.abs(this.srtt - ms) - this.rttvar) / 4;
      this.srtt += (ms - this.srtt) / 8;
    }
  }

  get rto(): number {
    const base = this.sampled ? Math.max(this.minRtoMs, this.srtt + 4 * this.rttvar) : this.initialRtoMs;
    return Math.min(this.maxRtoMs, base * this.backoff);
  }

  timedOut(): void {
    this.backoff = Math.min(this.backoff * 2, 64);
  }

  acknowledged(): void {
    this.backoff = 1;
  }
}
