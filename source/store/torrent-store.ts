import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Session } from '../engine/session/session.js';
import type { Torrent, TorrentEvents } from '../engine/torrent/torrent.js';
import { formatBytes } from '../format/size.js';
import { printable } from '../format/text.js';
import { buildDetail, type ScrapeResult } from './detail.js';
import { pendingRow, type PendingMagnet } from './pending-magnet.js';
import { planQueue, type QueueEntry } from './queue.js';
import { newRecord, rowFor, sameRow, type TorrentRecord } from './row.js';
import type { GlobalStats, LogEntry, LogLevel, Snapshot, TorrentRow } from './types.js';

export interface StoreOptions {
  /** Snapshots are published at most this often. */
  refreshMs?: number;
  downloadDirectory: string;
  /** How often free disk space is measured; 0 = never. */
  diskIntervalMs?: number;
  logLimit?: number;
  /** Torrents downloading at once; the rest wait as "queued". 0 = no limit. */
  maxActiveDownloads?: number;
}

/** Why the store thinks the saved session should be written. */
export type ChangeReason = 'added' | 'removed' | 'state' | 'done' | 'priority' | 'limits';

const TORRENT_EVENTS = ['state', 'piece', 'done', 'trackers', 'peer', 'peer-closed', 'warning', 'error-state', 'checking', 'tick'] as const;
type TorrentEventName = (typeof TORRENT_EVENTS)[number];

/**
 * Engine events -> immutable snapshots. Events only mark torrents dirty; a timer turns the
 * dirty ones into new rows at a bounded rate (unchanged rows keep their identity), so a
 * busy engine costs the UI a few snapshots a second at most, and an idle one none.
 * React reads it through subscribe/getSnapshot (useSyncExternalStore).
 */
export class TorrentStore {
  readonly records = new Map<string, TorrentRecord>();
  /** Magnets still fetching their metadata (or paused, or failed at it), by info-hash. */
  readonly pending = new Map<string, PendingMagnet>();
  /** Called on changes worth saving the session for. */
  onChange?: (reason: ChangeReason) => void;

  private snapshot: Snapshot;
  private readonly listeners = new Set<() => void>();
  private readonly dirty = new Set<string>();
  private structureChanged = true;
  private globalChanged = true;
  private logChanged = false;
  private readonly unbind = new Map<string, () => void>();
  private readonly scrapes = new Map<string, Map<string, ScrapeResult>>();
  /** The rows of the current snapshot by info-hash. */
  private rowByHash = new Map<string, TorrentRow>();
  private readonly trackerErrors = new Map<string, string>();
  private logEntries: LogEntry[] = [];
  private nextLogId = 1;
  private detailHash?: string;
  private detailChanged = false;
  private limits = { download: 0, upload: 0 };
  private freeDisk?: number;
  private dhtNodes?: number;
  private maxActiveDownloads: number;
  private queueScheduled?: NodeJS.Immediate;
  private downloadDirectory: string;
  private timer?: NodeJS.Timeout;
  private diskTimer?: NodeJS.Timeout;
  private readonly refreshMs: number;
  private readonly logLimit: number;
  private readonly onAdded = (torrent: Torrent) => this.bind(torrent);
  private readonly onRemoved = (hash: string) => {
    this.unbind.get(hash)?.();
    this.unbind.delete(hash);
    this.records.delete(hash);
    this.scrapes.delete(hash);
    this.structureChanged = true;
    this.onChange?.('removed');
    this.scheduleQueue();
  };

  constructor(readonly session: Session, private readonly options: StoreOptions) {
    this.refreshMs = options.refreshMs ?? 500;
    this.logLimit = options.logLimit ?? 500;
    this.downloadDirectory = options.downloadDirectory;
    this.maxActiveDownloads = options.maxActiveDownloads ?? 0;
    this.snapshot = { version: 0, torrents: [], global: this.globalStats([]), log: [] };
    session.on('added', this.onAdded);
    session.on('removed', this.onRemoved);
    for (const torrent of session.list()) this.bind(torrent);
    this.refresh();
  }

