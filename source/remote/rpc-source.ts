import type { ScrapeResult } from '../store/detail.js';
import type {
  AddInput,
  GlobalSeedGoals,
  SeedGoalPatch,
  SourceGlobal,
  SourceListener,
  SourceRow,
  SourceStatus,
  TorrentSource,
} from '../store/source.js';
import type { TorrentDetail } from '../store/types.js';
import {
  DETAIL_FIELDS,
  detailFromRpc,
  filePriorityArgs,
  globalFromRpc,
  ROW_FIELDS,
  rowFromRpc,
  SESSION_FIELDS,
  type Raw,
} from './fields.js';
import { HostRows } from './host-rows.js';
import { RpcClient, type RpcCaller, type RpcClientOptions } from './rpc-client.js';
import { addArgs, globalLimitArgs, labelsRefusal, globalSeedGoalArgs, seedGoalArgs, torrentLimitArgs, withScrapes } from './rpc-args.js';

export type { RpcCaller } from './rpc-client.js';

export interface RpcSourceOptions {
  /** How often the recently active torrents are fetched. */
  pollMs?: number;
  /** How often the whole list is fetched again (anything a recently-active poll missed). */
  fullEveryMs?: number;
  /** How often session-get is asked (limits, free space, port). */
  sessionEveryMs?: number;
  /** Reconnect waits, doubling from the first to the last. */
  backoffMs?: readonly [number, number];
  timeoutMs?: number;
  client?: RpcCaller;
}

/** How long a torrent acted on is fetched by id, and its expected state kept over disagreeing answers. */
const TOUCHED_MS = 15_000;
const PAUSED: ReadonlySet<SourceRow['state']> = new Set(['paused']);
const RUNNING: ReadonlySet<SourceRow['state']> = new Set(['downloading', 'seeding', 'queued', 'checking', 'metadata', 'error']);
const CONNECTING: SourceStatus = { online: false, reason: 'connecting' };
const NO_GLOBAL: SourceGlobal = { downloadLimit: 0, uploadLimit: 0, port: 0, downloadDirectory: '', maxActiveDownloads: 0 };

/**
 * A Transmission-RPC daemon (transmission-daemon, another btui) as a source. Reads answer from
 * what the last poll brought; polls fetch only `recently-active` torrents (the whole list once
 * at connect and now and then), so a host with 10,000 idle torrents costs a few small answers.
 * A failed poll marks the host offline (its rows stay, dimmed) and retries with backoff; the
 * first answer after that fetches everything again (ids may have changed with a restart).
 * Actions are requests of their own, never queued behind a poll; the torrent they touched is
 * fetched by id as soon as they are answered.
 */
export class RpcSource implements TorrentSource {
  readonly host: string;
  private readonly client: RpcCaller;
  private readonly rows = new HostRows();
  private globalValue: SourceGlobal = NO_GLOBAL;
  private statusValue: SourceStatus = CONNECTING;
  private focused?: string;
  private detailValue?: TorrentDetail;
  private readonly listeners = new Set<SourceListener>();
  private timer?: NodeJS.Timeout;
  private running = false;
  private polling = false;
  private pollAgain = false;
  private synced = false;
  private lastFull = 0;
  private lastSession = 0;
  private failures = 0;
  /** The daemon's rpc-version (session-get); labels came with 16 (Transmission 3.00). */
  private rpcVersion?: number;
  private readonly pollMs: number;
  private readonly fullEveryMs: number;
  private readonly sessionEveryMs: number;
  private readonly backoff: readonly [number, number];

  constructor(name: string, client: RpcClientOptions | RpcCaller, options: RpcSourceOptions = {}) {
    this.host = name;
    this.client = 'call' in client ? client : new RpcClient({ timeoutMs: options.timeoutMs, ...client });
    this.pollMs = options.pollMs ?? 2000;
    this.fullEveryMs = options.fullEveryMs ?? 60_000;
    this.sessionEveryMs = options.sessionEveryMs ?? 10_000;
    this.backoff = options.backoffMs ?? [1000, 30_000];
  }

  listen(listener: SourceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.client.close();
  }

  hashes(): Iterable<string> {
    return this.rows.hashes();
  }

  row(hash: string): SourceRow | undefined {
    return this.rows.get(hash)?.row;
  }

  global(): SourceGlobal {
    return this.globalValue;
  }

  status(): SourceStatus {
    return this.statusValue;
  }

  focus(hash: string | undefined): void {
    if (hash === this.focused) return;
    this.focused = hash;
    this.detailValue = undefined;
    if (hash !== undefined) this.pollSoon();
  }

  detail(hash: string, _scrapes?: ReadonlyMap<string, ScrapeResult>): TorrentDetail | undefined {
    const detail = this.detailValue;
    if (!detail || detail.infoHash !== hash) return undefined;
    return _scrapes ? withScrapes(detail, _scrapes) : detail;
  }

