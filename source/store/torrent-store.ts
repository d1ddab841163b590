import { printable } from '../format/text.js';
import type { ScrapeResult } from './detail.js';
import { rowKey, sameRow, splitKey } from './row.js';
import type { SourceGlobal, TorrentSource } from './source.js';
import { SpeedHistory } from './speed-history.js';
import { globalStats, sameGlobal } from './global-stats.js';
import type { LogEntry, LogLevel, RowReplacements, Snapshot, TorrentRow } from './types.js';

/**
 * Rows built again in one refresh at most (~5 µs each): when every torrent changes at once (10,000
 * starting), the rest are built in the refreshes that follow, soon, so that no refresh holds a
 * key for long.
 */
export const REBUILD_BUDGET = 1000;

export interface StoreOptions {
  /** Snapshots are published at most this often from traffic and progress. */
  refreshMs?: number;
  /** A change a user should see at once (an action's result, a log line) is published within this long (longer when snapshots are costly to build). */
  soonMs?: number;
  /** How often free disk space is measured; 0 = never. */
  diskIntervalMs?: number;
  logLimit?: number;
  /** How often rates are sampled for the speed graph; 0 = never (tests sample by hand). */
  speedSampleMs?: number;
}

/**
 * The TUI's read model: its sources' events -> immutable snapshots. Events only note which rows
 * to rebuild; a timer turns those into new rows at a bounded rate (unchanged rows keep
 * their identity), so a busy engine costs the UI a few snapshots a second at most, and an
 * idle one none. Changes other than traffic (states, settings, added, removed, the log) are
 * published soon after they happen, coalesced. React reads it through subscribe/getSnapshot
 * (useSyncExternalStore). Actions go to the sources (through the controller), never through here.
 *
 * Several sources (the in-process session, remote daemons) make one list: a remote host's rows
 * carry its name and a key 'HOST/HASH'; the in-process session's rows are keyed by info-hash.
 */
export class TorrentStore {
  readonly sources: readonly TorrentSource[];
  private snapshot: Snapshot;
  private readonly listeners = new Set<() => void>();
  /** Rows (by key) built again at the next refresh (changed since the last one). */
  private readonly rowsToRebuild = new Set<string>();
  private structureChanged = true;
  private globalChanged = true;
  private logChanged = false;
  private readonly scrapes = new Map<string, Map<string, ScrapeResult>>();
  /** Where each row of the current snapshot is in its list, by key. */
  private indexByKey = new Map<string, number>();
  private logEntries: LogEntry[] = [];
  private nextLogId = 1;
  private detailKey?: string;
  private detailChanged = false;
  private timer?: NodeJS.Timeout;
  private soonTimer?: NodeJS.Timeout;
  private restTimer?: NodeJS.Timeout;
  private speedTimer?: NodeJS.Timeout;
  readonly speeds: SpeedHistory;
  private speedsChanged = false;
  private lastRefreshAt = 0;
  /** How long the last published snapshot took to build and draw (ms): soon() waits ten times that (at most the refresh interval), so urgent refreshes stay under ~10% of a core. */
  private lastRefreshCost = 0;
  private lastGlobals: SourceGlobal[] = [];
  private lastOnline: boolean[] = [];
  private readonly refreshMs: number;
  private readonly soonMs: number;
  private readonly logLimit: number;
  private readonly speedSampleMs: number;
  private readonly unsubscribe: (() => void)[] = [];
  /** Show a Host column and per-host totals: more than one source, or any remote one. */
  readonly multiHost: boolean;

  constructor(sources: TorrentSource | readonly TorrentSource[], options: StoreOptions = {}) {
    this.sources = Array.isArray(sources) ? sources : [sources as TorrentSource];
    this.refreshMs = options.refreshMs ?? 500;
    this.soonMs = options.soonMs ?? 40;
    this.logLimit = options.logLimit ?? 500;
    this.speeds = new SpeedHistory(150, options.speedSampleMs || 2000);
    this.speedSampleMs = options.speedSampleMs ?? 2000;
    this.multiHost = this.sources.length > 1 || this.sources.some((s) => s.host !== undefined);
    this.snapshot = { version: 0, torrents: [], global: globalStats([], this.sources, this.lastGlobals, this.multiHost), log: [] };
    for (const source of this.sources) {
      const prefix = source.host === undefined ? '' : `${source.host}: `;
      this.unsubscribe.push(
        source.listen({
          changed: (hash, soon) => {
            this.rowsToRebuild.add(keyFor(source, hash));
            if (soon) this.soon();
          },
          structure: () => {
            this.structureChanged = true;
            this.soon();
          },
          global: () => {
            this.globalChanged = true;
            this.soon();
          },
          log: (level, text) => this.log(level, prefix + text),
        }),
      );
    }
    this.refresh();
  }

