import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { metainfoSummary } from '../commands/metainfo.js';
import { createTorrent } from '../engine/create-torrent.js';
import { magnetURI } from '../engine/magnet.js';
import { parseMetainfo, type Metainfo } from '../engine/metainfo.js';
import type { Session } from '../engine/session.js';
import { loadTorrent } from '../engine/torrent-source.js';
import { scrape } from '../engine/tracker/index.js';
import { describeError } from '../errors.js';
import { formatBytes } from '../format/size.js';
import { formatRate } from '../format/duration.js';
import { printable } from '../format/text.js';
import { classifyAddInput, expandPath } from './add-input.js';
import { nextLimit } from './limits.js';
import { torrentBytes } from './torrent-bytes.js';
import type { TorrentStore } from './torrent-store.js';

export interface ControllerOptions {
  /** Where btui keeps .torrent copies of the session's torrents. */
  stateDirectory: string;
  downloadDirectory: () => string;
  /** Persist changed global limits (settings). */
  saveLimits?: (limits: { download: number; upload: number }) => void;
}

const PRIORITY_NAMES = ['off', 'low', 'normal', 'high'];
const FILE_PRIORITY_NAMES = ['skip', 'normal', 'high'];

/**
 * Actions on the engine. Results come back to the UI through the store (its rows and its
 * log), never as return values the UI must interpret; the promises resolve for tests.
 */
export class Controller {
  private limits: { download: number; upload: number };

  constructor(
    private readonly session: Session,
    private readonly store: TorrentStore,
    private readonly options: ControllerOptions,
    initialLimits: { download: number; upload: number } = { download: 0, upload: 0 },
  ) {
    this.limits = { ...initialLimits };
    session.setLimits(this.limits);
    store.setLimits(this.limits);
  }

  torrentFilePath(hash: string): string {
    return join(this.options.stateDirectory, 'torrents', `${hash}.torrent`);
  }

  /** The add prompt: a path, http(s) URL, magnet or info-hash. */
  async add(text: string, options: { ephemeral?: boolean; directory?: string } = {}): Promise<string | undefined> {
    const input = classifyAddInput(text);
    if (input.kind === 'empty') return undefined;
    if (input.kind === 'magnet' || input.kind === 'infohash') {
      this.store.log('warn', `adding by ${input.kind === 'magnet' ? 'magnet link' : 'info-hash'} is not supported yet (fetching metadata from peers is not built); add the .torrent file instead`);
      this.store.refresh();
      return undefined;
    }
    let meta: Metainfo;
    try {
      meta = input.kind === 'file' ? parseMetainfo(await readFile(input.value)) : await loadTorrent(input.value);
    } catch (error) {
      this.store.log('error', `cannot add ${input.value}: ${describeError(error)}`);
      this.store.refresh();
      return undefined;
    }
    return this.addMetainfo(meta, { directory: options.directory ?? this.options.downloadDirectory(), ephemeral: options.ephemeral });
  }

  /** Adds a parsed torrent, keeps a copy of its .torrent for the session, and logs it. */
  async addMetainfo(meta: Metainfo, options: { directory: string; ephemeral?: boolean; seedMode?: boolean; paused?: boolean }): Promise<string> {
    if (this.session.get(meta.infoHash)) {
      this.store.log('info', `already in the session: ${printable(meta.name)}`);
      this.store.refresh();
      return meta.infoHash;
    }
    if (!options.ephemeral) {
      const path = this.torrentFilePath(meta.infoHash);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(`${path}.tmp`, torrentBytes(meta));
      await rename(`${path}.tmp`, path);
    }
    const torrent = this.session.add(meta, { directory: options.directory, seedMode: options.seedMode, paused: true });
    const record = this.store.record(meta.infoHash);
    if (record) {
      record.ephemeral = options.ephemeral ?? false;
      record.userPaused = options.paused ?? false;
    }
    if (!options.paused) void torrent.start();
    this.store.log('info', `added ${printable(meta.name)} (${formatBytes(meta.contentLength ?? meta.length)})`);
    this.store.onChange?.('added');
    this.store.refresh();
    return meta.infoHash;
  }

  /** Space: pause a running torrent, start a paused or failed one. */
  async toggle(hash: string): Promise<void> {
    const torrent = this.session.get(hash);
    const record = this.store.record(hash);
    if (!torrent || !record) return;
    if (torrent.isRunning) {
      record.userPaused = true;
      await torrent.stop();
    } else {
      record.userPaused = false;
      void torrent.start();
    }
    this.store.onChange?.('state');
    this.store.touch(hash);
  }

  async recheck(hash: string): Promise<void> {
    const torrent = this.session.get(hash);
    if (!torrent) return;
    this.store.log('info', `rechecking ${printable(torrent.meta.name)}`);
    await torrent.recheck();
    this.store.touch(hash);
    const s = torrent.stats();
    this.store.log('info', `recheck of ${printable(torrent.meta.name)}: ${s.havePieces}/${s.pieceCount} pieces good`);
  }

  async remove(hash: string, deleteData: boolean): Promise<void> {
    const torrent = this.session.get(hash);
    if (!torrent) return;
    const name = printable(torrent.meta.name);
    const root = printable(torrent.storage.root);
    try {
      await this.session.remove(hash, { deleteData });
      await rm(this.torrentFilePath(hash), { force: true });
      this.store.log('info', deleteData ? `removed ${name} and deleted ${root}` : `removed ${name} (data kept in ${root})`);
    } catch (error) {
      this.store.log('error', `cannot remove ${name}: ${describeError(error)}`);
    }
    this.store.refresh();
  }

