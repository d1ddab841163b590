import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { createTorrent } from '../engine/metainfo/create-torrent.js';
import { encodeTorrentFile } from '../engine/metainfo/encode-torrent-file.js';
import { magnetURI, parseInfoHash, parseMagnet, type Magnet } from '../engine/metainfo/magnet.js';
import type { ResolvedMagnet } from '../engine/session/magnet-resolver.js';
import { parseMetainfo, type Metainfo } from '../engine/metainfo/metainfo.js';
import type { Session } from '../engine/session/session.js';
import { loadTorrent } from '../engine/metainfo/load-torrent.js';
import { scrape } from '../engine/discovery/tracker/index.js';
import { describeError } from '../errors.js';
import { formatBytes } from '../format/size.js';
import { formatRate } from '../format/duration.js';
import { metainfoSummary } from '../format/metainfo-summary.js';
import { printable, printableShort } from '../format/text.js';
import { classifyAddInput, expandPath } from './add-input.js';
import { nextLimit } from './limits.js';
import { MagnetFetches, type MagnetAddOptions } from './magnet-fetches.js';
import type { PendingMagnet } from './pending-magnet.js';
import { MAX_PRIORITY, MIN_PRIORITY, PRIORITY_NAMES } from './queue.js';
import type { TorrentStore } from './torrent-store.js';

export interface ControllerOptions {
  /** Where btui keeps .torrent copies of the session's torrents. */
  stateDirectory: string;
  downloadDirectory: () => string;
  /** Persist changed global limits (settings). */
  saveLimits?: (limits: { download: number; upload: number }) => void;
  /** How long a magnet may take to fetch its metadata before its row shows an error; default 5 minutes. */
  metadataTimeoutMs?: number;
}

const FILE_PRIORITY_NAMES = ['skip', 'normal', 'high'];

/**
 * Actions on the engine. Results come back to the UI through the store (its rows and its
 * log), never as return values the UI must interpret; the promises resolve for tests.
 */
export class Controller {
  private limits: { download: number; upload: number };
  private readonly magnets: MagnetFetches;

  constructor(
    private readonly session: Session,
    private readonly store: TorrentStore,
    private readonly options: ControllerOptions,
    initialLimits: { download: number; upload: number } = { download: 0, upload: 0 },
  ) {
    this.limits = { ...initialLimits };
    session.setLimits(this.limits);
    store.setLimits(this.limits);
    this.magnets = new MagnetFetches(session, store, (entry, resolved) => this.finishMagnet(entry, resolved), () => options.metadataTimeoutMs ?? 300_000);
  }

  torrentFilePath(hash: string): string {
    return join(this.options.stateDirectory, 'torrents', `${hash}.torrent`);
  }

  /** The add prompt: a path, http(s) URL, magnet or info-hash. */
  async add(text: string, options: { ephemeral?: boolean; directory?: string } = {}): Promise<string | undefined> {
    const input = classifyAddInput(text);
    if (input.kind === 'empty') return undefined;
    if (input.kind === 'magnet' || input.kind === 'infohash') {
      return this.addMagnet(input.value, { directory: options.directory ?? this.options.downloadDirectory(), ephemeral: options.ephemeral });
    }
    let meta: Metainfo;
    try {
      meta = input.kind === 'file' ? parseMetainfo(await readFile(input.value)) : await loadTorrent(input.value);
    } catch (error) {
      this.store.log('error', `cannot add ${printableShort(input.value)}: ${describeError(error)}`);
      this.store.refresh();
      return undefined;
    }
    return this.addMetainfo(meta, { directory: options.directory ?? this.options.downloadDirectory(), ephemeral: options.ephemeral });
  }

  /**
   * A magnet link or bare info-hash: its row appears at once in state "metadata", and the
   * torrent replaces it when the metadata arrives. Returns the info-hash, or undefined when
   * the text is not a usable magnet.
   */
  addMagnet(text: string, options: MagnetAddOptions): string | undefined {
    let magnet: Magnet;
    let uri = text.trim();
    try {
      if (/^magnet:/i.test(uri)) magnet = parseMagnet(uri);
      else {
        magnet = { infoHash: parseInfoHash(uri), trackers: [], webSeeds: [], peers: [] };
        uri = magnetURI({ infoHash: magnet.infoHash });
      }
    } catch (error) {
      this.store.log('error', `cannot add ${printableShort(uri)}: ${describeError(error)}`);
      this.store.refresh();
      return undefined;
    }
    if (this.session.get(magnet.infoHash) || this.magnets.has(magnet.infoHash)) {
      this.store.log('info', `already in the session: ${printable(magnet.name ?? magnet.infoHash)}`);
      this.store.refresh();
      return magnet.infoHash;
    }
    this.magnets.add(magnet, uri, options);
    return magnet.infoHash;
  }

