import { EventEmitter } from 'node:events';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { encodeTorrentFile } from '../engine/metainfo/encode-torrent-file.js';
import { loadTorrent } from '../engine/metainfo/load-torrent.js';
import { magnetURI, parseInfoHash, parseMagnet, type Magnet } from '../engine/metainfo/magnet.js';
import { parseMetainfo, type Metainfo } from '../engine/metainfo/metainfo.js';
import type { ResolvedMagnet } from '../engine/session/magnet-resolver.js';
import type { Session } from '../engine/session/session.js';
import type { Torrent } from '../engine/torrent/torrent.js';
import { describeError } from '../errors.js';
import { formatBytes } from '../format/size.js';
import { printable, printableShort } from '../format/text.js';
import type { SavedSession, SavedTorrent } from '../session-state/session-file.js';
import { classifyAddInput } from './add-input.js';
import { applySaved, clampRate, goal, newEntry, normalizeLabels, savedEntry, type Entry } from './entry.js';
import { fileInfos, pendingSummary, peerInfos, torrentInfo, torrentSummary, trackerInfos } from './reads.js';
import { MagnetFetches, type PendingMagnet } from './magnet-fetches.js';
import { moveData, type MoveFs } from './move-data.js';
import { SessionPersistence, type SessionRecovery } from './persistence.js';
import { MAX_PRIORITY, MIN_PRIORITY, PRIORITY_NAMES, QueueManager } from './queue-manager.js';
import { seedGoalReached } from './seed-goal.js';
import type {
  AddOptions,
  ChangeKind,
  ChangesSince,
  FileInfo,
  GlobalInfo,
  LogLevel,
  PeerInfo,
  PieceInfo,
  ServiceEvents,
  TorrentInfo,
  TorrentRef,
  TorrentSettings,
  TorrentSummary,
  TrackerInfo,
} from './types.js';

export interface ServiceOptions {
  /** Where session.json and the .torrent copies live. */
  stateDirectory: string;
  /** Where new torrents go unless told otherwise. */
  downloadDirectory: string;
  /** Torrents downloading at once; the rest wait as "queued". 0 = no limit. */
  maxActiveDownloads?: number;
  /** Global limits in bytes/s (0 = unlimited), set on the session at once. */
  limits?: { download: number; upload: number };
  /** Called when the global limits change (to keep them in the settings). */
  saveLimits?: (limits: { download: number; upload: number }) => void;
  /** Service-wide seed goals (a torrent's mode 'global'); undefined = none. */
  seedRatioLimit?: number;
  seedIdleLimit?: number;
  /** How long a magnet may take to fetch its metadata; default 5 minutes. */
  metadataTimeoutMs?: number;
  /** How long ordinary changes wait to be saved together; default 1 s. */
  saveDebounceMs?: number;
  /** How often seed goals are checked; default 5 s; 0 = only by checkSeedGoals(). */
  seedCheckMs?: number;
  /** The engine's resume file of a torrent, kept across a move (else the moved torrent is checked again). */
  resumePath?: (hash: string) => string;
  /** Tests: the file system calls of move(), and the session file writer. */
  moveFs?: MoveFs;
  writeSession?: (path: string, session: SavedSession) => Promise<void>;
}

export type TorrentKey = string | number;

const TORRENT_EVENTS = ['state', 'piece', 'done', 'trackers', 'peer', 'peer-closed', 'warning', 'error-state', 'checking', 'tick'] as const;
const FILE_PRIORITY_NAMES = ['skip', 'normal', 'high'];
const REMOVALS_KEPT = 10_000;

/**
 * The service below every front-end (the TUI's store, a Transmission RPC server, a daemon):
 * the session, its persistence, the download queue, magnets waiting for metadata, labels,
 * seed goals and per-torrent limits, behind one API. Results come back as events (typed by
 * ServiceEvents) and as plain-copy reads; a torrent is named by its info-hash or by its id,
 * a small integer stable for the life of the process.
 *
 * Acknowledged means saved: an add's promise resolves once session.json on disk holds it
 * (writes are grouped: one write covers every change that arrived while the last was in flight).
 */
