import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { createTorrent } from '../engine/metainfo/create-torrent.js';
import { magnetURI } from '../engine/metainfo/magnet.js';
import { parseMetainfo } from '../engine/metainfo/metainfo.js';
import { scrape } from '../engine/discovery/tracker/index.js';
import { describeError } from '../errors.js';
import { formatRate } from '../format/duration.js';
import type { GoalMode } from '../service/types.js';
import { metainfoSummary } from '../format/metainfo-summary.js';
import { printable } from '../format/text.js';
import { classifyAddInput, expandPath } from '../service/add-input.js';
import { nextLimit } from './limits.js';
import { LocalSource } from './local-source.js';
import { rowKey } from './row.js';
import type { GlobalSeedGoals, TorrentSource } from './source.js';
import { labelsText, limitsSummary, minutesText, seedGoalsSummary } from './torrent-input.js';
import type { TorrentStore } from './torrent-store.js';

/**
 * The TUI's keys as calls on the row's own source (the in-process session or a remote host),
 * plus what only the screen needs: the limit steps of [ ] { }, scrapes shown in the Trackers
 * tab, the `n` prompt's torrent making, the metainfo text. Results reach the screen through
 * the store (its rows and log), never as return values; the promises resolve for tests and
 * never reject (failures are logged). Torrents are named by row key (the info-hash for the
 * in-process session, 'HOST/HASH' for a remote host).
 */
export class Controller {
  private readonly local?: LocalSource;

  constructor(private readonly store: TorrentStore) {
    this.local = store.sources.find((s): s is LocalSource => s instanceof LocalSource);
  }

  /** Where the row lives, its info-hash there and its printable name; undefined (nothing done) for a row gone. */
  private target(key: string): { source: TorrentSource; hash: string; name: string } | undefined {
    const found = this.store.sourceFor(key);
    const row = found?.source.row(found.hash);
    return found && row ? { ...found, name: row.name } : undefined;
  }

  /** A source's failure as one log line (the in-process service logs its own). */
  private failed(source: TorrentSource, what: string, error: unknown): void {
    if (source.host !== undefined) this.store.log('error', `${source.host}: ${what}: ${describeError(error)}`);
  }

  /**
   * The add prompt: a path, http(s) URL, magnet or info-hash, to the host chosen in the prompt
   * (`hostIndex`, an index into the store's sources), else to the host of the row `key` names,
   * else to the first source. A local .torrent file goes to a remote host as its bytes.
   */
  async add(text: string, key?: string, hostIndex?: number): Promise<{ hash: string } | { error: string }> {
    const source =
      (hostIndex === undefined ? undefined : this.store.sources[hostIndex]) ??
      (key === undefined ? undefined : this.store.sourceFor(key)?.source) ??
      this.store.sources[0]!;
    // The in-process session says why in words (the add prompt opens again with it).
    if (source === this.local)
      return this.local.service.addExplained(text).catch((error: unknown) => ({ error: `cannot add: ${describeError(error)}` }));
    const input = classifyAddInput(text);
    try {
      let hash: string | undefined;
      if (source.host !== undefined && input.kind === 'file') {
        const torrent = await readFile(input.value);
        this.store.log('info', `sending ${printable(basename(input.value))} to ${source.host}`);
        hash = await source.add({ torrent, name: basename(input.value) });
      } else {
        if (source.host !== undefined) this.store.log('info', `adding to ${source.host}: ${printable(text.trim())}`);
        hash = await source.add({ text });
      }
      return hash === undefined ? { error: `cannot add ${printable(text.trim())}` } : { hash };
    } catch (error) {
      const line = `cannot add ${printable(text.trim())}${source.host ? ` to ${source.host}` : ''}: ${describeError(error)}`;
      this.store.log('error', line);
      return { error: line };
    }
  }