  /** The next poll now (or right after the one under way). */
  pollSoon(): void {
    if (!this.running) return;
    if (this.polling) this.pollAgain = true;
    else if (this.statusValue.online) this.schedule(0);
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.poll(), ms);
    this.timer.unref();
  }

  private emit(fn: (l: SourceListener) => void): void {
    for (const listener of this.listeners) fn(listener);
  }

  private async poll(): Promise<void> {
    if (!this.running || this.polling) return;
    this.polling = true;
    let next = this.pollMs;
    try {
      await this.pollOnce();
      this.failures = 0;
      if (!this.statusValue.online) {
        this.setStatus({ online: true }, 'info', this.statusValue.reason === 'connecting' ? 'connected' : 'back online');
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.synced = false;
      this.failures++;
      next = Math.min(this.backoff[1], this.backoff[0] * 2 ** (this.failures - 1));
      if (this.statusValue.online || this.statusValue.reason !== reason) {
        this.setStatus({ online: false, reason }, 'error', `offline: ${reason} (retrying)`);
      }
    }
    this.polling = false;
    if (!this.running) return;
    if (this.pollAgain && this.statusValue.online) next = 0;
    this.pollAgain = false;
    this.schedule(next);
  }

  /** Online or offline: every row's look and the status bar change, and the log says so. */
  private setStatus(status: SourceStatus, level: 'info' | 'error', text: string): void {
    this.statusValue = status;
    this.emit((l) => l.log(level, text));
    this.emit((l) => l.structure());
    this.emit((l) => l.global());
  }

  private async pollOnce(): Promise<void> {
    const now = Date.now();
    if (!this.synced || now - this.lastFull >= this.fullEveryMs) {
      const args = await this.client.call<{ torrents?: Raw[] }>('torrent-get', { fields: ROW_FIELDS });
      this.replaceAll(args.torrents ?? []);
      this.synced = true;
      this.lastFull = now;
      this.rows.untouchAll();
    } else {
      const args = await this.client.call<{ torrents?: Raw[]; removed?: unknown[] }>('torrent-get', {
        ids: 'recently-active',
        fields: ROW_FIELDS,
      });
      this.apply(args.torrents ?? [], args.removed ?? []);
      const ids = this.rows.touchedIds(now);
      if (ids.length > 0) {
        const again = await this.client.call<{ torrents?: Raw[] }>('torrent-get', { ids, fields: ROW_FIELDS });
        const found = again.torrents ?? [];
        // A touched torrent the daemon no longer has was removed.
        const gone = ids.filter((id) => !found.some((t) => t.id === id));
        for (const id of gone) this.rows.untouch(id);
        this.apply(found, gone);
      }
    }
    if (!this.synced || now - this.lastSession >= this.sessionEveryMs || this.globalValue === NO_GLOBAL) {
      const session = await this.client.call<Raw>('session-get', { fields: SESSION_FIELDS });
      this.lastSession = now;
      this.rpcVersion = typeof session['rpc-version'] === 'number' ? session['rpc-version'] : undefined;
      this.globalValue = globalFromRpc(session);
      this.emit((l) => l.global());
    }
    const focused = this.focused;
    const entry = focused === undefined ? undefined : this.rows.get(focused);
    if (focused !== undefined && entry) {
      const args = await this.client.call<{ torrents?: Raw[] }>('torrent-get', { ids: [entry.id], fields: DETAIL_FIELDS });
      const raw = args.torrents?.[0];
      if (raw && this.focused === focused) {
        this.detailValue = detailFromRpc(raw);
        this.emit((l) => l.changed(focused, false));
      }
    }
  }

  private replaceAll(torrents: Raw[]): void {
    const seen = new Set<string>();
    for (const t of torrents) {
      const row = rowFromRpc(t);
      seen.add(row.infoHash);
      this.rows.put(typeof t.id === 'number' ? t.id : -1, row);
    }
    this.rows.keepOnly(seen);
    this.rows.reorder();
    this.emit((l) => l.structure());
  }

  private apply(torrents: Raw[], removed: unknown[]): void {
    let structure = false;
    for (const t of torrents) {
      const row = rowFromRpc(t);
      if (!this.rows.has(row.infoHash)) structure = true;
      this.rows.put(typeof t.id === 'number' ? t.id : -1, row);
      this.emit((l) => l.changed(row.infoHash, false));
    }
    for (const id of removed) {
      const hash = typeof id === 'number' ? this.rows.hashOf(id) : undefined;
      if (hash !== undefined) {
        this.rows.drop(hash);
        structure = true;
      }
    }
    if (structure) {
      this.rows.reorder();
      this.emit((l) => l.structure());
    }
  }

  /**
   * A call about one torrent, its expected result shown at once (`patch`) and taken back if the
   * call fails; the torrent is fetched again once it is answered.
   */
  private async act(hash: string, method: string, args: Record<string, unknown> = {}, patch?: Partial<SourceRow>): Promise<void> {
    const id = this.rows.idOf(hash);
    const before = this.rows.get(hash)?.row;
    if (patch) this.optimistic(hash, patch);
    try {
      await this.client.call(method, { ids: [id], ...args });
    } catch (error) {
      const entry = this.rows.get(hash);
      if (patch && before && entry) {
        entry.row = before;
        this.emit((l) => l.changed(hash, true));
      }
      throw error;
    } finally {
      this.rows.touch(id, Date.now() + TOUCHED_MS);
      this.pollSoon();
    }
  }

  /** Shows a state at once, before the host answers (the next poll has the last word). */
  private optimistic(hash: string, patch: Partial<SourceRow>): void {
    const entry = this.rows.get(hash);
    if (!entry) return;
    entry.row = { ...entry.row, ...patch };
    this.emit((l) => l.changed(hash, true));
  }

  async add(input: AddInput, options: { directory?: string } = {}): Promise<string | undefined> {
    const answer = await this.client.call<{ 'torrent-added'?: Raw; 'torrent-duplicate'?: Raw }>(
      'torrent-add',
      addArgs(input, options.directory),
    );
    const added = answer['torrent-added'] ?? answer['torrent-duplicate'];
    if (answer['torrent-duplicate']) this.emit((l) => l.log('info', `already there: ${String(added?.name ?? '')}`));
    if (added && typeof added.id === 'number') this.rows.touch(added.id, Date.now() + TOUCHED_MS);
    this.pollSoon();
    return typeof added?.hashString === 'string' ? added.hashString.toLowerCase() : undefined;
  }

  toggle(hash: string): Promise<void> {
    const row = this.rows.get(hash)?.row;
    const start = row?.state === 'paused' || row?.state === 'error';
    this.rows.expect(hash, start ? RUNNING : PAUSED, Date.now() + TOUCHED_MS);
    const patch = { state: start ? 'queued' : 'paused', downloadRate: 0, uploadRate: 0 } as const;
    return this.act(hash, start ? 'torrent-start' : 'torrent-stop', {}, patch).catch((error: unknown) => {
      this.rows.unexpect(hash);
      throw error;
    });
  }

  verify(hash: string): Promise<void> {
    return this.act(hash, 'torrent-verify', {}, { state: 'checking', checkProgress: 0 });
  }

  async remove(hash: string, deleteData: boolean): Promise<void> {
    await this.act(hash, 'torrent-remove', { 'delete-local-data': deleteData });
    this.rows.drop(hash);
    this.emit((l) => l.structure());
  }

  reannounce(hash: string): Promise<void> {
    return this.act(hash, 'torrent-reannounce');
  }

  setPriority(hash: string, priority: number): Promise<void> {
    return this.act(hash, 'torrent-set', { bandwidthPriority: priority - 2 }, { priority });
  }

  setFilePriority(hash: string, fileIndex: number, priority: number): Promise<void> {
    const detail = this.detailValue;
    if (detail?.infoHash === hash) {
      this.detailValue = { ...detail, files: detail.files.map((f) => (f.index === fileIndex ? { ...f, priority } : f)) };
      this.emit((l) => l.changed(hash, true));
    }
    return this.act(hash, 'torrent-set', filePriorityArgs(fileIndex, priority));
  }

  setLabels(hash: string, labels: readonly string[]): Promise<void> {
    const refusal = labelsRefusal(this.rpcVersion);
    if (refusal) return Promise.reject(new Error(refusal));
    return this.act(hash, 'torrent-set', { labels }, { labels });
  }

  setTorrentLimits(hash: string, limits: { download?: number; upload?: number }): Promise<void> {
    const { args, patch } = torrentLimitArgs(limits);
    return this.act(hash, 'torrent-set', args, patch);
  }

  setSeedGoals(hash: string, goals: SeedGoalPatch): Promise<void> {
    return this.act(hash, 'torrent-set', seedGoalArgs(goals), goals);
  }

  async move(hash: string, directory: string): Promise<boolean> {
    await this.act(hash, 'torrent-set-location', { location: directory, move: true });
    return true;
  }

  async setGlobalLimits(limits: { download?: number; upload?: number }): Promise<void> {
    const before = this.globalValue;
    const { args, global } = globalLimitArgs(limits, before);
    this.globalValue = global;
    await this.sessionSetShown(args, before);
  }

  async setGlobalSeedGoals(goals: GlobalSeedGoals): Promise<void> {
    const before = this.globalValue;
    const { args, global } = globalSeedGoalArgs(goals, before);
    this.globalValue = global;
    await this.sessionSetShown(args, before);
  }

  /** Sends a session-set whose effect is already shown; a refusal puts back what was shown before. */
  private async sessionSetShown(args: Record<string, unknown>, before: typeof this.globalValue): Promise<void> {
    this.emit((l) => l.global());
    try {
      await this.client.call('session-set', args);
    } catch (error) {
      this.globalValue = before;
      this.emit((l) => l.global());
      throw error;
    }
    this.lastSession = 0;
    this.pollSoon();
  }

  async setAltSpeed(enabled: boolean): Promise<void> {
    this.globalValue = { ...this.globalValue, altSpeedEnabled: enabled };
    this.emit((l) => l.global());
    await this.client.call('session-set', { 'alt-speed-enabled': enabled });
    this.lastSession = 0;
    this.pollSoon();
  }
}