  /** Starts the refresh timer and the sources (disk space, polling). Tests may call refresh() by hand instead. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.refresh(), this.refreshMs);
    this.timer.unref();
    if (this.speedSampleMs > 0) {
      this.speedTimer = setInterval(() => this.sampleSpeeds(), this.speedSampleMs);
      this.speedTimer.unref();
    }
    for (const source of this.sources) source.start();
  }

  /** One sample of every row's rates and the totals for the speed graph (the store's timer calls it). */
  sampleSpeeds(): void {
    const { torrents, global } = this.snapshot;
    let changed = this.speeds.record('', global.downloadRate, global.uploadRate);
    for (const row of torrents) {
      const key = row.key ?? row.infoHash;
      if (this.speeds.record(key, row.downloadRate, row.uploadRate) && key === this.detailKey) changed = true;
    }
    this.speeds.retain((key) => key === '' || this.indexByKey.has(key));
    if (!changed) return;
    this.speedsChanged = true;
    this.soon();
  }

  stop(): void {
    clearInterval(this.timer);
    clearInterval(this.speedTimer);
    clearTimeout(this.soonTimer);
    clearTimeout(this.restTimer);
    this.timer = undefined;
    this.soonTimer = undefined;
    for (const source of this.sources) source.stop();
    for (const off of this.unsubscribe) off();
    this.unsubscribe.length = 0;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): Snapshot => this.snapshot;

  /** The source a row's key belongs to, and the torrent's info-hash there. */
  sourceFor(key: string): { source: TorrentSource; hash: string } | undefined {
    const { host, hash } = splitKey(key);
    const source = this.sources.find((s) => s.host === host);
    return source ? { source, hash } : undefined;
  }

  /** Which torrent's detail (peers, trackers, files, pieces) the snapshot should carry, by row key. */
  focus(key: string | undefined): void {
    if (key === this.detailKey) return;
    const before = this.detailKey === undefined ? undefined : this.sourceFor(this.detailKey);
    const after = key === undefined ? undefined : this.sourceFor(key);
    if (before && before.source !== after?.source) before.source.focus(undefined);
    after?.source.focus(after.hash);
    this.detailKey = key;
    this.detailChanged = true;
    this.refresh();
  }

  /** A scrape's result for the Trackers tab (scraping is a display matter: the controller does it). */
  setScrape(key: string, url: string, result: ScrapeResult): void {
    let perUrl = this.scrapes.get(key);
    if (!perUrl) this.scrapes.set(key, (perUrl = new Map()));
    perUrl.set(url, result);
    this.rowsToRebuild.add(key);
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
    const spacing = Math.min(this.refreshMs, Math.max(this.soonMs, 10 * this.lastRefreshCost));
    const wait = Math.max(0, this.lastRefreshAt + spacing - Date.now());
    this.soonTimer = setTimeout(() => {
      this.soonTimer = undefined;
      this.refresh();
    }, wait);
    this.soonTimer.unref();
  }

  /** Builds and publishes a new snapshot if anything changed; returns whether it did. */
  refresh(): boolean {
    const published = this.publish();
    // Rows past one refresh's budget: built in the next one, a short turn later (keys and frames between).
    if (this.rowsToRebuild.size > 0 && !this.restTimer) {
      this.restTimer = setTimeout(() => {
        this.restTimer = undefined;
        this.refresh();
      }, this.soonMs);
      this.restTimer.unref();
    }
    return published;
  }

