import { dirname, resolve } from 'node:path';
import { createTorrent } from '../engine/metainfo/create-torrent.js';
import { magnetURI } from '../engine/metainfo/magnet.js';
import { parseMetainfo } from '../engine/metainfo/metainfo.js';
import { scrape } from '../engine/discovery/tracker/index.js';
import { describeError } from '../errors.js';
import { formatRate } from '../format/duration.js';
import type { GoalMode } from '../service/types.js';
import { metainfoSummary } from '../format/metainfo-summary.js';
import { printable } from '../format/text.js';
import { expandPath } from '../service/add-input.js';
import type { TorrentService } from '../service/torrent-service.js';
import { nextLimit } from './limits.js';
import { labelsText, limitsSummary, minutesText, seedGoalsSummary } from './torrent-input.js';
import type { TorrentStore } from './torrent-store.js';

/**
 * The TUI's keys as service calls, plus what only the screen needs: the limit steps of
 * [ ] { }, scrapes shown in the Trackers tab, the `n` prompt's torrent making, the metainfo
 * text. Results reach the screen through the store (its rows and log), never as return
 * values; the promises resolve for tests and never reject (the service logs failures).
 */
export class Controller {
  constructor(
    private readonly service: TorrentService,
    private readonly store: TorrentStore,
  ) {}

  /** The add prompt: a path, http(s) URL, magnet or info-hash; the reason in words when it cannot be added. */
  add(text: string): Promise<{ hash: string } | { error: string }> {
    return this.service.addExplained(text).catch((error: unknown) => ({ error: `cannot add: ${describeError(error)}` }));
  }

  toggle(hash: string): Promise<void> {
    return this.service.toggle(hash).catch(() => undefined);
  }

  recheck(hash: string): Promise<void> {
    return this.service.verify(hash);
  }

  remove(hash: string, deleteData: boolean): Promise<void> {
    return this.service.remove(hash, { deleteData }).catch(() => undefined);
  }

  announce(hash: string): void {
    this.service.reannounce(hash);
  }