  /** Starts the refresh timer (and disk space polling). Tests may call refresh() by hand instead. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.refresh(), this.refreshMs);
    this.timer.unref();
    const diskMs = this.options.diskIntervalMs ?? 10_000;
    if (diskMs > 0) {
      void this.measureDisk();
      this.diskTimer = setInterval(() => void this.measureDisk(), diskMs);
      this.diskTimer.unref();
    }
  }

  stop(): void {
    clearInterval(this.timer);
    clearInterval(this.diskTimer);
    if (this.queueScheduled) clearImmediate(this.queueScheduled);
    this.queueScheduled = undefined;
    this.timer = undefined;
    this.diskTimer = undefined;
    this.session.off('added', this.onAdded);
    this.session.off('removed', this.onRemoved);
    for (const off of this.unbind.values()) off();
    this.unbind.clear();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): Snapshot => this.snapshot;

  record(hash: string): TorrentRecord | undefined {
    return this.records.get(hash);
  }

  /** Marks a torrent (or, without a hash, the whole view) as needing a new row. */
  touch(hash?: string): void {
    if (hash) this.dirty.add(hash);
    else this.structureChanged = true;
  }

  /** Which torrent's detail (peers, trackers, files, pieces) the snapshot should carry. */
  focus(hash: string | undefined): void {
    if (hash === this.detailHash) return;
    this.detailHash = hash;
    this.detailChanged = true;
    this.refresh();
  }

  setLimits(limits: { download: number; upload: number }): void {
    this.limits = { ...limits };
    this.globalChanged = true;
  }

  setMaxActiveDownloads(max: number): void {
    this.maxActiveDownloads = max;
    this.globalChanged = true;
    this.applyQueue();
  }

  /** Asks for a torrent to run: now if a download slot is free (or it is complete), else queued. */
  requestStart(hash: string, options: { defer?: boolean } = {}): void {
    const record = this.records.get(hash);
    if (!record) return;
    record.userPaused = false;
    record.queued = true;
    this.dirty.add(hash);
    if (options.defer) this.scheduleQueue();
    else this.applyQueue();
  }

  /** Starts and stops torrents so that the queue holds (queue.ts). */
  applyQueue(): void {
    if (this.queueScheduled) clearImmediate(this.queueScheduled);
    this.queueScheduled = undefined;
    const entries: QueueEntry[] = [];
    for (const torrent of this.session.list()) {
      const hash = torrent.meta.infoHash;
      const record = this.records.get(hash);
      if (!record) continue;
      const running = torrent.isRunning;
      if (!running && !record.queued) continue;
      const state = torrent.stats().state;
      const unfinished = record.completedAt === undefined;
      const downloading = running ? state === 'downloading' || (state === 'checking' && unfinished) : state !== 'error' && unfinished;
      entries.push({ hash, priority: record.priority, addedAt: record.addedAt, running, queued: record.queued, downloading });
    }
    const plan = planQueue(entries, this.maxActiveDownloads);
    for (const hash of plan.start) {
      const record = this.records.get(hash)!;
      record.queued = false;
      this.dirty.add(hash);
      void this.session.get(hash)?.start();
    }
    for (const hash of plan.stop) {
      const record = this.records.get(hash)!;
      record.queued = true;
      this.dirty.add(hash);
      void this.session.get(hash)?.stop();
    }
  }

  /** Re-plans the queue once the current burst of events is over. */
  private scheduleQueue(): void {
    this.queueScheduled ??= setImmediate(() => this.applyQueue());
  }

  /** A magnet whose metadata is being fetched: it gets a row until the torrent replaces it. */
  putPending(entry: PendingMagnet): void {
    this.pending.set(entry.infoHash, entry);
    this.dirty.add(entry.infoHash);
    this.structureChanged = true;
    this.onChange?.('added');
  }

  deletePending(hash: string): void {
    if (!this.pending.delete(hash)) return;
    this.dirty.add(hash);
    this.structureChanged = true;
    this.onChange?.('removed');
  }

