import type { Session } from '../engine/session/session.js';
import type { Torrent } from '../engine/torrent/torrent.js';
import { printable } from '../format/text.js';
import { noteState } from './activity-clock.js';
import { newEntry, type Entry } from './entry.js';
import type { MagnetFetches } from './magnet-fetches.js';
import type { SessionPersistence } from './persistence.js';
import type { QueueManager } from './queue-manager.js';
import { notePiece } from './reads.js';
import type { TorrentRegistry } from './registry.js';
import type { LogLevel } from './types.js';

const TORRENT_EVENTS = ['state', 'piece', 'done', 'trackers', 'peer', 'peer-closed', 'warning', 'error-state', 'checking', 'tick'] as const;
type TorrentEvent = (typeof TORRENT_EVENTS)[number];

export interface BindingHost {
  readonly session: Pick<Session, 'on' | 'off' | 'list'>;
  readonly registry: Pick<TorrentRegistry, 'get' | 'values' | 'newId' | 'register' | 'listChanged' | 'announce' | 'touch' | 'forget'>;
  readonly magnets: Pick<MagnetFetches, 'cancel'>;
  readonly queue: Pick<QueueManager, 'noteChange'>;
  readonly persistence: Pick<SessionPersistence, 'scheduleSave'>;
  log(level: LogLevel, text: string): void;
}

/**
 * The engine's news turned into the service's: the session's torrents added and removed,
 * each torrent's events as changes of its entry, log lines, and saves and queue passes.
 */
export class SessionBinding {
  private readonly trackerErrors = new Map<string, string>();

  constructor(private readonly host: BindingHost) {}

  /** Listens to the session, and takes the torrents it already has. */
  attach(): void {
    const session = this.host.session;
    session.on('added', this.onAdded);
    session.on('removed', this.onRemoved);
    session.on('warning', this.onWarning);
    for (const torrent of session.list()) this.onAdded(torrent);
  }

  detach(): void {
    const session = this.host.session;
    session.off('added', this.onAdded);
    session.off('removed', this.onRemoved);
    session.off('warning', this.onWarning);
    for (const entry of this.host.registry.values()) this.unbind(entry);
  }

  /** A torrent left the list: its trackers' last errors are forgotten. */
  forgetTrackerErrors(hash: string): void {
    for (const key of this.trackerErrors.keys()) if (key.startsWith(hash)) this.trackerErrors.delete(key);
  }

  private readonly onWarning = (message: string): void => this.host.log('warn', message);

  private readonly onAdded = (torrent: Torrent): void => {
    const { registry } = this.host;
    const hash = torrent.meta.infoHash;
    let entry = registry.get(hash);
    if (!entry) {
      entry = newEntry(registry.newId(), hash, torrent.meta.files.length, {});
      registry.register(entry);
    }
    this.unbind(entry);
    const replacing = entry.pending !== undefined || entry.moving;
    if (entry.pending) this.host.magnets.cancel(entry.pending);
    entry.pending = undefined;
    entry.torrent = torrent;
    entry.dataOnDisk = false;
    if (entry.downloadLimit || entry.uploadLimit) torrent.setLimits({ download: entry.downloadLimit, upload: entry.uploadLimit });
    this.bind(entry, torrent);
    noteState(entry.clock, torrent.state, Date.now());
    registry.listChanged(entry);
    if (replacing) registry.touch(entry, 'state');
    else registry.announce(entry);
    this.host.persistence.scheduleSave();
  };

  private readonly onRemoved = (hash: string): void => {
    const entry = this.host.registry.get(hash);
    if (!entry) return;
    this.unbind(entry);
    noteState(entry.clock, 'removed', Date.now());
    // Moving: the stopped torrent still answers reads until the one in the new directory replaces it.
    if (entry.moving) return;
    entry.torrent = undefined;
    this.host.registry.forget(entry);
    this.host.persistence.scheduleSave();
  };