  /** Scrapes every tracker of the torrent now; results go to the Trackers tab and the log. */
  async scrape(hash: string): Promise<void> {
    const info = this.service.info(hash);
    if (!info) {
      if (this.service.has(hash)) this.store.log('warn', `${this.service.summary(hash)?.name ?? hash} has no metadata yet`);
      return;
    }
    const name = printable(info.name);
    const urls = [...new Set(info.trackers.flat())].filter((u) => /^(https?|udp):\/\//i.test(u));
    if (urls.length === 0) {
      this.store.log('warn', `${name} has no trackers to scrape`);
      return;
    }
    this.store.log('info', `scraping ${urls.length} tracker${urls.length === 1 ? '' : 's'} of ${name}`);
    const infoHash = Buffer.from(info.infoHash, 'hex');
    await Promise.all(
      urls.map(async (url) => {
        try {
          const result = (await scrape(url, [infoHash], { timeoutMs: 15_000 })).get(hash);
          if (!result) throw new Error('the tracker did not report this torrent');
          this.store.setScrape(hash, url, { at: Date.now(), ...result });
          this.store.log(
            'info',
            `scrape ${printable(url)}: ${result.complete} seeders, ${result.incomplete} leechers, ${result.downloaded} completed`,
          );
        } catch (error) {
          this.store.setScrape(hash, url, { at: Date.now(), error: describeError(error) });
          this.store.log('warn', `scrape ${printable(url)}: ${describeError(error)}`);
        }
      }),
    );
  }

  /** n: make a torrent of each path, seed it, log its magnet. Returns the magnets. */
  async create(text: string): Promise<string[]> {
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
        await this.service.addMetainfo(meta, { directory: dirname(resolve(path)), seedMode: true });
        const port = this.service.session.port;
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

  /** + / - on a torrent: its place in the download queue (low, normal, high). */
  changePriority(hash: string, delta: 1 | -1): void {
    const summary = this.service.summary(hash);
    if (summary) void this.service.setPriority(hash, summary.priority + delta).catch(() => undefined);
  }

  /** + / - on a file: skip, normal, high. */
  changeFilePriority(hash: string, fileIndex: number, delta: 1 | -1): void {
    const file = this.service.files(hash)?.find((f) => f.index === fileIndex);
    if (file) void this.service.setFilePriority(hash, fileIndex, file.priority + delta).catch(() => undefined);
  }

  /** [ ] { }: a global limit one step down or up. */
  stepLimit(which: 'download' | 'upload', direction: 'up' | 'down'): void {
    const global = this.store.getSnapshot().global;
    const limits = this.service.getGlobalLimits();
    const value = nextLimit(limits[which], direction, which === 'download' ? global.downloadRate : global.uploadRate);
    this.service.setGlobalLimits({ [which]: value });
    this.store.log('info', `${which} limit: ${value === 0 ? 'unlimited' : formatRate(value)}`);
  }

  setLimits(limits: { download: number; upload: number }): void {
    this.service.setGlobalLimits(limits);
  }

  /** L: the torrent's labels (an empty list clears them); saved before it resolves. */
  async setLabels(hash: string, labels: string[]): Promise<void> {
    const name = this.nameOf(hash);
    if (name === undefined) return;
    try {
      await this.service.setLabels(hash, labels);
      const now = this.service.summary(hash)?.labels ?? labels;
      this.store.log('info', now.length === 0 ? `labels of ${name} cleared` : `labels of ${name}: ${labelsText(now)}`);
    } catch {
      // The service logged why (the session could not be saved).
    }
  }

  /** M: moves the data (the service renames, else copies, checks and deletes; an error leaves the old copy whole and logs one line). */
  async move(hash: string, directory: string): Promise<boolean> {
    const name = this.nameOf(hash);
    if (name === undefined) return false;
    const target = resolve(expandPath(directory));
    const current = this.service.summary(hash)?.directory;
    if (current !== undefined && resolve(current) === target) {
      this.store.log('info', `${name} is already in ${printable(target)}`);
      return true;
    }
    this.store.log('info', `moving ${name} to ${printable(target)}…`);
    return this.service.move(hash, target).catch((error: unknown) => {
      this.store.log('error', `cannot move ${name} to ${printable(target)}: ${describeError(error)}`);
      return false;
    });
  }

  /** R / T: a seed goal of the torrent (mode global, single with its limit, or unlimited). */
  async setSeedGoals(
    hash: string,
    goals: { seedRatioMode?: GoalMode; seedRatioLimit?: number; seedIdleMode?: GoalMode; seedIdleLimit?: number },
  ): Promise<void> {
    const name = this.nameOf(hash);
    if (name === undefined) return;
    try {
      await this.service.setSeedGoals(hash, goals);
      const s = this.service.summary(hash);
      if (!s) return;
      this.store.log('info', `seed goals of ${name}: ${seedGoalsSummary(s, this.service.settings())}`);
    } catch {
      // The service logged why.
    }
  }

  /** The settings screen: the service-wide seed goals torrents on 'global' follow (null = none); saved in session.json. */
  setGlobalSeedGoals(goals: { ratio?: number | null; idleMinutes?: number | null }): void {
    this.service.setGlobalSeedGoals(goals);
    const now = this.service.settings();
    const ratio = now.seedRatioLimit === undefined ? 'none' : String(now.seedRatioLimit);
    const idle = now.seedIdleLimit === undefined ? 'none' : minutesText(now.seedIdleLimit);
    this.store.log('info', `global seed goals: ratio ${ratio}, idle ${idle}`);
  }

  /** D / U: the torrent's own rate limits, bytes/s (0 = none of its own). */
  async setTorrentLimits(hash: string, limits: { download?: number; upload?: number }): Promise<void> {
    const name = this.nameOf(hash);
    if (name === undefined) return;
    try {
      await this.service.setTorrentLimits(hash, limits);
      const s = this.service.summary(hash);
      if (!s) return;
      this.store.log('info', `limits of ${name}: ${limitsSummary(s)}`);
    } catch {
      // The service logged why.
    }
  }

  private nameOf(hash: string): string | undefined {
    const summary = this.service.summary(hash);
    return summary ? printable(summary.name) : undefined;
  }

  /** The torrent's magnet link (with its metadata: hash, name, size, trackers; without: the link it was added by). */
  magnetOf(hash: string): string | undefined {
    return this.service.info(hash)?.magnet ?? this.service.summary(hash)?.magnet;
  }

  /** The `btui metainfo` summary of a torrent in the session. */
  metainfoText(hash: string): string | undefined {
    const meta = this.service.metainfo(hash);
    return meta ? metainfoSummary(meta) : undefined;
  }
}