  setDownloadDirectory(directory: string): void {
    this.downloadDirectory = directory;
    this.globalChanged = true;
    void this.measureDisk();
  }

  setScrape(hash: string, url: string, result: ScrapeResult): void {
    let perUrl = this.scrapes.get(hash);
    if (!perUrl) this.scrapes.set(hash, (perUrl = new Map()));
    perUrl.set(url, result);
    this.dirty.add(hash);
  }

  log(level: LogLevel, text: string): void {
    this.logEntries.push({ id: this.nextLogId++, at: Date.now(), level, text: printable(text) });
    if (this.logEntries.length > this.logLimit) this.logEntries = this.logEntries.slice(-this.logLimit);
    this.logChanged = true;
  }

  /** Builds and publishes a new snapshot if anything changed; returns whether it did. */
  refresh(): boolean {
    const dhtNodes = this.session.dht?.nodeCount();
    if (dhtNodes !== this.dhtNodes) {
      this.dhtNodes = dhtNodes;
      this.globalChanged = true;
    }
    const detailDirty = this.detailHash !== undefined && (this.detailChanged || this.dirty.has(this.detailHash));
    if (!this.structureChanged && this.dirty.size === 0 && !this.globalChanged && !this.logChanged && !detailDirty) return false;
    const previous = this.rowByHash;
    let changed = this.structureChanged || this.logChanged || detailDirty || this.globalChanged;
    const rows: TorrentRow[] = [];
    for (const torrent of this.session.list()) {
      const hash = torrent.meta.infoHash;
      const old = previous.get(hash);
      if (old && !this.dirty.has(hash)) {
        rows.push(old);
        continue;
      }
      const record = this.records.get(hash) ?? this.ensureRecord(torrent);
      const row = rowFor(torrent, record);
      if (old && sameRow(old, row)) {
        rows.push(old);
      } else {
        rows.push(row);
        changed = true;
      }
    }
    for (const entry of this.pending.values()) {
      if (this.session.get(entry.infoHash)) continue;
      const old = previous.get(entry.infoHash);
      const row = old && !this.dirty.has(entry.infoHash) ? old : pendingRow(entry);
      if (old && (row === old || sameRow(old, row))) {
        rows.push(old);
      } else {
        rows.push(row);
        changed = true;
      }
    }
    // Only the status line or the log changed: the same rows array, so the list is not filtered and sorted again.
    const old = this.snapshot.torrents;
    const sameRows = rows.length === old.length && rows.every((row, i) => row === old[i]);
    if (!sameRows) changed = true;
    if (changed && !sameRows) this.rowByHash = new Map(rows.map((row) => [row.infoHash, row]));
    this.dirty.clear();
    this.structureChanged = false;
    this.logChanged = false;
    this.detailChanged = false;
    this.globalChanged = false;
    if (!changed) return false;
    const global = this.globalStats(rows);
    let detail = this.snapshot.detail;
    if (this.detailHash === undefined) detail = undefined;
    else if (detailDirty || detail?.infoHash !== this.detailHash) {
      const torrent = this.session.get(this.detailHash);
      const record = torrent ? this.records.get(torrent.meta.infoHash) : undefined;
      detail = torrent && record ? buildDetail(torrent, record, this.scrapes.get(torrent.meta.infoHash)) : undefined;
    }
    this.snapshot = {
      version: this.snapshot.version + 1,
      torrents: sameRows ? old : rows,
      global: sameGlobal(this.snapshot.global, global) ? this.snapshot.global : global,
      log: this.logEntries === this.snapshot.log ? this.snapshot.log : this.logEntries.slice(),
      detail,
    };
    for (const listener of this.listeners) listener();
    return true;
  }

  private globalStats(rows: readonly TorrentRow[]): GlobalStats {
    let downloadRate = 0;
    let uploadRate = 0;
    let connections = 0;
    for (const row of rows) {
      downloadRate += row.downloadRate;
      uploadRate += row.uploadRate;
      connections += row.peers;
    }
    return {
      downloadRate,
      uploadRate,
      downloadLimit: this.limits.download,
      uploadLimit: this.limits.upload,
      connections,
      port: this.session.port,
      freeDisk: this.freeDisk,
      downloadDirectory: this.downloadDirectory,
      dhtNodes: this.dhtNodes,
      maxActiveDownloads: this.maxActiveDownloads,
    };
  }