  /** Stops listening to the torrent the entry was bound to, if any. */
  unbind(entry: Entry): void {
    const torrent = entry.bound;
    if (!torrent) return;
    for (const event of TORRENT_EVENTS) torrent.off(event, this.listeners[event]);
    entry.bound = undefined;
  }

  private bind(entry: Entry, torrent: Torrent): void {
    for (const event of TORRENT_EVENTS) torrent.on(event, this.listeners[event]);
    entry.bound = torrent;
  }

  /**
   * One listener per event for the whole session, not a set of closures per torrent (10,000
   * seeding torrents would keep 100,000): the emitter is `this`, and its entry is found by hash.
   */
  private readonly listeners: Record<TorrentEvent, (this: Torrent, ...args: any[]) => void> = listenersOf(this);

  /** The entry listening to this torrent (undefined after a replacement or removal). */
  entryOf(torrent: Torrent): Entry | undefined {
    const entry = this.host.registry.get(torrent.meta.infoHash);
    return entry?.bound === torrent ? entry : undefined;
  }

  /** A torrent's event as a change of its entry. */
  handle(torrent: Torrent, event: TorrentEvent, args: unknown[]): void {
    const entry = this.entryOf(torrent);
    if (!entry) return;
    const { registry, persistence, queue } = this.host;
    switch (event) {
      case 'state':
        noteState(entry.clock, torrent.state, Date.now());
        registry.touch(entry, 'state');
        persistence.scheduleSave();
        queue.noteChange(entry.hash);
        return;
      case 'piece':
        notePiece(entry, torrent, args[0] as number);
        registry.touch(entry, 'progress');
        return;
      case 'done':
        // 'done' also fires when a complete torrent starts: only a real completion is news.
        if (entry.completedAt === undefined) {
          entry.completedAt = Date.now();
          this.host.log('info', `completed ${printable(torrent.meta.name)}`);
        }
        entry.lastActiveAt = Date.now();
        registry.touch(entry, 'state');
        persistence.scheduleSave();
        queue.noteChange(entry.hash);
        return;
      case 'trackers':
        registry.touch(entry, 'trackers');
        this.noteTrackerErrors(torrent, printable(torrent.meta.name));
        return;
      case 'peer':
      case 'peer-closed':
        registry.touch(entry, 'progress');
        return;
      case 'warning':
        this.host.log('warn', `${printable(torrent.meta.name)}: ${String(args[0])}`);
        return;
      case 'error-state':
        this.host.log('error', `${printable(torrent.meta.name)}: ${String(args[0])}`);
        registry.touch(entry, 'state');
        return;
      case 'checking': {
        const [done, total] = args as [number, number];
        entry.checkProgress = total > 0 ? done / total : 0;
        registry.touch(entry, 'progress');
        return;
      }
      case 'tick':
        // A running torrent ticks every second; with no peers and no traffic its summary cannot change.
        if (!entry.quiet) registry.touch(entry, 'tick');
        return;
    }
  }

  private noteTrackerErrors(torrent: Torrent, name: string): void {
    for (const t of torrent.trackerStats()) {
      const key = `${torrent.meta.infoHash} ${t.url}`;
      const before = this.trackerErrors.get(key);
      if (t.lastError && t.status === 'error' && t.lastError !== before) {
        this.trackerErrors.set(key, t.lastError);
        this.host.log('warn', `${name}: tracker ${t.url}: ${t.lastError}`);
      } else if (t.status === 'working' && before !== undefined) {
        this.trackerErrors.delete(key);
      }
    }
  }
}

/** The session's listeners: each hands its torrent (`this`) and arguments to the binding. */
function listenersOf(binding: SessionBinding): Record<TorrentEvent, (this: Torrent, ...args: any[]) => void> {
  const listeners = {} as Record<TorrentEvent, (this: Torrent, ...args: any[]) => void>;
  for (const event of TORRENT_EVENTS)
    listeners[event] = function (this: Torrent, ...args: unknown[]) {
      binding.handle(this, event, args);
    };
  return listeners;
}