  private async finishMagnet(entry: PendingMagnet, resolved: ResolvedMagnet): Promise<void> {
    const { meta, peers } = resolved;
    const select = entry.magnet.selectOnly;
    const filePriorities = select ? Uint8Array.from(meta.files, (_, i) => (select.includes(i) ? 1 : 0)) : undefined;
    this.store.log('info', `metadata for ${printable(meta.name)} arrived from the swarm`);
    await this.addMetainfo(meta, { directory: entry.directory, ephemeral: entry.ephemeral, addedAt: entry.addedAt, priority: entry.priority, filePriorities });
    this.session.get(meta.infoHash)?.addPeers(peers);
  }

  /** Adds a parsed torrent, keeps a copy of its .torrent for the session, and logs it. */
  async addMetainfo(
    meta: Metainfo,
    options: { directory: string; ephemeral?: boolean; seedMode?: boolean; paused?: boolean; addedAt?: number; priority?: number; filePriorities?: Uint8Array },
  ): Promise<string> {
    if (this.session.get(meta.infoHash)) {
      this.store.log('info', `already in the session: ${printable(meta.name)}`);
      this.store.refresh();
      return meta.infoHash;
    }
    if (!options.ephemeral) {
      const path = this.torrentFilePath(meta.infoHash);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(`${path}.tmp`, encodeTorrentFile(meta));
      await rename(`${path}.tmp`, path);
    }
    this.session.add(meta, { directory: options.directory, seedMode: options.seedMode, paused: true, filePriorities: options.filePriorities });
    // A magnet of the same torrent was waiting for this metadata: the torrent takes its row.
    this.magnets.discard(meta.infoHash);
    const record = this.store.record(meta.infoHash);
    if (record) {
      record.ephemeral = options.ephemeral ?? false;
      record.userPaused = options.paused ?? false;
      if (options.addedAt !== undefined) record.addedAt = options.addedAt;
      if (options.priority !== undefined) record.priority = options.priority;
      if (options.filePriorities) record.filePriorities = options.filePriorities;
      if (!options.paused) this.store.requestStart(meta.infoHash);
    }
    this.store.log('info', `added ${printable(meta.name)} (${formatBytes(meta.contentLength ?? meta.length)})`);
    this.store.onChange?.('added');
    this.store.refresh();
    return meta.infoHash;
  }

  /** Space: pause a running or queued torrent, start (or queue) a paused or failed one. */
  async toggle(hash: string): Promise<void> {
    if (this.magnets.has(hash)) return this.magnets.toggle(hash);
    const torrent = this.session.get(hash);
    const record = this.store.record(hash);
    if (!torrent || !record) return;
    if (torrent.isRunning || record.queued) {
      record.userPaused = true;
      record.queued = false;
      this.store.touch(hash);
      await torrent.stop();
    } else {
      this.store.requestStart(hash);
    }
    this.store.onChange?.('state');
    this.store.touch(hash);
    this.store.refresh();
  }

  /** Stops the metadata fetches (on quit); the magnets stay in the store to be saved. */
  close(): void {
    this.magnets.close();
  }

  private stillFetching(hash: string): boolean {
    const entry = this.store.pending.get(hash);
    if (!entry || this.session.get(hash)) return false;
    this.store.log('warn', `${printable(entry.name)} has no metadata yet`);
    this.store.refresh();
    return true;
  }

  async recheck(hash: string): Promise<void> {
    if (this.stillFetching(hash)) return;
    const torrent = this.session.get(hash);
    if (!torrent) return;
    this.store.log('info', `rechecking ${printable(torrent.meta.name)}`);
    await torrent.recheck();
    this.store.touch(hash);
    const s = torrent.stats();
    this.store.log('info', `recheck of ${printable(torrent.meta.name)}: ${s.havePieces}/${s.pieceCount} pieces good`);
  }

  async remove(hash: string, deleteData: boolean): Promise<void> {
    if (this.magnets.has(hash) && !this.session.get(hash)) return this.magnets.remove(hash);
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
    if (this.stillFetching(hash)) return;
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
    if (this.stillFetching(hash)) return;
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

  /** + / - on a torrent: its place in the download queue (low, normal, high). */
  changePriority(hash: string, delta: 1 | -1): void {
    const torrent = this.session.get(hash);
    const target = torrent ? this.store.record(hash) : this.store.pending.get(hash);
    if (!target) return;
    const next = Math.max(MIN_PRIORITY, Math.min(MAX_PRIORITY, target.priority + delta));
    if (next === target.priority) return;
    target.priority = next;
    const name = torrent ? torrent.meta.name : (this.store.pending.get(hash)?.name ?? hash);
    this.store.log('info', `${printable(name)}: priority ${PRIORITY_NAMES[next]}`);
    this.store.touch(hash);
    this.store.onChange?.('priority');
    this.store.applyQueue();
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
