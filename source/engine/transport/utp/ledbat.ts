/**
 * LEDBAT congestion control (BEP 29, RFC 6817) over bytes: the window grows while the
 * one-way queuing delay our packets see is under the target (100 ms) and shrinks above it,
 * so a bulk uTP transfer yields to TCP and interactive traffic on the same link.
 *
 * Delays are the peer's timestamp_difference echoes: microsecond clocks of two hosts, so
 * only differences mean anything, and the 32-bit value wraps (two clocks' offset can sit
 * anywhere in it, a sample just past 2^32 is a little more, not 71 minutes less): samples are
 * kept as signed distances from the first one. The base delay is the least over the last two
 * minutes (kept as per-minute minima); the current delay the least of the last few samples.
 *
 * Growth is at most one packet per round trip at zero queuing delay (RFC 6817's GAIN of 1: no
 * faster than TCP's congestion avoidance); above the target the window shrinks in proportion
 * to how far over it is (`decreaseBytesPerRtt` per round trip at twice the target, libtorrent's
 * 3000 bytes), and a loss halves it at once.
 */
export interface LedbatOptions {
  packetBytes: number;
  targetUs?: number;
  /** Most the window grows per round trip at zero delay (default one packet: RFC 6817's GAIN 1). */
  gainBytesPerRtt?: number;
  /** How fast it shrinks per round trip at twice the target (default 3000, libtorrent's gain factor). */
  decreaseBytesPerRtt?: number;
  maxWindowBytes?: number;
}

const BASE_HISTORY_MINUTES = 2;
const CURRENT_SAMPLES = 3;

export class Ledbat {
  window: number;
  private readonly packetBytes: number;
  private readonly targetUs: number;
  private readonly gain: number;
  private readonly decrease: number;
  /** The first sample: the others are kept as signed 32-bit distances from it. */
  private anchor: number | undefined;
  private readonly maxWindow: number;
  private slowStart = true;
  private ssthresh = Infinity;
  /** Per-minute minima of the delay samples, newest last. */
  private readonly baseHistory: { minute: number; min: number }[] = [];
  private readonly current: number[] = [];

  constructor(options: LedbatOptions) {
    this.packetBytes = options.packetBytes;
    this.targetUs = options.targetUs ?? 100_000;
    this.gain = options.gainBytesPerRtt ?? this.packetBytes;
    this.decrease = options.decreaseBytesPerRtt ?? 3000;
    this.maxWindow = options.maxWindowBytes ?? 8 * 1024 * 1024;
    this.window = 2 * this.packetBytes;
  }

  get inSlowStart(): boolean {
    return this.slowStart;
  }

  /** The queuing delay (µs) of the last samples over the base delay. */
  get queuingDelayUs(): number {
    if (this.current.length === 0 || this.baseHistory.length === 0) return 0;
    return Math.max(0, Math.min(...this.current) - this.baseDelay());
  }

  private baseDelay(): number {
    let min = Infinity;
    for (const b of this.baseHistory) min = Math.min(min, b.min);
    return min;
  }

  /** A delay sample (the peer's timestamp_difference, µs) at `nowMs`. */
  delaySample(timestampDiffUs: number, nowMs: number): void {
    this.anchor ??= timestampDiffUs;
    const delayUs = (timestampDiffUs - this.anchor) | 0;
    const minute = Math.floor(nowMs / 60_000);
    const last = this.baseHistory[this.baseHistory.length - 1];
    if (last && last.minute === minute) last.min = Math.min(last.min, delayUs);
    else {
      this.baseHistory.push({ minute, min: delayUs });
      while (this.baseHistory.length > BASE_HISTORY_MINUTES) this.baseHistory.shift();
    }
    this.current.push(delayUs);
    if (this.current.length > CURRENT_SAMPLES) this.current.shift();
  }

  /**
   * `acked` bytes newly acknowledged; `windowLimited`: the sender had a full window out (a
   * window nobody fills is not grown).
   */
  acked(acked: number, windowLimited: boolean): void {
    if (acked <= 0) return;
    const delay = this.queuingDelayUs;
    if (this.slowStart) {
      if (delay > this.targetUs / 2 || this.window >= this.ssthresh) this.slowStart = false;
      else if (windowLimited) this.window += acked;
    }
    if (!this.slowStart) {
      const delayFactor = (this.targetUs - delay) / this.targetUs;
      const windowFactor = acked / Math.max(this.window, acked);
      const change = (delayFactor >= 0 ? this.gain : this.decrease) * delayFactor * windowFactor;
      if (change < 0 || windowLimited) this.window += change;
    }
    this.clamp();
  }

  /** A packet was lost (fast resend): halve, once per window (the caller decides how often). */
  lost(): void {
    this.window /= 2;
    this.ssthresh = this.window;
    this.slowStart = false;
    this.clamp();
  }

  /** The retransmission timer fired: start again from one packet. */
  timedOut(): void {
    this.ssthresh = Math.max(this.window / 2, 2 * this.packetBytes);
    this.window = this.packetBytes;
    this.slowStart = true;
  }

  private clamp(): void {
    this.window = Math.min(this.maxWindow, Math.max(this.packetBytes, this.window));
  }
}
