import type { SourceRow } from '../store/source.js';

export interface HostEntry {
  readonly id: number;
  row: SourceRow;
}

/**
 * One host's torrents as last heard, by info-hash and by the daemon's id, in the order they were
 * added; and the states expected after an action (pause, start), kept over answers that still
 * disagree until the host catches up or the expectation runs out.
 */
export class HostRows {
  private readonly entries = new Map<string, HostEntry>();
  private readonly hashById = new Map<number, string>();
  /**
   * States a torrent is expected to reach after an action (a pause shows paused at once):
   * transmission-daemon answers torrent-stop before it stops, so the polls right after still say
   * seeding. Kept until an answer agrees, or the expectation runs out.
   */
  private readonly expected = new Map<string, { states: ReadonlySet<SourceRow['state']>; until: number }>();
  /** Torrents acted on, fetched by id until then (a daemon may apply an action a moment after answering it: Transmission's stop). */
  private readonly touched = new Map<number, number>();
  private order: string[] = [];
  private orderStale = false;

  hashes(): readonly string[] {
    if (this.orderStale) {
      this.order = [...this.entries.keys()].sort((a, b) => {
        const x = this.entries.get(a)!;
        const y = this.entries.get(b)!;
        return x.row.addedAt - y.row.addedAt || x.id - y.id;
      });
      this.orderStale = false;
    }
    return this.order;
  }

  get(hash: string): HostEntry | undefined {
    return this.entries.get(hash);
  }

  has(hash: string): boolean {
    return this.entries.has(hash);
  }

  hashOf(id: number): string | undefined {
    return this.hashById.get(id);
  }

  idOf(hash: string): number {
    const entry = this.entries.get(hash);
    if (!entry) throw new Error('the torrent is gone from the host');
    return entry.id;
  }

  /** A torrent as the host reported it, unless an action's expected state is still pending. */
  put(id: number, fetched: SourceRow): void {
    const old = this.entries.get(fetched.infoHash);
    let row = fetched;
    const expected = this.expected.get(row.infoHash);
    if (expected) {
      if (expected.states.has(row.state) || expected.until < Date.now()) this.expected.delete(row.infoHash);
      else if (old) row = { ...row, state: old.row.state, downloadRate: old.row.downloadRate, uploadRate: old.row.uploadRate };
    }
    if (old && old.id !== id) this.hashById.delete(old.id);
    this.entries.set(row.infoHash, { id, row });
    this.hashById.set(id, row.infoHash);
  }

  drop(hash: string): void {
    const entry = this.entries.get(hash);
    if (!entry) return;
    this.entries.delete(hash);
    if (this.hashById.get(entry.id) === hash) this.hashById.delete(entry.id);
    this.orderStale = true;
  }

  /** Keeps only these torrents (a full listing). */
  keepOnly(hashes: ReadonlySet<string>): void {
    for (const hash of [...this.entries.keys()]) if (!hashes.has(hash)) this.drop(hash);
  }

  /** Torrents were added (or may have been): the order is worked out again when next asked. */
  reorder(): void {
    this.orderStale = true;
  }

  expect(hash: string, states: ReadonlySet<SourceRow['state']>, until: number): void {
    this.expected.set(hash, { states, until });
  }

  unexpect(hash: string): void {
    this.expected.delete(hash);
  }

  touch(id: number, until: number): void {
    this.touched.set(id, until);
  }

  /** The ids still to fetch by id; those whose time ran out are let go. */
  touchedIds(now: number): number[] {
    for (const [id, until] of this.touched) if (until < now) this.touched.delete(id);
    return [...this.touched.keys()];
  }

  untouch(id: number): void {
    this.touched.delete(id);
  }

  untouchAll(): void {
    this.touched.clear();
  }
}
