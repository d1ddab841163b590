import type { Entry } from './entry.js';
import type { ChangeKind, ChangesSince, TorrentKey, TorrentRef } from './types.js';

const REMOVALS_KEPT = 10_000;

/** How the registry reports what happens to the list (the service turns these into its events). */
export interface RegistryEvents {
  added(ref: TorrentRef): void;
  changed(ref: TorrentRef, kind: ChangeKind): void;
  /** After the entry left the list. */
  removed(entry: Entry): void;
  /** Stop following the entry's torrent's events. */
  unbind(entry: Entry): void;
}

/**
 * The torrents the service keeps, by info-hash and by id, with the change sequence behind
 * `changes(since)`, the removals it remembers, and the cached list and queue positions.
 */
export class TorrentRegistry {
  private readonly byHash = new Map<string, Entry>();
  private readonly byId = new Map<number, Entry>();
  private nextId = 1;
  private sequence = 0;
  private readonly removals: { id: number; at: number }[] = [];
  private removalsForgottenBefore = 0;
  private listCache?: readonly TorrentRef[];
  private positionCache?: Map<string, number>;
  /** The entry last in queue order when positionCache was built or last appended to. */
  private lastInOrder?: Entry;

  constructor(private readonly events: RegistryEvents) {}

  /** The id the next entry gets (never reused). */
  newId(): number {
    return this.nextId++;
  }

  /** A listed torrent or magnet, by id or info-hash. */
  entry(key: TorrentKey): Entry | undefined {
    const entry = typeof key === 'number' ? this.byId.get(key) : this.byHash.get(key.toLowerCase());
    return entry && (entry.torrent || entry.pending) ? entry : undefined;
  }

  /** Any entry of that info-hash, listed or not yet (a torrent the session has not reported added). */
  get(hash: string): Entry | undefined {
    return this.byHash.get(hash);
  }

  values(): IterableIterator<Entry> {
    return this.byHash.values();
  }

  *withTorrents(): Iterable<Entry> {
    for (const entry of this.byHash.values()) if (entry.torrent) yield entry;
  }

  /** Keeps an entry without announcing it (it is listed once it has a torrent or a pending magnet). */
  register(entry: Entry): void {
    this.byHash.set(entry.hash, entry);
    this.byId.set(entry.id, entry);
  }

  /** A magnet's entry goes in at once; a torrent's when the session reports it added. */
  insert(entry: Entry): void {
    this.register(entry);
    this.announce(entry);
  }

  /** A registered entry is now listed: torrent-added. */
  announce(entry: Entry): void {
    this.listChanged(entry);
    entry.changedAt = ++this.sequence;
    this.events.added(entry.ref);
  }

  /**
   * A listed entry got or lost its torrent or magnet: the list is built again, and so are the
   * queue positions, unless `listed` (newly listed) is already placed or goes last in queue order,
   * as a new torrent of the lowest priority present does: 10,000 adds would sort the list 10,000 times.
   */
  listChanged(listed?: Entry): void {
    this.listCache = undefined;
    const positions = this.positionCache;
    if (listed && positions) {
      if (positions.has(listed.hash)) return;
      const last = this.lastInOrder;
      if (
        !last ||
        listed.priority < last.priority ||
        (listed.priority === last.priority && (listed.order > last.order || (listed.order === last.order && listed.id > last.id)))
      ) {
        positions.set(listed.hash, positions.size);
        this.lastInOrder = listed;
        return;
      }
    }
    this.positionCache = undefined;
  }

  /**
   * Changes the queue order (a priority, a place in the queue): every listed torrent whose
   * position is not what it was is touched ('settings'), so changes(since) reports it.
   */
  reorder(change: () => void): void {
    const before = this.positions();
    change();
    this.positionCache = undefined;
    const after = this.positions();
    for (const entry of this.byHash.values()) {
      const position = after.get(entry.hash);
      if (position !== undefined && before.get(entry.hash) !== position) this.touch(entry, 'settings');
    }
  }

  forget(entry: Entry): void {
    this.events.unbind(entry);
    this.byHash.delete(entry.hash);
    this.byId.delete(entry.id);
    this.listChanged();
    this.removals.push({ id: entry.id, at: ++this.sequence });
    if (this.removals.length > REMOVALS_KEPT)
      this.removalsForgottenBefore = this.removals.splice(0, this.removals.length - REMOVALS_KEPT).at(-1)!.at;
    this.events.removed(entry);
  }

  touch(entry: Entry | undefined, kind: ChangeKind): void {
    if (!entry || !(entry.torrent || entry.pending)) return;
    entry.changedAt = ++this.sequence;
    if (kind !== 'tick') entry.quiet = false;
    this.events.changed(entry.ref, kind);
  }

  /** Every torrent (and magnet waiting for metadata), in the order of adding. The same array until one is added or removed. */
  list(): readonly TorrentRef[] {
    if (!this.listCache) {
      const refs: TorrentRef[] = [];
      for (const entry of this.byHash.values()) if (entry.torrent || entry.pending) refs.push(entry.ref);
      this.listCache = refs;
    }
    return this.listCache;
  }

  cursor(): number {
    return this.sequence;
  }

  changes(since: number): ChangesSince {
    const changed: number[] = [];
    for (const entry of this.byHash.values()) if (entry.changedAt > since && (entry.torrent || entry.pending)) changed.push(entry.id);
    changed.sort((a, b) => a - b);
    const removed: number[] = [];
    for (let i = this.removals.length - 1; i >= 0 && this.removals[i]!.at > since; i--) removed.push(this.removals[i]!.id);
    removed.reverse();
    return { cursor: this.sequence, changed, removed, removedIncomplete: since < this.removalsForgottenBefore };
  }

  /** The listed entries in queue order: priority, then order, then id (as the download queue takes them). */
  queueOrder(except?: Entry): Entry[] {
    const all = [...this.byHash.values()].filter((e) => e !== except && (e.torrent || e.pending));
    all.sort((a, b) => b.priority - a.priority || a.order - b.order || a.id - b.id);
    return all;
  }

  queuePosition(entry: Entry): number {
    return this.positions().get(entry.hash) ?? 0;
  }

  private positions(): Map<string, number> {
    if (!this.positionCache) {
      const order = this.queueOrder();
      this.positionCache = new Map(order.map((e, i) => [e.hash, i]));
      this.lastInOrder = order.at(-1);
    }
    return this.positionCache;
  }
}