  /**
   * The settings screen: the seed goals for torrents on 'global' (null = none) of the host of
   * the row `key` names (the in-process session's are saved in session.json; a remote host's
   * go to it as session-set). Resolves once the host has answered; never rejects.
   */
  async setGlobalSeedGoals(goals: GlobalSeedGoals, key?: string): Promise<void> {
    const source = this.hostOf(key);
    if (!source) return;
    try {
      await source.setGlobalSeedGoals(goals);
    } catch (error) {
      this.failed(source, 'cannot set the global seed goals', error);
      return;
    }
    const now = source.global();
    const ratio = now.seedRatioLimit === undefined ? 'none' : String(now.seedRatioLimit);
    const idle = now.seedIdleLimit === undefined ? 'none' : minutesText(now.seedIdleLimit);
    this.store.log('info', `${source.host ? `${source.host}: ` : ''}global seed goals: ratio ${ratio}, idle ${idle}`);
  }

  /**
   * The host global settings act on: the row `key` names, else the in-process session; with
   * neither (only remote hosts and no row chosen) nothing, and a line saying to choose one.
   */
  private hostOf(key: string | undefined): TorrentSource | undefined {
    const source = (key === undefined ? undefined : this.store.sourceFor(key)?.source) ?? this.local;
    if (!source) this.store.log('warn', 'which host? select one of its torrents first');
    return source;
  }

  /** The torrent's magnet link, whole (in-process: from its metadata, else the link it was added by). */
  magnetOf(key: string): string | undefined {
    const found = this.store.sourceFor(key);
    if (!found) return undefined;
    if (found.source === this.local) return this.local.service.info(found.hash)?.magnet ?? this.local.service.summary(found.hash)?.magnet;
    return found.source.row(found.hash)?.magnet;
  }

  async toggle(key: string): Promise<void> {
    const t = this.target(key);
    if (t) await t.source.toggle(t.hash).catch((e: unknown) => this.failed(t.source, `cannot start or stop ${t.name}`, e));
  }

  async recheck(key: string): Promise<void> {
    const t = this.target(key);
    if (t) await t.source.verify(t.hash).catch((e: unknown) => this.failed(t.source, `cannot check ${t.name}`, e));
  }

  async remove(key: string, deleteData: boolean): Promise<void> {
    const t = this.target(key);
    if (t) await t.source.remove(t.hash, deleteData).catch((e: unknown) => this.failed(t.source, `cannot remove ${t.name}`, e));
  }

  announce(key: string): void {
    const t = this.target(key);
    if (t) void t.source.reannounce(t.hash).catch((e: unknown) => this.failed(t.source, `cannot announce ${t.name}`, e));
  }

  /** Scrapes every tracker of the torrent now; results go to the Trackers tab and the log. */
  async scrape(key: string): Promise<void> {
    const found = this.store.sourceFor(key);
    if (!found) return;
    const { source, hash } = found;
    let name: string;
    let urls: string[];
    if (source === this.local) {
      const info = this.local.service.info(hash);
      if (!info) {
        if (this.local.service.has(hash)) this.store.log('warn', `${this.local.service.summary(hash)?.name ?? hash} has no metadata yet`);
        return;
      }
      name = printable(info.name);
      urls = info.trackers.flat();
    } else {
      // A remote torrent's trackers are known once its detail has been fetched.
      const detail = this.store.getSnapshot().detail;
      const row = source.row(hash);
      if (!row) return;
      name = row.name;
      urls = detail && rowKey(detail) === key ? detail.trackers.map((t) => t.url) : [];
    }
    urls = [...new Set(urls)].filter((u) => /^(https?|udp):\/\//i.test(u));
    if (urls.length === 0) {
      this.store.log('warn', `${name} has no trackers to scrape`);
      return;
    }
    this.store.log('info', `scraping ${urls.length} tracker${urls.length === 1 ? '' : 's'} of ${name}`);
    const infoHash = Buffer.from(hash, 'hex');
    await Promise.all(
      urls.map(async (url) => {
        try {
          const result = (await scrape(url, [infoHash], { timeoutMs: 15_000 })).get(hash);
          if (!result) throw new Error('the tracker did not report this torrent');
          this.store.setScrape(key, url, { at: Date.now(), ...result });
          this.store.log(
            'info',
            `scrape ${printable(url)}: ${result.complete} seeders, ${result.incomplete} leechers, ${result.downloaded} completed`,
          );
        } catch (error) {
          this.store.setScrape(key, url, { at: Date.now(), error: describeError(error) });
          this.store.log('warn', `scrape ${printable(url)}: ${describeError(error)}`);
        }
      }),
    );
  }

  /** n: make a torrent of each path, seed it, log its magnet. Returns the magnets. Only the in-process session seeds what it makes. */
  async create(text: string): Promise<string[]> {
    const service = this.local?.service;
    if (!service) {
      this.store.log('warn', 'making torrents needs the local session (run btui with --local beside --connect)');
      return [];
    }
    const paths = text
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)
      .map((p) => expandPath(p));
    const magnets: string[] = [];
    for (const path of paths) {
      try {
        this.store.log('info', `hashing ${printable(path)}`);
        const made = await createTorrent({ path });
        const meta = parseMetainfo(made.torrent);
        await service.addMetainfo(meta, { directory: dirname(resolve(path)), seedMode: true });
        const port = service.session.port;
        const magnet = magnetURI({
          infoHash: meta.infoHash,
          name: meta.name,
          length: meta.contentLength ?? meta.length,
          peers: port ? [{ host: '127.0.0.1', port }] : [],
        });
        magnets.push(magnet);
        this.store.log('info', `seeding ${printable(meta.name)}: ${magnet}`);
      } catch (error) {
        this.store.log('error', `cannot create a torrent of ${printable(path)}: ${describeError(error)}`);
      }
    }
    return magnets;
  }