  announce(hash: string): void {
    const torrent = this.session.get(hash);
    if (!torrent) return;
    if (torrent.meta.announce.length === 0) this.store.log('warn', `${printable(torrent.meta.name)} has no trackers`);
    else if (!torrent.isRunning) this.store.log('warn', `${printable(torrent.meta.name)} is paused: start it to announce`);
    else {
      torrent.announceNow();
      this.store.log('info', `announcing ${printable(torrent.meta.name)}`);
    }
    this.store.refresh();
  }

  /** Scrapes every tracker of the torrent now; results go to the Trackers tab and the log. */
  async scrape(hash: string): Promise<void> {
    const torrent = this.session.get(hash);
    if (!torrent) return;
    const name = printable(torrent.meta.name);
    const urls = [...new Set(torrent.meta.announce.flat())].filter((u) => /^(https?|udp):\/\//i.test(u));
    if (urls.length === 0) {
      this.store.log('warn', `${name} has no trackers to scrape`);
      this.store.refresh();
      return;
    }
    this.store.log('info', `scraping ${urls.length} tracker${urls.length === 1 ? '' : 's'} of ${name}`);
    this.store.refresh();
    await Promise.all(
      urls.map(async (url) => {
        try {
          const result = (await scrape(url, [torrent.infoHash], { timeoutMs: 15_000 })).get(hash);
          if (!result) throw new Error('the tracker did not report this torrent');
          this.store.setScrape(hash, url, { at: Date.now(), ...result });
          this.store.log('info', `scrape ${printable(url)}: ${result.complete} seeders, ${result.incomplete} leechers, ${result.downloaded} completed`);
        } catch (error) {
          this.store.setScrape(hash, url, { at: Date.now(), error: describeError(error) });
          this.store.log('warn', `scrape ${printable(url)}: ${describeError(error)}`);
        }
      }),
    );
    this.store.refresh();
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
        this.store.refresh();
        const made = await createTorrent({ path });
        const meta = parseMetainfo(made.torrent);
        await this.addMetainfo(meta, { directory: dirname(resolve(path)), seedMode: true });
        const peers = this.session.port ? [{ host: '127.0.0.1', port: this.session.port }] : [];
        const magnet = magnetURI({ infoHash: meta.infoHash, name: meta.name, length: meta.contentLength ?? meta.length, peers });
        magnets.push(magnet);
        this.store.log('info', `seeding ${printable(meta.name)}: ${magnet}`);
      } catch (error) {
        this.store.log('error', `cannot create a torrent of ${printable(path)}: ${describeError(error)}`);
      }
    }
    this.store.refresh();
    return magnets;
  }

  /** + / - on a torrent: its priority (off, low, normal, high). */
  changePriority(hash: string, delta: 1 | -1): void {
    const record = this.store.record(hash);
    const torrent = this.session.get(hash);
    if (!record || !torrent) return;
    const next = Math.max(0, Math.min(3, record.priority + delta));
    if (next === record.priority) return;
    record.priority = next;
    this.store.log('info', `${printable(torrent.meta.name)}: priority ${PRIORITY_NAMES[next]}`);
    this.store.touch(hash);
    this.store.onChange?.('priority');
    this.store.refresh();
  }

  /** + / - on a file: skip, normal, high. */
  changeFilePriority(hash: string, fileIndex: number, delta: 1 | -1): void {
    const record = this.store.record(hash);
    const torrent = this.session.get(hash);
    if (!record || !torrent || fileIndex < 0 || fileIndex >= record.filePriorities.length) return;
    const next = Math.max(0, Math.min(2, (record.filePriorities[fileIndex] ?? 1) + delta));
    if (next === record.filePriorities[fileIndex]) return;
    const priorities = Uint8Array.from(record.filePriorities);
    priorities[fileIndex] = next;
    record.filePriorities = priorities;
    torrent.setFilePriorities(priorities);
    const path = printable(torrent.meta.files[fileIndex]!.path.join('/'));
    this.store.log('info', `${path}: ${FILE_PRIORITY_NAMES[next]}`);
    this.store.touch(hash);
    this.store.onChange?.('priority');
    this.store.refresh();
  }

  /** [ ] { }: a global limit one step down or up. */
  stepLimit(which: 'download' | 'upload', direction: 'up' | 'down'): void {
    const rate = which === 'download' ? this.store.getSnapshot().global.downloadRate : this.store.getSnapshot().global.uploadRate;
    this.setLimits({ ...this.limits, [which]: nextLimit(this.limits[which], direction, rate) });
    const value = this.limits[which];
    this.store.log('info', `${which} limit: ${value === 0 ? 'unlimited' : formatRate(value)}`);
    this.store.refresh();
  }

  setLimits(limits: { download: number; upload: number }): void {
    this.limits = { ...limits };
    this.session.setLimits(this.limits);
    this.store.setLimits(this.limits);
    this.options.saveLimits?.(this.limits);
    this.store.onChange?.('limits');
  }

  getLimits(): { download: number; upload: number } {
    return { ...this.limits };
  }

  /** The `btui metainfo` summary of a torrent in the session. */
  metainfoText(hash: string): string | undefined {
    const torrent = this.session.get(hash);
    return torrent ? metainfoSummary(torrent.meta) : undefined;
  }
}
