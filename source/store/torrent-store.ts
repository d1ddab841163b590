import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { TorrentService } from '../service/torrent-service.js';
import type { ChangeKind, LogLevel as ServiceLogLevel, TorrentRef } from '../service/types.js';
import { formatBytes } from '../format/size.js';
import { printable } from '../format/text.js';
import { buildDetail, type ScrapeResult } from './detail.js';
import { rowFor, sameRow } from './row.js';
import type { GlobalStats, LogEntry, LogLevel, Snapshot, TorrentRow } from './types.js';

export interface StoreOptions {
  /** Snapshots are published at most this often from traffic and progress. */
  refreshMs?: number;
  /** A change a user should see at once (an action's result, a log line) is published within this long (longer when snapshots are costly to build). */
  soonMs?: number;
  /** How often free disk space is measured; 0 = never. */
  diskIntervalMs?: number;
  logLimit?: number;
}

/**
 * The TUI's read model: service events -> immutable snapshots. Events only note which rows
 * to rebuild; a timer turns those into new rows at a bounded rate (unchanged rows keep
 * their identity), so a busy engine costs the UI a few snapshots a second at most, and an
 * idle one none. Changes other than traffic (states, settings, added, removed, the log) are
 * published soon after they happen, coalesced. React reads it through subscribe/getSnapshot
 * (useSyncExternalStore). Actions go to the service, never through here.
 */
export class TorrentStore {
  private snapshot: Snapshot;
  private readonly listeners = new Set<() => void>();
  /** Torrents whose rows are built again at the next refresh (changed since the last one). */
  private readonly rowsToRebuild = new Set<string>();
  private structureChanged = true;
  private globalChanged = true;
  private logChanged = false;
  private readonly scrapes = new Map<string, Map<string, ScrapeResult>>();
  /** The rows of the current snapshot by info-hash. */
  private rowByHash = new Map<string, TorrentRow>();
  private logEntries: LogEntry[] = [];
  private nextLogId = 1;
  private detailHash?: string;
  private detailChanged = false;
  private freeDisk?: number;
  private dhtNodes?: number;
  private timer?: NodeJS.Timeout;
  private soonTimer?: NodeJS.Timeout;
  private diskTimer?: NodeJS.Timeout;
  private lastRefreshAt = 0;
  /** How long the last published snapshot took to build (ms): soon() waits ten times that, so urgent refreshes stay under ~10% of a core. */
  private lastRefreshCost = 0;
  private readonly refreshMs: number;
  private readonly soonMs: number;
  private readonly logLimit: number;
  private readonly unsubscribe: () => void;

  constructor(
    readonly service: TorrentService,
    private readonly options: StoreOptions = {},
  ) {
    this.refreshMs = options.refreshMs ?? 500;
    this.soonMs = options.soonMs ?? 40;
    this.logLimit = options.logLimit ?? 500;
    this.snapshot = { version: 0, torrents: [], global: this.globalStats([]), log: [] };
    const onAdded = (ref: TorrentRef) => {
      this.rowsToRebuild.add(ref.hash);
      this.structureChanged = true;
      this.soon();
    };
    const onChanged = (ref: TorrentRef, kind: ChangeKind) => {
      this.rowsToRebuild.add(ref.hash);
      if (kind === 'state' || kind === 'settings') this.soon();
    };
    const onRemoved = (ref: TorrentRef) => {
      this.scrapes.delete(ref.hash);
      this.rowsToRebuild.add(ref.hash);
      this.structureChanged = true;
      this.soon();
    };
    const onGlobal = () => {
      this.globalChanged = true;
      this.soon();
    };
    const onLog = (level: ServiceLogLevel, text: string) => this.log(level, text);
    service.on('torrent-added', onAdded);
    service.on('torrent-changed', onChanged);
    service.on('torrent-removed', onRemoved);
    service.on('global-changed', onGlobal);
    service.on('log', onLog);
    this.unsubscribe = () => {
      service.off('torrent-added', onAdded);
      service.off('torrent-changed', onChanged);
      service.off('torrent-removed', onRemoved);
      service.off('global-changed', onGlobal);
      service.off('log', onLog);
    };
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
    clearTimeout(this.soonTimer);
    this.timer = undefined;
    this.diskTimer = undefined;
    this.soonTimer = undefined;
    this.unsubscribe();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): Snapshot => this.snapshot;