  /** + / - on a torrent: its priority (low, normal, high; in the in-process session, its place in the download queue). */
  changePriority(key: string, delta: 1 | -1): void {
    const t = this.target(key);
    const row = t?.source.row(t.hash);
    if (t && row) {
      const priority = Math.max(1, Math.min(3, row.priority + delta));
      void t.source.setPriority(t.hash, priority).catch((e: unknown) => this.failed(t.source, `cannot set the priority of ${t.name}`, e));
    }
  }

  /** + / - on a file: skip, normal, high. */
  changeFilePriority(key: string, fileIndex: number, delta: 1 | -1): void {
    const t = this.target(key);
    if (!t) return;
    const detail = this.store.getSnapshot().detail;
    const file =
      detail && rowKey(detail) === key
        ? detail.files.find((f) => f.index === fileIndex)
        : this.local && t.source === this.local
          ? this.local.service.files(t.hash)?.find((f) => f.index === fileIndex)
          : undefined;
    if (!file) return;
    const priority = Math.max(0, Math.min(2, file.priority + delta));
    if (priority === file.priority) return;
    void t.source
      .setFilePriority(t.hash, fileIndex, priority)
      .catch((e: unknown) => this.failed(t.source, `cannot set a file priority of ${t.name}`, e));
  }

  /** The source global keys act on: the in-process session when there is one, else the first host. */
  private primary(): TorrentSource {
    return this.local ?? this.store.sources[0]!;
  }

  /** [ ] { }: a global limit of the selected row's host one step down or up. */
  stepLimit(which: 'download' | 'upload', direction: 'up' | 'down', key?: string): void {
    const source = (key === undefined ? undefined : this.store.sourceFor(key)?.source) ?? this.primary();
    const global = this.store.getSnapshot().global;
    const own = source.global();
    const current = which === 'download' ? own.downloadLimit : own.uploadLimit;
    const value = nextLimit(current, direction, which === 'download' ? global.downloadRate : global.uploadRate);
    void source.setGlobalLimits({ [which]: value }).catch((e: unknown) => this.failed(source, `cannot set the ${which} limit`, e));
    this.store.log('info', `${source.host ? `${source.host}: ` : ''}${which} limit: ${value === 0 ? 'unlimited' : formatRate(value)}`);
  }

  /** A: turtle mode on or off on the selected row's host (the in-process session's without one). */
  toggleAltSpeed(key?: string): void {
    const source = (key === undefined ? undefined : this.store.sourceFor(key)?.source) ?? this.primary();
    const own = source.global();
    const on = !own.altSpeedEnabled;
    void source.setAltSpeed(on).catch((e: unknown) => this.failed(source, 'cannot switch turtle mode', e));
    const limit = (v: number | undefined) => (v ? formatRate(v) : 'unlimited');
    this.store.log(
      'info',
      `${source.host ? `${source.host}: ` : ''}turtle mode ${on ? `on: ↓ ${limit(own.altDownloadLimit)} ↑ ${limit(own.altUploadLimit)}` : 'off'}`,
    );
  }

