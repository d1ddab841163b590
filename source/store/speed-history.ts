/** Rates sampled at a fixed interval, oldest first: what the speed graph draws. */
export interface SpeedSeries {
  readonly down: readonly number[];
  readonly up: readonly number[];
  readonly intervalMs: number;
}

interface Ring {
  readonly down: Float64Array;
  readonly up: Float64Array;
  /** Samples held (up to the capacity). */
  count: number;
  /** Where the next sample goes. */
  next: number;
}

/**
 * The last few minutes of download and upload rates per key (a row's key, or '' for the
 * totals), each in a ring of fixed size. A key gets a ring at its first traffic, so a large
 * idle list costs nothing.
 */
export class SpeedHistory {
  private readonly rings = new Map<string, Ring>();

  constructor(
    readonly capacity = 150,
    readonly intervalMs = 2000,
  ) {}

  /** Adds a sample; returns whether the series changed in a way a graph shows (not zeros after zeros). */
  record(key: string, down: number, up: number): boolean {
    let ring = this.rings.get(key);
    if (!ring) {
      if (down <= 0 && up <= 0) return false;
      ring = { down: new Float64Array(this.capacity), up: new Float64Array(this.capacity), count: 0, next: 0 };
      this.rings.set(key, ring);
    }
    const last = (ring.next + this.capacity - 1) % this.capacity;
    const visible = down > 0 || up > 0 || (ring.count > 0 && (ring.down[last]! > 0 || ring.up[last]! > 0));
    ring.down[ring.next] = Math.max(0, down);
    ring.up[ring.next] = Math.max(0, up);
    ring.next = (ring.next + 1) % this.capacity;
    ring.count = Math.min(this.capacity, ring.count + 1);
    return visible;
  }

  /** Forgets the keys not in `keep` (removed torrents). */
  retain(keep: (key: string) => boolean): void {
    for (const key of this.rings.keys()) if (!keep(key)) this.rings.delete(key);
  }

  has(key: string): boolean {
    return this.rings.has(key);
  }

  /** The samples of a key, oldest first; undefined before its first traffic. */
  series(key: string): SpeedSeries | undefined {
    const ring = this.rings.get(key);
    if (!ring) return undefined;
    const start = (ring.next + this.capacity - ring.count) % this.capacity;
    const down: number[] = [];
    const up: number[] = [];
    for (let i = 0; i < ring.count; i++) {
      const at = (start + i) % this.capacity;
      down.push(ring.down[at]!);
      up.push(ring.up[at]!);
    }
    return { down, up, intervalMs: this.intervalMs };
  }
}