  private ensureRecord(torrent: Torrent): TorrentRecord {
    let record = this.records.get(torrent.meta.infoHash);
    if (!record) {
      record = newRecord(torrent.meta.files.length);
      this.records.set(torrent.meta.infoHash, record);
    }
    return record;
  }

  private bind(torrent: Torrent): void {
    const hash = torrent.meta.infoHash;
    if (this.unbind.has(hash)) return;
    this.ensureRecord(torrent);
    const name = printable(torrent.meta.name);
    const handlers: { [E in TorrentEventName]: (...args: TorrentEvents[E]) => void } = {
      state: () => {
        this.dirty.add(hash);
        this.onChange?.('state');
        this.scheduleQueue();
      },
      piece: () => this.dirty.add(hash),
      done: () => {
        const record = this.records.get(hash);
        // 'done' also fires when a complete torrent starts: only a real completion is news.
        if (record && record.completedAt === undefined) {
          record.completedAt = Date.now();
          this.log('info', `completed ${name}`);
        }
        this.dirty.add(hash);
        this.onChange?.('done');
        this.scheduleQueue();
      },
      trackers: () => {
        this.dirty.add(hash);
        this.noteTrackerErrors(torrent, name);
      },
      peer: () => this.dirty.add(hash),
      'peer-closed': () => this.dirty.add(hash),
      warning: (text: string) => this.log('warn', `${name}: ${text}`),
      'error-state': (text: string) => {
        this.log('error', `${name}: ${text}`);
        this.dirty.add(hash);
      },
      checking: (done: number, total: number) => {
        const record = this.records.get(hash);
        if (record) record.checkProgress = total > 0 ? done / total : 0;
        this.dirty.add(hash);
      },
      // A running torrent ticks every second; with no peers and no traffic its row cannot change, so skip it.
      tick: () => {
        const row = this.rowByHash.get(hash);
        if (!row || row.peers > 0 || row.downloadRate > 0 || row.uploadRate > 0 || row.state === 'checking') this.dirty.add(hash);
      },
    };
    for (const event of TORRENT_EVENTS) torrent.on(event, handlers[event]);
    this.unbind.set(hash, () => {
      for (const event of TORRENT_EVENTS) torrent.off(event, handlers[event]);
    });
    this.dirty.add(hash);
    this.structureChanged = true;
    this.onChange?.('added');
  }

  private noteTrackerErrors(torrent: Torrent, name: string): void {
    for (const t of torrent.trackerStats()) {
      const key = `${torrent.meta.infoHash} ${t.url}`;
      const before = this.trackerErrors.get(key);
      if (t.lastError && t.status === 'error' && t.lastError !== before) {
        this.trackerErrors.set(key, t.lastError);
        this.log('warn', `${name}: tracker ${t.url}: ${t.lastError}`);
      } else if (t.status === 'working' && before !== undefined) {
        this.trackerErrors.delete(key);
      }
    }
  }

  private async measureDisk(): Promise<void> {
    let dir = this.downloadDirectory;
    // The download directory may not exist yet: its nearest existing parent is on the same disk.
    for (let i = 0; i < 64; i++) {
      try {
        const s = await statfs(dir);
        const free = s.bavail * s.bsize;
        // Redrawn only when the figure shown changes (a write somewhere should not repaint the screen).
        if (this.freeDisk === undefined || formatBytes(free) !== formatBytes(this.freeDisk)) {
          this.freeDisk = free;
          this.globalChanged = true;
        }
        return;
      } catch {
        const parent = dirname(dir);
        if (parent === dir) break;
        dir = parent;
      }
    }
  }
}

function sameGlobal(a: GlobalStats, b: GlobalStats): boolean {
  for (const key in a) if (a[key as keyof GlobalStats] !== b[key as keyof GlobalStats]) return false;
  return true;
}