  /** The settings screen's limits, on the host of the row `key` names (the in-process session without one). */
  async setLimits(limits: { download?: number; upload?: number }, key?: string): Promise<void> {
    const source = this.hostOf(key);
    if (!source) return;
    await source.setGlobalLimits(limits).catch((e: unknown) => this.failed(source, 'cannot set the limits', e));
  }

  /** L: the torrent's labels (an empty list clears them); saved before it resolves. */
  async setLabels(key: string, labels: string[]): Promise<void> {
    const t = this.target(key);
    if (!t) return;
    try {
      await t.source.setLabels(t.hash, labels);
      const now = t.source.row(t.hash)?.labels ?? labels;
      this.store.log('info', now.length === 0 ? `labels of ${t.name} cleared` : `labels of ${t.name}: ${labelsText(now)}`);
    } catch (error) {
      // The in-process service logged why (the session could not be saved).
      this.failed(t.source, `cannot set the labels of ${t.name}`, error);
    }
  }

  /** M: moves the data (the service renames, else copies, checks and deletes; an error leaves the old copy whole and logs one line). */
  async move(key: string, directory: string): Promise<boolean> {
    const t = this.target(key);
    if (!t) return false;
    // A remote host's paths are its own: only ~ is left for it to read as it pleases.
    const target = t.source.host === undefined ? resolve(expandPath(directory)) : directory.trim();
    const current = t.source.row(t.hash)?.directory;
    if (current !== undefined && (t.source.host === undefined ? resolve(current) === target : current === target)) {
      this.store.log('info', `${t.name} is already in ${printable(target)}`);
      return true;
    }
    this.store.log('info', `moving ${t.name} to ${printable(target)}${t.source.host ? ` on ${t.source.host}` : ''}…`);
    return t.source.move(t.hash, target).catch((error: unknown) => {
      this.store.log('error', `cannot move ${t.name} to ${printable(target)}: ${describeError(error)}`);
      return false;
    });
  }

  /** R / T: a seed goal of the torrent (mode global, single with its limit, or unlimited). */
  async setSeedGoals(
    key: string,
    goals: { seedRatioMode?: GoalMode; seedRatioLimit?: number; seedIdleMode?: GoalMode; seedIdleLimit?: number },
  ): Promise<void> {
    const t = this.target(key);
    if (!t) return;
    try {
      await t.source.setSeedGoals(t.hash, goals);
      const row = t.source.row(t.hash);
      if (!row) return;
      this.store.log('info', `seed goals of ${t.name}: ${seedGoalsSummary(row, t.source.global())}`);
    } catch (error) {
      this.failed(t.source, `cannot set the seed goals of ${t.name}`, error);
    }
  }

  /** D / U: the torrent's own rate limits, bytes/s (0 = none of its own). */
  async setTorrentLimits(key: string, limits: { download?: number; upload?: number }): Promise<void> {
    const t = this.target(key);
    if (!t) return;
    try {
      await t.source.setTorrentLimits(t.hash, limits);
      const row = t.source.row(t.hash);
      if (!row) return;
      this.store.log('info', `limits of ${t.name}: ${limitsSummary(row)}`);
    } catch (error) {
      this.failed(t.source, `cannot set the limits of ${t.name}`, error);
    }
  }

  /** The `btui metainfo` summary of a torrent in the in-process session (a remote host does not hand out its .torrent files). */
  metainfoText(key: string): string | undefined {
    const found = this.store.sourceFor(key);
    if (!found || found.source !== this.local) {
      if (found)
        this.store.log(
          'warn',
          `the metainfo of a torrent on ${found.source.host} is not available (Transmission's RPC does not give the .torrent)`,
        );
      return undefined;
    }
    const meta = this.local.service.metainfo(found.hash);
    return meta ? metainfoSummary(meta) : undefined;
  }
}