  private publish(): boolean {
    const started = performance.now();
    this.lastRefreshAt = Date.now();
    const globals = this.sources.map((s) => s.global());
    const online = this.sources.map((s) => s.status().online);
    if (globals.some((g, i) => !this.lastGlobals[i] || !sameGlobal(g, this.lastGlobals[i]!))) this.globalChanged = true;
    // A host going offline or back dims or lights all its rows.
    const flipped = online.some((o, i) => o !== this.lastOnline[i]);
    if (flipped) this.structureChanged = true;
    this.lastGlobals = globals;
    this.lastOnline = online;
    const detailStale = this.detailKey !== undefined && (this.detailChanged || this.rowsToRebuild.has(this.detailKey));
    const speedsStale = this.speedsChanged || this.detailChanged;
    if (!this.structureChanged && this.rowsToRebuild.size === 0 && !this.globalChanged && !this.logChanged && !detailStale && !speedsStale)
      return false;
    const structure = this.structureChanged;
    let changed = structure || this.logChanged || detailStale || this.globalChanged || speedsStale;
    this.structureChanged = false;
    this.logChanged = false;
    this.detailChanged = false;
    this.globalChanged = false;
    this.speedsChanged = false;
    const old = this.snapshot.torrents;
    let rows: readonly TorrentRow[] = old;
    let replaced: RowReplacements | undefined;
    // Only some rows changed: those are rebuilt where they are, without walking the list.
    const some = structure ? undefined : this.rebuildChanged(online);
    if (some) {
      if (some.changes.length > 0) {
        rows = some.rows;
        replaced = { previous: old, changes: some.changes };
      }
    } else {
      const all = this.rebuildAll(online);
      // Only the status line or the log changed: the same rows array, so the list is not filtered and sorted again.
      if (all.length !== old.length || all.some((row, i) => row !== old[i])) rows = all;
    }
    if (rows !== old) {
      changed = true;
      if (!replaced) this.indexByKey = new Map(rows.map((row, i) => [rowKey(row), i]));
    }
    if (!changed) return false;
    const global = globalStats(rows, this.sources, this.lastGlobals, this.multiHost);
    let detail = this.snapshot.detail;
    if (this.detailKey === undefined) detail = undefined;
    else if (detailStale || (detail?.key ?? detail?.infoHash) !== this.detailKey) {
      const found = this.sourceFor(this.detailKey);
      const built = found?.source.detail(found.hash, this.scrapes.get(this.detailKey));
      detail = built && found?.source.host !== undefined ? { ...built, key: this.detailKey } : built;
    }
    this.snapshot = {
      version: this.snapshot.version + 1,
      torrents: rows,
      ...(replaced ? { replaced } : {}),
      global: sameGlobal(this.snapshot.global, global) ? this.snapshot.global : global,
      log: this.logEntries === this.snapshot.log ? this.snapshot.log : this.logEntries.slice(),
      detail,
      speeds: speedsStale
        ? { total: this.speeds.series(''), detail: this.detailKey === undefined ? undefined : this.speeds.series(this.detailKey) }
        : this.snapshot.speeds,
    };
    for (const listener of this.listeners) listener();
    this.lastRefreshCost = performance.now() - started;
    // React renders the snapshot in a microtask queued by its listener (and Ink draws the frame
    // there): the cost soon() paces by is the snapshot's and its frame's. Only building it was
    // counted before, which at 10,000 rows let frames come 25 times a second while torrents opened.
    queueMicrotask(() => (this.lastRefreshCost = performance.now() - started));
    return true;
  }

  /** A source's row as the list shows it: with its host, key and offline mark for a remote one. */
  private buildRow(source: TorrentSource, hash: string, key: string, offline: boolean): TorrentRow | undefined {
    const built = source.row(hash);
    if (!built || source.host === undefined) return built;
    return { ...built, host: source.host, key, ...(offline ? { offline: true } : {}) };
  }

  /**
   * The rows marked for rebuilding, up to the budget, replaced in a copy of the list; undefined
   * when one of them is not listed (added meanwhile: the list is read again).
   */
  private rebuildChanged(online: readonly boolean[]): { rows: TorrentRow[]; changes: { index: number; before: TorrentRow }[] } | undefined {
    const old = this.snapshot.torrents;
    const keys: string[] = [];
    for (const key of this.rowsToRebuild) {
      if (keys.length >= REBUILD_BUDGET) break;
      if (!this.indexByKey.has(key)) return undefined;
      keys.push(key);
    }
    let rows: TorrentRow[] | undefined;
    const changes: { index: number; before: TorrentRow }[] = [];
    for (const key of keys) {
      this.rowsToRebuild.delete(key);
      const found = this.sourceFor(key);
      const index = this.indexByKey.get(key)!;
      const before = old[index]!;
      const row = found && this.buildRow(found.source, found.hash, key, !online[this.sources.indexOf(found.source)]);
      if (!row) {
        // Gone from its source: the list is read again next time.
        this.structureChanged = true;
        this.rowsToRebuild.add(key);
        continue;
      }
      if (sameRow(before, row)) continue;
      rows ??= old.slice();
      rows[index] = row;
      changes.push({ index, before });
    }
    return { rows: rows ?? (old as TorrentRow[]), changes };
  }

  /** Every source's list read again; rows not marked for rebuilding (or past the budget) kept as they are. */
  private rebuildAll(online: readonly boolean[]): TorrentRow[] {
    const old = this.snapshot.torrents;
    const rows: TorrentRow[] = [];
    let budget = REBUILD_BUDGET;
    this.sources.forEach((source, i) => {
      const offline = !online[i];
      for (const hash of source.hashes()) {
        const key = keyFor(source, hash);
        const index = this.indexByKey.get(key);
        const before = index === undefined ? undefined : old[index];
        const sameMark = before !== undefined && (before.offline === true) === offline;
        if (before && sameMark && (!this.rowsToRebuild.has(key) || budget <= 0)) {
          rows.push(before);
          continue;
        }
        budget--;
        this.rowsToRebuild.delete(key);
        const row = this.buildRow(source, hash, key, offline);
        if (!row) continue;
        rows.push(before && sameRow(before, row) ? before : row);
      }
    });
    // Marks for torrents no longer listed.
    if (this.rowsToRebuild.size > 0) {
      const listed = new Set(rows.map(rowKey));
      for (const key of this.rowsToRebuild) if (!listed.has(key)) this.rowsToRebuild.delete(key);
    }
    return rows;
  }
}

function keyFor(source: TorrentSource, hash: string): string {
  return source.host === undefined ? hash : `${source.host}/${hash}`;
}