  /** Which torrent's detail (peers, trackers, files, pieces) the snapshot should carry. */
  focus(hash: string | undefined): void {
    if (hash === this.detailHash) return;
    this.detailHash = hash;
    this.detailChanged = true;
    this.refresh();
  }

  /** A scrape's result for the Trackers tab (scraping is a display matter: the controller does it). */
  setScrape(hash: string, url: string, result: ScrapeResult): void {
    let perUrl = this.scrapes.get(hash);
    if (!perUrl) this.scrapes.set(hash, (perUrl = new Map()));
    perUrl.set(url, result);
    this.rowsToRebuild.add(hash);
    this.soon();
  }

  log(level: LogLevel, text: string): void {
    this.logEntries.push({ id: this.nextLogId++, at: Date.now(), level, text: printable(text) });
    if (this.logEntries.length > this.logLimit) this.logEntries = this.logEntries.slice(-this.logLimit);
    this.logChanged = true;
    this.soon();
  }

  /** Publishes within soonMs (coalescing whatever else arrives meanwhile); the periodic timer covers traffic. */
  private soon(): void {
    if (this.soonTimer) return;
    const wait = Math.max(0, this.lastRefreshAt + Math.max(this.soonMs, 10 * this.lastRefreshCost) - Date.now());
    this.soonTimer = setTimeout(() => {
      this.soonTimer = undefined;
      this.refresh();
    }, wait);
    this.soonTimer.unref();
  }

  /** Builds and publishes a new snapshot if anything changed; returns whether it did. */
  refresh(): boolean {
    const started = performance.now();
    this.lastRefreshAt = Date.now();
    const dhtNodes = this.service.session.dht?.nodeCount();
    if (dhtNodes !== this.dhtNodes) {
      this.dhtNodes = dhtNodes;
      this.globalChanged = true;
    }
    const detailStale = this.detailHash !== undefined && (this.detailChanged || this.rowsToRebuild.has(this.detailHash));
    if (!this.structureChanged && this.rowsToRebuild.size === 0 && !this.globalChanged && !this.logChanged && !detailStale) return false;
    const previous = this.rowByHash;
    let changed = this.structureChanged || this.logChanged || detailStale || this.globalChanged;
    const rows: TorrentRow[] = [];
    for (const ref of this.service.list()) {
      const old = previous.get(ref.hash);
      if (old && !this.rowsToRebuild.has(ref.hash)) {
        rows.push(old);
        continue;
      }
      const summary = this.service.summary(ref.hash);
      if (!summary) continue;
      const row = rowFor(summary);
      if (old && sameRow(old, row)) {
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
    this.rowsToRebuild.clear();
    this.structureChanged = false;
    this.logChanged = false;
    this.detailChanged = false;
    this.globalChanged = false;
    if (!changed) return false;
    const global = this.globalStats(rows);
    let detail = this.snapshot.detail;
    if (this.detailHash === undefined) detail = undefined;
    else if (detailStale || detail?.infoHash !== this.detailHash)
      detail = buildDetail(this.service, this.detailHash, this.scrapes.get(this.detailHash));
    this.snapshot = {
      version: this.snapshot.version + 1,
      torrents: sameRows ? old : rows,
      global: sameGlobal(this.snapshot.global, global) ? this.snapshot.global : global,
      log: this.logEntries === this.snapshot.log ? this.snapshot.log : this.logEntries.slice(),
      detail,
    };
    for (const listener of this.listeners) listener();
    this.lastRefreshCost = performance.now() - started;
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
    const settings = this.service.settings();
    return {
      downloadRate,
      uploadRate,
      downloadLimit: settings.limits.download,
      uploadLimit: settings.limits.upload,
      connections,
      port: this.service.session.port,
      freeDisk: this.freeDisk,
      downloadDirectory: settings.downloadDirectory,
      dhtNodes: this.dhtNodes,
      maxActiveDownloads: settings.maxActiveDownloads,
      seedRatioLimit: settings.seedRatioLimit,
      seedIdleLimit: settings.seedIdleLimit,
    };
  }

  private async measureDisk(): Promise<void> {
    let dir = this.service.settings().downloadDirectory;
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

  /** Measures free space again (the download directory changed). */
  remeasureDisk(): void {
    void this.measureDisk();
  }
}

function sameGlobal(a: GlobalStats, b: GlobalStats): boolean {
  for (const key in a) if (a[key as keyof GlobalStats] !== b[key as keyof GlobalStats]) return false;
  return true;
}