export class TorrentService extends EventEmitter<ServiceEvents> {
  private readonly byHash = new Map<string, Entry>();
  private readonly byId = new Map<number, Entry>();
  private nextId = 1;
  private sequence = 0;
  private readonly removals: { id: number; at: number }[] = [];
  private removalsForgottenBefore = 0;
  private listCache?: readonly TorrentRef[];
  private positionCache?: Map<string, number>;
  private readonly trackerErrors = new Map<string, string>();
  private readonly queue: QueueManager;
  private readonly magnets: MagnetFetches;
  private readonly persistence: SessionPersistence;
  private limits: { download: number; upload: number };
  private seedRatioLimit?: number;
  private seedIdleLimit?: number;
  private downloadDirectory: string;
  private restoring = false;
  private seedTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    readonly session: Session,
    private readonly options: ServiceOptions,
  ) {
    super();
    this.downloadDirectory = options.downloadDirectory;
    this.limits = { ...(options.limits ?? { download: 0, upload: 0 }) };
    this.seedRatioLimit = options.seedRatioLimit;
    this.seedIdleLimit = options.seedIdleLimit;
    session.setLimits(this.limits);
    this.queue = new QueueManager(
      {
        subjects: () => this.withTorrents(),
        running: (hash) => this.byHash.get(hash)?.torrent?.isRunning ?? false,
        downloading: (hash) => this.countsAsDownloading(this.byHash.get(hash)!),
        start: (hash) => void this.byHash.get(hash)?.torrent?.start(),
        stop: (hash) => void this.byHash.get(hash)?.torrent?.stop(),
        changed: (hash) => this.touch(this.byHash.get(hash), 'state'),
      },
      options.maxActiveDownloads ?? 0,
    );
    this.magnets = new MagnetFetches({
      session,
      isCurrent: (pending) => this.byHash.get(pending.infoHash)?.pending === pending,
      changed: (pending, kind) => {
        this.touch(this.byHash.get(pending.infoHash), kind);
        if (kind === 'state') this.scheduleSave();
      },
      log: (level, text) => this.log(level, text),
      finish: (pending, resolved) => this.finishMagnet(pending, resolved),
      timeoutMs: () => options.metadataTimeoutMs ?? 300_000,
    });
    this.persistence = new SessionPersistence(options.stateDirectory, {
      snapshot: () => this.savedSession(),
      log: (level, text) => this.log(level, text),
      debounceMs: options.saveDebounceMs,
      write: options.writeSession,
    });
    session.on('added', this.onAdded);
    session.on('removed', this.onRemoved);
    session.on('warning', this.onWarning);
    for (const torrent of session.list()) this.onAdded(torrent);
    const seedMs = options.seedCheckMs ?? 5000;
    if (seedMs > 0) {
      this.seedTimer = setInterval(() => this.checkSeedGoals(), seedMs);
      this.seedTimer.unref();
    }
  }

  // ---- reads ----

  /** Every torrent (and magnet waiting for metadata), in the order of adding. The same array until one is added or removed. */
  list(): readonly TorrentRef[] {
    if (!this.listCache) {
      const refs: TorrentRef[] = [];
      for (const entry of this.byHash.values()) if (entry.torrent || entry.pending) refs.push(entry.ref);
      this.listCache = refs;
    }
    return this.listCache;
  }

  get size(): number {
    return this.list().length;
  }

  /** The id and hash of a torrent given either. */
  ref(key: TorrentKey): TorrentRef | undefined {
    return this.entry(key)?.ref;
  }

  has(key: TorrentKey): boolean {
    return this.entry(key) !== undefined;
  }

  /** One torrent's list row (a new plain object each call). */
  summary(key: TorrentKey): TorrentSummary | undefined {
    const entry = this.entry(key);
    if (!entry) return undefined;
    const summary = entry.torrent ? torrentSummary(entry, entry.torrent, this.queuePosition(entry)) : pendingSummary(entry, entry.pending!, this.queuePosition(entry));
    entry.quiet = summary.peers === 0 && summary.downloadRate === 0 && summary.uploadRate === 0 && summary.state !== 'checking';
    return summary;
  }

  /** A torrent's files with their progress; undefined for an unknown torrent, [] for a magnet without metadata. */
  files(key: TorrentKey): FileInfo[] | undefined {
    const entry = this.entry(key);
    if (!entry) return undefined;
    return entry.torrent ? fileInfos(entry.torrent, entry.filePriorities) : [];
  }

  peers(key: TorrentKey): PeerInfo[] | undefined {
    const entry = this.entry(key);
    if (!entry) return undefined;
    return entry.torrent ? peerInfos(entry.torrent) : [];
  }

  trackers(key: TorrentKey): TrackerInfo[] | undefined {
    const entry = this.entry(key);
    if (!entry) return undefined;
    if (!entry.torrent) return entry.pending!.magnet.trackers.map((url, i) => ({ url, tier: i, status: 'idle' }));
    return trackerInfos(entry.torrent);
  }

  pieces(key: TorrentKey): PieceInfo | undefined {
    const torrent = this.entry(key)?.torrent;
    if (!torrent) return undefined;
    const p = torrent.pieceStats();
    return { pieceCount: torrent.meta.pieceCount, pieceLength: torrent.meta.pieceLength, have: p.have, downloading: p.downloading, availability: p.availability };
  }

  info(key: TorrentKey): TorrentInfo | undefined {
    const torrent = this.entry(key)?.torrent;
    return torrent ? torrentInfo(torrent) : undefined;
  }

  /** The parsed metainfo (read-only: for summaries like `btui metainfo`'s). */
  metainfo(key: TorrentKey): Readonly<Metainfo> | undefined {
    return this.entry(key)?.torrent?.meta;
  }

  global(): GlobalInfo {
    let downloadRate = 0;
    let uploadRate = 0;
    let connections = 0;
    for (const entry of this.byHash.values()) {
      if (!entry.torrent?.isRunning) continue;
      const s = entry.torrent.stats();
      downloadRate += s.downloadRate;
      uploadRate += s.uploadRate;
      connections += s.peers;
    }
    return {
      downloadRate,
      uploadRate,
      downloadLimit: this.limits.download,
      uploadLimit: this.limits.upload,
      connections,
      port: this.session.port,
      dhtNodes: this.session.dht?.nodeCount(),
      downloadDirectory: this.downloadDirectory,
      maxActiveDownloads: this.queue.maxActive,
      seedRatioLimit: this.seedRatioLimit,
      seedIdleLimit: this.seedIdleLimit,
      torrentCount: this.size,
    };
  }

  /** The settings every front-end shows without asking the engine (cheap: no stats). */
  settings(): { downloadDirectory: string; maxActiveDownloads: number; limits: { download: number; upload: number }; seedRatioLimit?: number; seedIdleLimit?: number } {
    return { downloadDirectory: this.downloadDirectory, maxActiveDownloads: this.queue.maxActive, limits: { ...this.limits }, seedRatioLimit: this.seedRatioLimit, seedIdleLimit: this.seedIdleLimit };
  }

  /** The current change cursor: changes(cursor) later names what changed after now. */
  cursor(): number {
    return this.sequence;
  }

  /**
   * Which torrents changed (or were added) and which were removed after `since` (a cursor
   * from cursor() or an earlier result): Transmission's `recently-active`. Traffic counts as a
   * change; an idle seeding torrent with no peers does not change.
   */
  changes(since: number): ChangesSince {
    const changed: number[] = [];
    for (const entry of this.byHash.values()) if (entry.changedAt > since && (entry.torrent || entry.pending)) changed.push(entry.id);
    changed.sort((a, b) => a - b);
    const removed: number[] = [];
    for (let i = this.removals.length - 1; i >= 0 && this.removals[i]!.at > since; i--) removed.push(this.removals[i]!.id);
    removed.reverse();
    return { cursor: this.sequence, changed, removed, removedIncomplete: since < this.removalsForgottenBefore };
  }

  get recovery(): SessionRecovery | undefined {
    return this.persistence.recovery;
  }

  get sessionPath(): string {
    return this.persistence.path;
  }

  torrentFilePath(hash: string): string {
    return join(this.options.stateDirectory, 'torrents', `${hash}.torrent`);
  }

  // ---- adding ----

  /** A path, http(s) URL, magnet link or info-hash. Returns the info-hash, or undefined (with an error logged) when it cannot be added. */
  async add(text: string, options: AddOptions = {}): Promise<string | undefined> {
    const input = classifyAddInput(text);
    if (input.kind === 'empty') return undefined;
    if (input.kind === 'magnet' || input.kind === 'infohash') return this.addMagnet(input.value, options);
    let meta: Metainfo;
    try {
      meta = input.kind === 'file' ? parseMetainfo(await readFile(input.value)) : await loadTorrent(input.value);
    } catch (error) {
      this.log('error', `cannot add ${printableShort(input.value)}: ${describeError(error)}`);
      return undefined;
    }
    return this.addMetainfo(meta, options);
  }

  /** The bytes of a .torrent file (Transmission's `metainfo`). */
  async addTorrentBytes(bytes: Uint8Array, options: AddOptions = {}): Promise<string | undefined> {
    let meta: Metainfo;
    try {
      meta = parseMetainfo(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (error) {
      this.log('error', `cannot add the torrent given: ${describeError(error)}`);
      return undefined;
    }
    return this.addMetainfo(meta, options);
  }

  /**
   * A magnet link or bare info-hash: listed at once in state "metadata"; the torrent takes
   * its place (and its id) when the metadata arrives. Undefined when the text is not usable.
   */
  async addMagnet(text: string, options: AddOptions = {}): Promise<string | undefined> {
    let magnet: Magnet;
    let uri = text.trim();
    try {
      if (/^magnet:/i.test(uri)) magnet = parseMagnet(uri);
      else {
        magnet = { infoHash: parseInfoHash(uri), trackers: [], webSeeds: [], peers: [] };
        uri = magnetURI({ infoHash: magnet.infoHash });
      }
    } catch (error) {
      this.log('error', `cannot add ${printableShort(uri)}: ${describeError(error)}`);
      return undefined;
    }
    if (this.byHash.get(magnet.infoHash)?.torrent || this.byHash.get(magnet.infoHash)?.pending) {
      this.log('info', `already in the session: ${printable(magnet.name ?? magnet.infoHash)}`);
      return magnet.infoHash;
    }
    const entry = newEntry(this.nextId++, magnet.infoHash, 0, options);
    entry.pending = { infoHash: magnet.infoHash, uri, magnet, name: magnet.name || magnet.infoHash, directory: options.directory ?? this.downloadDirectory, status: 'paused' };
    entry.userPaused = options.paused ?? false;
    this.insert(entry);
    if (!options.paused) this.magnets.run(entry.pending);
    await this.committed(entry);
    return magnet.infoHash;
  }

  /** Adds a parsed torrent, keeps a copy of its .torrent for the session, and logs it. */
  async addMetainfo(meta: Metainfo, options: AddOptions = {}): Promise<string> {
    const existing = this.byHash.get(meta.infoHash);
    if (existing?.torrent) {
      this.log('info', `already in the session: ${printable(meta.name)}`);
      return meta.infoHash;
    }
    if (!options.ephemeral) {
      const path = this.torrentFilePath(meta.infoHash);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(`${path}.tmp`, encodeTorrentFile(meta));
      await rename(`${path}.tmp`, path);
    }
    // Written meanwhile by another add of the same torrent.
    if (this.byHash.get(meta.infoHash)?.torrent) return meta.infoHash;
    const pending = this.byHash.get(meta.infoHash);
    let entry: Entry;
    if (pending) {
      // A magnet of the same torrent was waiting for this metadata: the torrent takes its place.
      entry = pending;
      if (entry.pending) this.magnets.cancel(entry.pending);
      entry.filePriorities = options.filePriorities ?? new Uint8Array(meta.files.length).fill(1);
    } else {
      entry = newEntry(this.nextId++, meta.infoHash, meta.files.length, options);
      this.byHash.set(entry.hash, entry);
      this.byId.set(entry.id, entry);
    }
    entry.ephemeral = options.ephemeral ?? entry.ephemeral;
    entry.userPaused = options.paused ?? false;
    const directory = options.directory ?? entry.pending?.directory ?? this.downloadDirectory;
    this.session.add(meta, { directory, seedMode: options.seedMode, paused: true, filePriorities: options.filePriorities });
    this.log('info', `added ${printable(meta.name)} (${formatBytes(meta.contentLength ?? meta.length)})`);
    if (!entry.userPaused) this.queue.request(entry);
    await this.committed(entry);
    return meta.infoHash;
  }

  private async finishMagnet(pending: PendingMagnet, resolved: ResolvedMagnet): Promise<void> {
    const { meta, peers } = resolved;
    const select = pending.magnet.selectOnly;
    const filePriorities = select ? Uint8Array.from(meta.files, (_, i) => (select.includes(i) ? 1 : 0)) : undefined;
    this.log('info', `metadata for ${printable(meta.name)} arrived from the swarm`);
    const entry = this.byHash.get(meta.infoHash);
    await this.addMetainfo(meta, { directory: pending.directory, ephemeral: entry?.ephemeral, filePriorities });
    this.byHash.get(meta.infoHash)?.torrent?.addPeers(peers);
  }

  // ---- actions ----

  /** Asks a torrent to run (through the download queue), or a magnet to fetch its metadata. */
  async start(key: TorrentKey): Promise<void> {
    const entry = this.entry(key);
    if (!entry) return;
    if (this.busyMoving(entry)) return;
    entry.userPaused = false;
    if (entry.pending) this.magnets.run(entry.pending);
    else this.queue.request(entry);
    this.touch(entry, 'state');
    await this.committed(entry);
  }

  /** Stops a torrent (paused by the user: it stays paused across restarts), or a magnet's fetch. */
  async stop(key: TorrentKey): Promise<void> {
    const entry = this.entry(key);
    if (!entry) return;
    if (this.busyMoving(entry)) return;
    entry.userPaused = true;
    if (entry.pending) this.magnets.pause(entry.pending);
    else {
      this.queue.withdraw(entry);
      this.touch(entry, 'state');
      await entry.torrent?.stop();
    }
    await this.committed(entry);
  }

  /** Pauses a running, queued or fetching torrent; starts a paused or failed one. */
  async toggle(key: TorrentKey): Promise<void> {
    const entry = this.entry(key);
    if (!entry) return;
    if (this.busyMoving(entry)) return;
    const active = entry.pending ? entry.pending.status === 'metadata' : entry.torrent!.isRunning || entry.queued;
    if (active) await this.stop(key);
    else await this.start(key);
  }

  /** Checks the data on disk again (Transmission's torrent-verify). */
  async verify(key: TorrentKey): Promise<void> {
    const entry = this.entry(key);
    if (!entry || this.stillFetching(entry)) return;
    if (this.busyMoving(entry)) return;
    const torrent = entry.torrent!;
    this.log('info', `rechecking ${printable(torrent.meta.name)}`);
    await torrent.recheck();
    this.touch(entry, 'state');
    const s = torrent.stats();
    this.log('info', `recheck of ${printable(torrent.meta.name)}: ${s.havePieces}/${s.pieceCount} pieces good`);
  }

  reannounce(key: TorrentKey): void {
    const entry = this.entry(key);
    if (!entry || this.stillFetching(entry)) return;
    const torrent = entry.torrent!;
    if (torrent.meta.announce.length === 0) this.log('warn', `${printable(torrent.meta.name)} has no trackers`);
    else if (!torrent.isRunning) this.log('warn', `${printable(torrent.meta.name)} is paused: start it to announce`);
    else {
      torrent.announceNow();
      this.log('info', `announcing ${printable(torrent.meta.name)}`);
    }
  }

  /** Removes a torrent (and its .torrent copy and resume data), with its data or not. */
  async remove(key: TorrentKey, options: { deleteData?: boolean } = {}): Promise<void> {
    const entry = this.entry(key);
    if (!entry) return;
    if (this.busyMoving(entry)) return;
    if (entry.pending && !entry.torrent) {
      const name = printable(this.nameOf(entry));
      this.magnets.cancel(entry.pending);
      entry.pending = undefined;
      this.forget(entry);
      this.log('info', `removed ${name} (its metadata had not arrived)`);
      await this.committed(entry);
      return;
    }
    const torrent = entry.torrent!;
    const name = printable(torrent.meta.name);
    const root = printable(torrent.storage.root);
    try {
      await this.session.remove(entry.hash, { deleteData: options.deleteData });
      await rm(this.torrentFilePath(entry.hash), { force: true });
      this.log('info', options.deleteData ? `removed ${name} and deleted ${root}` : `removed ${name} (data kept in ${root})`);
    } catch (error) {
      this.log('error', `cannot remove ${name}: ${describeError(error)}`);
    }
    await this.committed(entry);
  }

  /**
   * Moves a torrent's data to another directory: the torrent is stopped, its data renamed
   * (or, across file systems, copied, checked and then deleted), and it restarts there if it
   * was running. On any error the old copy stays whole and the torrent keeps pointing at it.
   * With `moveData: false` the data is not touched: the torrent looks for it in the new
   * directory (Transmission's set-location without move; its resume data decides whether
   * it is checked). Returns whether it moved.
   */
  async move(key: TorrentKey, directory: string, options: { moveData?: boolean } = {}): Promise<boolean> {
    const entry = this.entry(key);
    if (!entry || entry.moving) return false;
    const target = resolve(directory);
    if (entry.pending) {
      entry.pending = { ...entry.pending, directory: target };
      this.touch(entry, 'settings');
      await this.committed(entry);
      return true;
    }
    const torrent = entry.torrent!;
    const meta = torrent.meta;
    const name = printable(meta.name);
    const wasRunning = torrent.isRunning || entry.queued;
    const oldRoot = torrent.storage.root;
    const oldDirectory = torrent.stats().directory;
    if (resolve(oldDirectory) === target) return true;
    const newRoot = join(target, relative(resolve(oldDirectory), oldRoot));
    entry.moving = true;
    let moved = false;
    try {
      this.queue.withdraw(entry);
      await torrent.stop();
      const resumePath = this.options.resumePath?.(entry.hash);
      const resume = resumePath ? await readFile(resumePath).catch(() => undefined) : undefined;
      const files = meta.files.flatMap((f, i) => (f.padding ? [] : [relative(oldRoot, torrent.storage.filePath(i))]));
      await mkdir(target, { recursive: true });
      const result = options.moveData === false ? { how: 'nothing' as const } : await moveData(oldRoot, newRoot, files, this.options.moveFs);
      moved = true;
      // The engine keeps one directory per torrent: the torrent is added again there, with its resume data
      // (without it, it is checked at start). It goes back into the session whatever happens on the way.
      try {
        await this.session.remove(entry.hash);
      } finally {
        if (resume && resumePath) await mkdir(dirname(resumePath), { recursive: true }).then(() => writeFile(resumePath, resume)).catch(() => undefined);
        const again = this.session.get(entry.hash) ?? this.session.add(meta, { directory: target, paused: true, filePriorities: entry.filePriorities });
        await again.loadSavedProgress();
      }
      if (options.moveData === false) this.log('info', `${name} now looks for its data in ${printable(target)}`);
      else this.log('info', `moved ${name} to ${printable(target)}${result.how === 'copied' ? ' (copied across file systems)' : ''}`);
    } catch (error) {
      this.log('error', `cannot move ${name} to ${printable(target)}: ${describeError(error)}${moved ? '' : '; it stays where it was'}`);
    } finally {
      entry.moving = false;
    }
    if (wasRunning && !entry.userPaused && entry.torrent) this.queue.request(entry);
    this.touch(entry, 'settings');
    await this.committed(entry);
    return moved;
  }

  setGlobalLimits(limits: { download?: number; upload?: number }): void {
    this.limits = { download: clampRate(limits.download ?? this.limits.download), upload: clampRate(limits.upload ?? this.limits.upload) };
    this.session.setLimits(this.limits);
    this.options.saveLimits?.({ ...this.limits });
    this.emit('global-changed');
  }

  getGlobalLimits(): { download: number; upload: number } {
    return { ...this.limits };
  }

  /** The service-wide seed goals (for torrents in mode 'global'); null clears one. */
  setGlobalSeedGoals(goals: { ratio?: number | null; idleMinutes?: number | null }): void {
    if (goals.ratio !== undefined) this.seedRatioLimit = goals.ratio === null ? undefined : Math.max(0, goals.ratio);
    if (goals.idleMinutes !== undefined) this.seedIdleLimit = goals.idleMinutes === null ? undefined : Math.max(0, goals.idleMinutes);
    this.emit('global-changed');
  }

  setMaxActiveDownloads(max: number): void {
    this.queue.setMaxActive(max);
    this.emit('global-changed');
  }

  setDownloadDirectory(directory: string): void {
    this.downloadDirectory = directory;
    this.emit('global-changed');
  }

  /** Several per-torrent settings at once (Transmission's torrent-set); saved before it resolves. */
  async set(key: TorrentKey, settings: TorrentSettings): Promise<void> {
    const entry = this.entry(key);
    if (!entry) return;
    if (settings.labels !== undefined) entry.labels = normalizeLabels(settings.labels);
    if (settings.seedRatioLimit !== undefined) entry.seedRatioLimit = Math.max(0, settings.seedRatioLimit);
    if (settings.seedRatioMode !== undefined) entry.seedRatioMode = settings.seedRatioMode;
    if (settings.seedIdleLimit !== undefined) entry.seedIdleLimit = Math.max(0, settings.seedIdleLimit);
    if (settings.seedIdleMode !== undefined) entry.seedIdleMode = settings.seedIdleMode;
    if (settings.downloadLimit !== undefined || settings.uploadLimit !== undefined) {
      entry.downloadLimit = clampRate(settings.downloadLimit ?? entry.downloadLimit);
      entry.uploadLimit = clampRate(settings.uploadLimit ?? entry.uploadLimit);
      entry.torrent?.setLimits({ download: entry.downloadLimit, upload: entry.uploadLimit });
    }
    if (settings.priority !== undefined) this.setPriorityOf(entry, settings.priority);
    this.touch(entry, 'settings');
    await this.committed(entry);
  }

  setLabels(key: TorrentKey, labels: readonly string[]): Promise<void> {
    return this.set(key, { labels });
  }

  setTorrentLimits(key: TorrentKey, limits: { download?: number; upload?: number }): Promise<void> {
    return this.set(key, { downloadLimit: limits.download, uploadLimit: limits.upload });
  }

  setSeedGoals(key: TorrentKey, goals: Partial<Pick<TorrentSettings, 'seedRatioLimit' | 'seedRatioMode' | 'seedIdleLimit' | 'seedIdleMode'>>): Promise<void> {
    return this.set(key, goals);
  }

  /** Queue priority: 1 low, 2 normal, 3 high (clamped). */
  setPriority(key: TorrentKey, priority: number): Promise<void> {
    return this.set(key, { priority });
  }

  /**
   * Moves a torrent to `position` (0 first) in the download queue: it takes the priority of
   * the torrent now there and goes just before it.
   */
  async setQueuePosition(key: TorrentKey, position: number): Promise<void> {
    const entry = this.entry(key);
    if (!entry) return;
    const others = [...this.byHash.values()].filter((e) => e !== entry && (e.torrent || e.pending));
    others.sort((a, b) => b.priority - a.priority || a.order - b.order);
    const at = Math.max(0, Math.min(others.length, Math.floor(position)));
    const next = others[at];
    const before = others[at - 1];
    if (next) {
      entry.priority = next.priority;
      entry.order = before && before.priority === next.priority ? (before.order + next.order) / 2 : next.order - 1;
    } else if (before) {
      entry.priority = before.priority;
      entry.order = before.order + 1;
    }
    this.positionCache = undefined;
    for (const e of this.byHash.values()) this.touch(e, 'settings');
    this.queue.apply();
    await this.committed(entry);
  }

  /** One file's priority: 0 skip, 1 normal, 2 high. */
  async setFilePriority(key: TorrentKey, fileIndex: number, priority: number): Promise<void> {
    const entry = this.entry(key);
    const torrent = entry?.torrent;
    if (!entry || !torrent || fileIndex < 0 || fileIndex >= entry.filePriorities.length) return;
    const next = Math.max(0, Math.min(2, Math.round(priority)));
    if (next === entry.filePriorities[fileIndex]) return;
    const priorities = Uint8Array.from(entry.filePriorities);
    priorities[fileIndex] = next;
    this.applyFilePriorities(entry, torrent, priorities);
    this.log('info', `${printable(torrent.meta.files[fileIndex]!.path.join('/'))}: ${FILE_PRIORITY_NAMES[next]}`);
    await this.committed(entry);
  }

  /** Every file's priority at once (one per file). */
  async setFilePriorities(key: TorrentKey, priorities: ArrayLike<number>): Promise<void> {
    const entry = this.entry(key);
    const torrent = entry?.torrent;
    if (!entry || !torrent || priorities.length !== entry.filePriorities.length) return;
    this.applyFilePriorities(entry, torrent, Uint8Array.from(priorities, (p) => Math.max(0, Math.min(2, Math.round(p)))));
    await this.committed(entry);
  }

  private applyFilePriorities(entry: Entry, torrent: Torrent, priorities: Uint8Array): void {
    entry.filePriorities = priorities;
    torrent.setFilePriorities(priorities);
    this.touch(entry, 'settings');
  }

  private setPriorityOf(entry: Entry, priority: number): void {
    const next = Math.max(MIN_PRIORITY, Math.min(MAX_PRIORITY, Math.round(priority)));
    if (next === entry.priority) return;
    entry.priority = next;
    this.positionCache = undefined;
    this.log('info', `${printable(this.nameOf(entry))}: priority ${PRIORITY_NAMES[next]}`);
    this.queue.apply();
  }

  /**
   * Stops complete torrents that reached their seed goal (ratio, or minutes without
   * transfer); run every seedCheckMs. Returns the hashes stopped.
   */
  checkSeedGoals(now = Date.now()): string[] {
    const stopped: string[] = [];
    for (const entry of this.byHash.values()) {
      const torrent = entry.torrent;
      if (!torrent?.isRunning || torrent.state !== 'seeding') continue;
      const ratio = goal(entry.seedRatioMode, entry.seedRatioLimit, this.seedRatioLimit);
      const idle = goal(entry.seedIdleMode, entry.seedIdleLimit, this.seedIdleLimit);
      if (ratio === undefined && idle === undefined) continue;
      const s = torrent.stats();
      if (s.uploadRate > 0 || s.downloadRate > 0 || entry.lastActiveAt === undefined) entry.lastActiveAt = now;
      const length = torrent.meta.contentLength ?? torrent.meta.length;
      const reached = seedGoalReached({ ratio, minutes: idle }, { uploaded: entry.uploadedBase + s.uploaded, length, minutes: (now - entry.lastActiveAt) / 60_000 });
      if (!reached) continue;
      entry.userPaused = true;
      this.queue.withdraw(entry);
      void torrent.stop();
      this.touch(entry, 'state');
      this.scheduleSave();
      this.log('info', reached === 'ratio' ? `${printable(torrent.meta.name)} reached its seed ratio ${ratio}: stopped` : `${printable(torrent.meta.name)} was idle ${idle} min: stopped seeding`);
      stopped.push(entry.hash);
    }
    return stopped;
  }

  log(level: LogLevel, text: string): void {
    this.emit('log', level, text);
  }

  // ---- the saved session ----

  /** The session as it would be saved now (ephemeral demo torrents left out). */
  savedSession(): SavedSession {
    const torrents: SavedTorrent[] = [];
    const magnets: SavedTorrent[] = [];
    for (const entry of this.byHash.values()) {
      const saved = savedEntry(entry);
      if (saved) (saved.magnet === undefined ? torrents : magnets).push(saved);
    }
    // Torrents first, then magnets still waiting for metadata (as files written before the service had them).
    return { version: 1, torrents: [...torrents, ...magnets] };
  }

  /** Saves now (errors logged). */
  save(): Promise<void> {
    return this.persistence.save();
  }

  /**
   * Adds the saved torrents back, paused ones paused (the others through the download queue);
   * magnets still without metadata fetch it again. Returns how many came back. An unusable
   * session file leaves `recovery` set: nothing is saved until rebuild() or keepAsIs().
   */
  async restore(): Promise<number> {
    this.restoring = true;
    let restored = 0;
    try {
      for (const saved of await this.persistence.read()) {
        try {
          await this.restoreOne(saved);
          restored++;
        } catch (error) {
          this.log('error', `cannot restore ${saved.infoHash}: ${describeError(error)}`);
        }
      }
    } finally {
      this.restoring = false;
    }
    this.queue.apply();
    return restored;
  }

  private async restoreOne(saved: SavedTorrent): Promise<void> {
    if (this.has(saved.infoHash)) throw new Error('listed twice in the session file');
    const options: AddOptions = { directory: saved.directory, paused: saved.paused, addedAt: saved.addedAt, priority: saved.priority, labels: saved.labels };
    if (saved.torrentFile === undefined) {
      if (!saved.magnet) throw new Error('a magnet without its link');
      if ((await this.addMagnet(saved.magnet, options)) !== saved.infoHash) throw new Error('its magnet names another torrent');
      applySaved(this.byHash.get(saved.infoHash)!, saved);
      return;
    }
    const file = isAbsolute(saved.torrentFile) ? saved.torrentFile : join(this.options.stateDirectory, saved.torrentFile);
    const meta = parseMetainfo(await readFile(file));
    if (meta.infoHash !== saved.infoHash) throw new Error(`${file} holds another torrent (${meta.infoHash})`);
    const priorities = saved.filePriorities.length === meta.files.length ? Uint8Array.from(saved.filePriorities) : undefined;
    const entry = newEntry(this.nextId++, meta.infoHash, meta.files.length, { ...options, filePriorities: priorities });
    entry.completedAt = saved.completedAt;
    entry.downloadedBase = saved.downloaded;
    entry.uploadedBase = saved.uploaded;
    entry.userPaused = saved.paused;
    applySaved(entry, saved);
    this.byHash.set(entry.hash, entry);
    this.byId.set(entry.id, entry);
    const torrent = this.session.add(meta, { directory: saved.directory, paused: true, filePriorities: priorities });
    // Paused or waiting in the queue, it shows the progress its resume data records, not 0%.
    if (await torrent.loadSavedProgress()) this.touch(entry, 'progress');
    // One queue pass after the loop, not one per torrent.
    if (!saved.paused) this.queue.request(entry, { defer: true });
  }

  /**
   * The answer yes to the recovery question: every saved .torrent back in the list, where the
   * damaged file said its data was if that can be made out, else in `defaultDirectory`; each
   * runs again only if its resume data finds its data there. Then saving resumes.
   */
  async rebuild(defaultDirectory: string): Promise<number> {
    const files = this.persistence.recovery?.torrentFiles ?? [];
    let added = 0;
    this.restoring = true;
    try {
      for (const file of files) {
        try {
          const meta = parseMetainfo(await readFile(file));
          if (this.byHash.get(meta.infoHash)?.torrent) continue;
          const directory = this.persistence.salvagedDirectory(meta.infoHash) ?? defaultDirectory;
          const entry = newEntry(this.nextId++, meta.infoHash, meta.files.length, {});
          this.byHash.set(entry.hash, entry);
          this.byId.set(entry.id, entry);
          const torrent = this.session.add(meta, { directory, paused: true });
          const found = await torrent.loadSavedProgress();
          entry.userPaused = !found;
          if (found) this.queue.request(entry, { defer: true });
          this.log('info', `rebuilt ${printable(meta.name)} in ${printable(directory)}${found ? '' : ' (paused: its data was not found there)'}`);
          added++;
        } catch (error) {
          this.log('error', `cannot rebuild from ${file}: ${describeError(error)}`);
        }
      }
    } finally {
      this.restoring = false;
    }
    this.persistence.release();
    this.queue.apply();
    await this.persistence.save();
    return added;
  }

  /** The answer no: the list stays as it is (the damaged file stays set aside); saving resumes. */
  async keepAsIs(): Promise<void> {
    const aside = this.persistence.recovery?.setAside;
    this.persistence.release();
    this.log('info', `keeping the list as it is${aside ? `; the old session stays in ${aside}` : ''}`);
    await this.persistence.save();
  }

  /** Stops fetching metadata and the timers, and saves (magnets stay saved as magnets). The session itself is the caller's to close. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.seedTimer);
    for (const entry of this.byHash.values()) if (entry.pending) this.magnets.cancel(entry.pending);
    this.queue.close();
    this.persistence.close();
    await this.persistence.save();
    this.session.off('added', this.onAdded);
    this.session.off('removed', this.onRemoved);
    this.session.off('warning', this.onWarning);
    for (const entry of this.byHash.values()) entry.unbind?.();
  }

  /** Stops the timers and the fetches without saving (tests that check what was saved before). */
  dispose(): void {
    this.closed = true;
    clearInterval(this.seedTimer);
    for (const entry of this.byHash.values()) if (entry.pending) this.magnets.cancel(entry.pending);
    this.queue.close();
    this.persistence.close();
    this.session.off('added', this.onAdded);
    this.session.off('removed', this.onRemoved);
    this.session.off('warning', this.onWarning);
    for (const entry of this.byHash.values()) entry.unbind?.();
  }

  // ---- internals ----

  private readonly onWarning = (message: string): void => this.log('warn', message);

  private entry(key: TorrentKey): Entry | undefined {
    const entry = typeof key === 'number' ? this.byId.get(key) : this.byHash.get(key.toLowerCase());
    return entry && (entry.torrent || entry.pending) ? entry : undefined;
  }

  private *withTorrents(): Iterable<Entry> {
    for (const entry of this.byHash.values()) if (entry.torrent) yield entry;
  }

  private countsAsDownloading(entry: Entry): boolean {
    const torrent = entry.torrent!;
    const state = torrent.state;
    const unfinished = entry.completedAt === undefined;
    return torrent.isRunning ? state === 'downloading' || (state === 'checking' && unfinished) : state !== 'error' && unfinished;
  }

  /** A magnet's entry goes in at once; a torrent's when the session reports it added. */
  private insert(entry: Entry): void {
    this.byHash.set(entry.hash, entry);
    this.byId.set(entry.id, entry);
    this.listCache = undefined;
    this.positionCache = undefined;
    entry.changedAt = ++this.sequence;
    this.emit('torrent-added', entry.ref);
  }

  private forget(entry: Entry): void {
    entry.unbind?.();
    entry.unbind = undefined;
    this.byHash.delete(entry.hash);
    this.byId.delete(entry.id);
    this.listCache = undefined;
    this.positionCache = undefined;
    for (const key of this.trackerErrors.keys()) if (key.startsWith(entry.hash)) this.trackerErrors.delete(key);
    this.removals.push({ id: entry.id, at: ++this.sequence });
    if (this.removals.length > REMOVALS_KEPT) this.removalsForgottenBefore = this.removals.splice(0, this.removals.length - REMOVALS_KEPT).at(-1)!.at;
    this.emit('torrent-removed', entry.ref);
    this.queue.schedule();
  }

  private touch(entry: Entry | undefined, kind: ChangeKind): void {
    if (!entry || !(entry.torrent || entry.pending)) return;
    entry.changedAt = ++this.sequence;
    if (kind !== 'tick') entry.quiet = false;
    this.emit('torrent-changed', entry.ref, kind);
  }

  /** Waits for the session file to hold the entry's change (not for ephemeral ones). */
  private async committed(entry: Entry): Promise<void> {
    if (entry.ephemeral || this.restoring) return;
    try {
      await this.persistence.commit();
    } catch (error) {
      this.log('error', `cannot save the session: ${describeError(error)}`);
      throw error;
    }
  }

  private scheduleSave(): void {
    if (!this.restoring) this.persistence.scheduleSave();
  }

  private nameOf(entry: Entry): string {
    return entry.torrent?.meta.name ?? entry.pending?.name ?? entry.hash;
  }

  /** A torrent whose data is being moved takes no other action until the move is over. */
  private busyMoving(entry: Entry): boolean {
    if (entry.moving) this.log('warn', `${printable(this.nameOf(entry))} is being moved: try again when the move is over`);
    return entry.moving;
  }

  private stillFetching(entry: Entry): boolean {
    if (entry.torrent) return false;
    this.log('warn', `${printable(this.nameOf(entry))} has no metadata yet`);
    return true;
  }

  private readonly onAdded = (torrent: Torrent): void => {
    const hash = torrent.meta.infoHash;
    let entry = this.byHash.get(hash);
    if (!entry) {
      entry = newEntry(this.nextId++, hash, torrent.meta.files.length, {});
      this.byHash.set(hash, entry);
      this.byId.set(entry.id, entry);
    }
    if (entry.unbind) entry.unbind();
    const replacing = entry.pending !== undefined || entry.moving;
    if (entry.pending) this.magnets.cancel(entry.pending);
    entry.pending = undefined;
    entry.torrent = torrent;
    if (entry.downloadLimit || entry.uploadLimit) torrent.setLimits({ download: entry.downloadLimit, upload: entry.uploadLimit });
    this.bind(entry, torrent);
    this.listCache = undefined;
    this.positionCache = undefined;
    if (replacing) this.touch(entry, 'state');
    else {
      entry.changedAt = ++this.sequence;
      this.emit('torrent-added', entry.ref);
    }
    this.scheduleSave();
  };

  private readonly onRemoved = (hash: string): void => {
    const entry = this.byHash.get(hash);
    if (!entry) return;
    entry.unbind?.();
    entry.unbind = undefined;
    // Moving: the stopped torrent still answers reads until the one in the new directory replaces it.
    if (entry.moving) return;
    entry.torrent = undefined;
    this.forget(entry);
    this.scheduleSave();
  };

  private bind(entry: Entry, torrent: Torrent): void {
    const name = printable(torrent.meta.name);
    const progress = () => this.touch(entry, 'progress');
    const handlers: Record<(typeof TORRENT_EVENTS)[number], (...args: any[]) => void> = {
      state: () => {
        this.touch(entry, 'state');
        this.scheduleSave();
        this.queue.schedule();
      },
      piece: progress,
      done: () => {
        // 'done' also fires when a complete torrent starts: only a real completion is news.
        if (entry.completedAt === undefined) {
          entry.completedAt = Date.now();
          this.log('info', `completed ${name}`);
        }
        entry.lastActiveAt = Date.now();
        this.touch(entry, 'state');
        this.scheduleSave();
        this.queue.schedule();
      },
      trackers: () => {
        progress();
        this.noteTrackerErrors(torrent, name);
      },
      peer: progress,
      'peer-closed': progress,
      warning: (text: string) => this.log('warn', `${name}: ${text}`),
      'error-state': (text: string) => {
        this.log('error', `${name}: ${text}`);
        this.touch(entry, 'state');
      },
      checking: (done: number, total: number) => {
        entry.checkProgress = total > 0 ? done / total : 0;
        progress();
      },
      // A running torrent ticks every second; with no peers and no traffic its summary cannot change.
      tick: () => {
        if (!entry.quiet) this.touch(entry, 'tick');
      },
    };
    for (const event of TORRENT_EVENTS) torrent.on(event, handlers[event]);
    entry.unbind = () => {
      for (const event of TORRENT_EVENTS) torrent.off(event, handlers[event]);
    };
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

  private queuePosition(entry: Entry): number {
    if (!this.positionCache) {
      const all = [...this.byHash.values()].filter((e) => e.torrent || e.pending);
      all.sort((a, b) => b.priority - a.priority || a.order - b.order);
      this.positionCache = new Map(all.map((e, i) => [e.hash, i]));
    }
    return this.positionCache.get(entry.hash) ?? 0;
  }

}
