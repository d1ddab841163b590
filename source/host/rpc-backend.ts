/**
 * The Transmission RPC's backend over the service layer: RpcTorrent snapshots from service
 * summaries, actions as service calls. Kept cheap at 10,000 torrents: a torrent's snapshot is
 * rebuilt only after a service event named it, or while it moves data (its rates change without
 * events), and the per-torrent facts that never change (metainfo) are read once.
 */
import { statfs } from 'node:fs/promises';
import { loadTorrent } from '../engine/metainfo/load-torrent.js';
import { MagnetError, parseMagnet } from '../engine/metainfo/magnet.js';
import { MetainfoError, parseMetainfo, type Metainfo } from '../engine/metainfo/metainfo.js';
import type {
  RpcAddRequest,
  RpcAddResult,
  RpcBackend,
  RpcFile,
  RpcFileSelection,
  RpcPeer,
  RpcPriority,
  RpcQueueMove,
  RpcSession,
  RpcSessionSettings,
  RpcSessionStats,
  RpcTorrent,
  RpcTorrentChanges,
  RpcTorrentParts,
  RpcTorrentStatus,
  RpcTracker,
  RpcPartsWanted,
} from '../rpc/backend.js';
import type { TorrentService } from '../service/torrent-service.js';
import type { AddOptions, TorrentSummary } from '../service/types.js';
import { scrapeUrlFor } from '../engine/discovery/tracker/scrape-url.js';
import { describeError } from '../errors.js';

/** What the backend needs of the process around it: its settings and how to stop it. */
export interface RpcBackendHost {
  version: string;
  configDir: string;
  peerPort: () => number;
  settings: () => { dht: boolean; lsd: boolean; maxPeersPerTorrent: number; maxConnections: number };
  /** Persist what session-set changed that the service does not keep (e.g. the listen port for the next start). */
  saveSettings?: (patch: { port?: number }) => void;
  shutdown?: () => void;
}

interface Cached {
  torrent: RpcTorrent;
  /** Rebuilt on the next read: an event named it, or it was moving data when built. */
  stale: boolean;
}

interface StaticFacts {
  pieceSize: number;
  fileCount: number;
  comment: string;
  creator: string;
  dateCreated: number;
  isPrivate: boolean;
  magnetLink: string;
  webseeds: readonly string[];
}

const TRACKER_REUSE_MS = 5000;
const REMOVED_MEMORY_MS = 10 * 60_000;

export class ServiceRpcBackend implements RpcBackend {
  private readonly cache = new Map<number, Cached>();
  private readonly facts = new Map<number, StaticFacts>();
  private readonly dates = new Map<number, { activity: number; edit: number; start: number }>();
  private readonly removed: { id: number; at: number }[] = [];
  private readonly trackers = new Map<number, { at: number; list: RpcTracker[] }>();
  private list?: RpcTorrent[];
  private readonly startedAt = Date.now();

  constructor(
    private readonly service: TorrentService,
    private readonly host: RpcBackendHost,
  ) {
    service.on('torrent-added', (ref) => {
      this.list = undefined;
      this.datesOf(ref.id).edit = Date.now();
    });
    service.on('torrent-changed', (ref, kind) => {
      const cached = this.cache.get(ref.id);
      if (cached) cached.stale = true;
      const dates = this.datesOf(ref.id);
      const now = Date.now();
      if (kind === 'settings' || kind === 'state') dates.edit = now;
      if (kind === 'progress') dates.activity = now;
      if (kind === 'state') {
        const state = service.summary(ref.id)?.state;
        if (state === 'downloading' || state === 'seeding' || state === 'metadata') dates.start = now;
        // A magnet that got its metadata has facts now.
        this.facts.delete(ref.id);
      }
    });
    service.on('torrent-removed', (ref) => {
      this.list = undefined;
      this.cache.delete(ref.id);
      this.facts.delete(ref.id);
      this.dates.delete(ref.id);
      this.trackers.delete(ref.id);
      const now = Date.now();
      this.removed.push({ id: ref.id, at: now });
      while (this.removed.length > 0 && this.removed[0]!.at < now - REMOVED_MEMORY_MS) this.removed.shift();
    });
  }

  // ---- reads ----

  listTorrents(): readonly RpcTorrent[] {
    const refs = this.service.list();
    const out = this.list && this.list.length === refs.length ? this.list : new Array<RpcTorrent>(refs.length);
    let n = 0;
    for (const ref of refs) {
      let cached = this.cache.get(ref.id);
      if (!cached || cached.stale) {
        const summary = this.service.summary(ref.id);
        if (!summary) continue;
        const torrent = this.toRpc(summary);
        cached = { torrent, stale: summary.downloadRate > 0 || summary.uploadRate > 0 || summary.state === 'checking' || summary.state === 'metadata' };
        this.cache.set(ref.id, cached);
      }
      out[n++] = cached.torrent;
    }
    out.length = n;
    this.list = out;
    return out;
  }

  torrentParts(hashString: string, wanted: RpcPartsWanted): RpcTorrentParts {
    const ref = this.service.ref(hashString);
    if (!ref) return {};
    const parts: { files?: RpcFile[]; peers?: RpcPeer[]; trackers?: RpcTracker[]; pieces?: Uint8Array } = {};
    if (wanted.files) parts.files = this.filesOf(ref.id);
    if (wanted.peers) parts.peers = this.peersOf(ref.id);
    if (wanted.trackers) parts.trackers = this.trackersOf(ref.id);
    if (wanted.pieces) parts.pieces = this.service.pieces(ref.id)?.have ?? new Uint8Array(0);
    return parts;
  }

  removedSince(sinceMs: number): readonly number[] {
    return this.removed.filter((r) => r.at >= sinceMs).map((r) => r.id);
  }

  private toRpc(s: TorrentSummary): RpcTorrent {
    const facts = this.factsOf(s.id);
    const dates = this.datesOf(s.id);
    const now = Date.now();
    if (s.downloadRate > 0 || s.uploadRate > 0) dates.activity = now;
    const peers = s.downloadRate > 0 || s.uploadRate > 0 ? this.service.peers(s.id) ?? [] : [];
    let sending = 0;
    let getting = 0;
    for (const p of peers) {
      if (p.downloadRate > 0) sending++;
      if (p.uploadRate > 0) getting++;
    }
    const seeding = s.state === 'seeding';
    return {
      id: s.id,
      hashString: s.infoHash,
      name: s.name,
      status: statusOf(s),
      error: s.error ? 'local' : 'none',
      errorString: s.error ?? '',
      totalSize: s.size,
      sizeWhenDone: s.wantedBytes,
      leftUntilDone: s.leftUntilDone,
      haveValid: s.completedBytes,
      haveUnchecked: 0,
      desiredAvailable: this.desiredAvailable(s, s.leftUntilDone),
      corruptEver: 0,
      downloadedEver: s.downloaded,
      uploadedEver: s.uploaded,
      rateDownload: s.downloadRate,
      rateUpload: s.uploadRate,
      metadataPercentComplete: s.state === 'metadata' ? (s.checkProgress ?? 0) : 1,
      recheckProgress: s.state === 'checking' ? (s.checkProgress ?? 0) : 0,
      peersConnected: s.peers,
      peersGettingFromUs: getting,
      peersSendingToUs: sending,
      webseedsSendingToUs: 0,
      pieceCount: s.pieceCount,
      pieceSize: facts.pieceSize,
      fileCount: facts.fileCount,
      labels: s.labels,
      seedRatioLimit: s.seedRatioLimit,
      seedRatioMode: s.seedRatioMode,
      seedIdleLimit: s.seedIdleLimit,
      seedIdleMode: s.seedIdleMode,
      downloadLimit: s.downloadLimit,
      downloadLimited: s.downloadLimit > 0,
      uploadLimit: s.uploadLimit,
      uploadLimited: s.uploadLimit > 0,
      honorsSessionLimits: true,
      bandwidthPriority: (s.priority - 2) as RpcPriority,
      peerLimit: this.host.settings().maxPeersPerTorrent,
      sequentialDownload: false,
      addedDate: s.addedAt,
      doneDate: s.completedAt ?? 0,
      activityDate: dates.activity,
      startDate: dates.start,
      editDate: dates.edit,
      dateCreated: facts.dateCreated,
      manualAnnounceTime: 0,
      secondsDownloading: 0,
      // Since completion while seeding: btui keeps no seeding clock across pauses yet.
      secondsSeeding: seeding && s.completedAt ? Math.max(0, Math.floor((now - Math.max(s.completedAt, dates.start)) / 1000)) : 0,
      isStalled: false,
      downloadDir: s.directory,
      queuePosition: s.queuePosition,
      comment: facts.comment,
      creator: facts.creator,
      isPrivate: facts.isPrivate,
      magnetLink: facts.magnetLink || s.magnet || '',
      webseeds: facts.webseeds,
    };
  }

  /**
   * tr_stat.desiredAvailable: bytes still wanted that connected peers have. The RPC's eta is -1
   * (not available) while it is below leftUntilDone, so without it Sonarr and Flood would never
   * show a time left. A connected seed has everything; otherwise the pieces' availability counts.
   */
  private desiredAvailable(s: TorrentSummary, left: number): number {
    if (left === 0 || s.peers === 0 || s.state !== 'downloading') return 0;
    if (s.seeds > 0) return left;
    const pieces = this.service.pieces(s.id);
    if (!pieces) return 0;
    let bytes = 0;
    const last = pieces.pieceCount - 1;
    for (let i = 0; i < pieces.pieceCount; i++) {
      if (pieces.availability[i] === 0 || (pieces.have[i >> 3]! & (0x80 >> (i & 7))) !== 0) continue;
      bytes += i === last ? s.size - last * pieces.pieceLength : pieces.pieceLength;
    }
    return Math.min(left, bytes);
  }

  private factsOf(id: number): StaticFacts {
    let facts = this.facts.get(id);
    if (facts) return facts;
    const info = this.service.info(id);
    const meta = this.service.metainfo(id);
    facts = {
      pieceSize: info?.pieceLength ?? 0,
      fileCount: info?.fileCount ?? 0,
      comment: info?.comment ?? '',
      creator: info?.createdBy ?? '',
      dateCreated: info?.creationDate ? info.creationDate * 1000 : 0,
      isPrivate: info?.private ?? false,
      magnetLink: info?.magnet ?? '',
      webseeds: meta?.urlList ?? [],
    };
    if (meta) this.facts.set(id, facts);
    return facts;
  }

  private datesOf(id: number): { activity: number; edit: number; start: number } {
    let dates = this.dates.get(id);
    if (!dates) {
      dates = { activity: 0, edit: 0, start: 0 };
      this.dates.set(id, dates);
    }
    return dates;
  }

  private filesOf(id: number): RpcFile[] {
    const meta = this.service.metainfo(id);
    const files = this.service.files(id);
    if (!meta || !files) return [];
    return files.map((f) => ({
      name: meta.files[f.index]!.path.join('/'),
      length: f.length,
      bytesCompleted: Math.min(f.length, f.completed),
      wanted: f.priority !== 0,
      priority: f.priority === 2 ? 1 : 0,
    }));
  }

  private peersOf(id: number): RpcPeer[] {
    return (this.service.peers(id) ?? []).map((p) => ({
      address: p.host,
      port: p.port,
      clientName: p.client,
      progress: p.progress,
      rateToClient: p.downloadRate,
      rateToPeer: p.uploadRate,
      isEncrypted: false,
      isIncoming: p.incoming,
      isUtp: false,
      clientIsChoked: p.peerChoking,
      clientIsInterested: p.amInterested,
      peerIsChoked: p.amChoking,
      peerIsInterested: p.peerInterested,
      isDownloadingFrom: p.downloadRate > 0,
      isUploadingTo: p.uploadRate > 0,
    }));
  }

  /** Announces change them every few minutes: a poll every 2 s reuses the same array (the RPC caches what it made of it). */
  private trackersOf(id: number): RpcTracker[] {
    const now = Date.now();
    const cached = this.trackers.get(id);
    if (cached && now - cached.at < TRACKER_REUSE_MS) return cached.list;
    const list: RpcTracker[] = (this.service.trackers(id) ?? []).map((t, i) => ({
      id: i,
      announce: t.url,
      scrape: scrapeUrl(t.url),
      tier: t.tier,
      announceState: t.status === 'announcing' ? 3 : 1,
      hasAnnounced: t.lastAnnounceAt !== undefined,
      lastAnnounceSucceeded: t.status === 'working',
      lastAnnounceResult: t.lastError ?? (t.status === 'working' ? 'Success' : ''),
      lastAnnounceTime: t.lastAnnounceAt ?? 0,
      nextAnnounceTime: t.nextAnnounceAt ?? 0,
      seederCount: t.seeders ?? -1,
      leecherCount: t.leechers ?? -1,
      downloadCount: -1,
    }));
    // Unchanged since the last build: the same array, so what the RPC made of it stays valid.
    if (cached && sameTrackers(cached.list, list)) {
      this.trackers.set(id, { at: now, list: cached.list });
      return cached.list;
    }
    this.trackers.set(id, { at: now, list });
    return list;
  }

  // ---- actions ----

  async addTorrent(request: RpcAddRequest): Promise<RpcAddResult> {
    const { source } = request;
    const options: AddOptions = {
      directory: request.downloadDir,
      paused: request.paused,
      labels: request.labels,
      priority: request.bandwidthPriority === undefined ? undefined : request.bandwidthPriority + 2,
    };
    if (source.kind === 'magnet') {
      let hash: string;
      try {
        hash = parseMagnet(source.uri).infoHash;
      } catch (error) {
        throw new Error(error instanceof MagnetError ? `invalid magnet link: ${error.message}` : describeError(error));
      }
      const existing = this.duplicate(hash);
      if (existing) return existing;
      await this.service.addMagnet(source.uri, options);
      return this.added(hash, 'could not add the magnet link');
    }
    const meta = await this.metainfoOf(source);
    const existing = this.duplicate(meta.infoHash);
    if (existing) return existing;
    const priorities = filePrioritiesFor(meta, request);
    if (priorities) options.filePriorities = Uint8Array.from(priorities);
    await this.service.addMetainfo(meta, options);
    return this.added(meta.infoHash, 'could not add the torrent');
  }

  private async metainfoOf(source: Exclude<RpcAddRequest['source'], { kind: 'magnet' }>): Promise<Metainfo> {
    try {
      if (source.kind === 'metainfo') return parseMetainfo(Buffer.from(source.bytes.buffer, source.bytes.byteOffset, source.bytes.byteLength));
      return await loadTorrent(source.kind === 'url' ? source.url : source.path);
    } catch (error) {
      if (error instanceof MetainfoError) throw new Error(`invalid or corrupt torrent file (${error.message})`);
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`no such file: ${source.kind === 'file' ? source.path : ''}`);
      throw new Error(describeError(error));
    }
  }

  private duplicate(hash: string): RpcAddResult | undefined {
    const ref = this.service.ref(hash);
    if (!ref) return undefined;
    return { duplicate: true, id: ref.id, name: this.service.summary(ref.id)?.name ?? '', hashString: hash };
  }

  private added(hash: string, failure: string): RpcAddResult {
    const ref = this.service.ref(hash);
    if (!ref) throw new Error(failure);
    return { duplicate: false, id: ref.id, name: this.service.summary(ref.id)?.name ?? '', hashString: hash };
  }

  async removeTorrents(hashes: readonly string[], deleteLocalData: boolean): Promise<void> {
    for (const hash of hashes) await this.service.remove(hash, { deleteData: deleteLocalData });
  }

  async startTorrents(hashes: readonly string[], now: boolean): Promise<void> {
    for (const hash of hashes) await (now ? this.service.startNow(hash) : this.service.start(hash));
  }

  async stopTorrents(hashes: readonly string[]): Promise<void> {
    for (const hash of hashes) await this.service.stop(hash);
  }

  async verifyTorrents(hashes: readonly string[]): Promise<void> {
    await Promise.all(hashes.map((hash) => this.service.verify(hash)));
  }

  reannounceTorrents(hashes: readonly string[]): void {
    for (const hash of hashes) this.service.reannounce(hash);
  }

  async setLocation(hashes: readonly string[], location: string, move: boolean): Promise<void> {
    for (const hash of hashes) {
      const ok = await this.service.move(hash, location, { moveData: move });
      if (!ok) throw new Error(`could not ${move ? 'move the data of' : 'relocate'} ${this.service.summary(hash)?.name ?? hash} to ${location} (see the log)`);
    }
  }

  async setTorrents(hashes: readonly string[], changes: RpcTorrentChanges): Promise<void> {
    if (changes.trackerAdd || changes.trackerRemove || changes.trackerList) throw new Error('btui cannot edit a torrent\'s trackers yet');
    for (const hash of hashes) {
      const summary = this.service.summary(hash);
      if (!summary) continue;
      if (changes.labels) await this.service.setLabels(hash, changes.labels);
      const goals = {
        ...(changes.seedRatioLimit !== undefined ? { seedRatioLimit: changes.seedRatioLimit } : {}),
        ...(changes.seedRatioMode !== undefined ? { seedRatioMode: changes.seedRatioMode } : {}),
        ...(changes.seedIdleLimit !== undefined ? { seedIdleLimit: changes.seedIdleLimit } : {}),
        ...(changes.seedIdleMode !== undefined ? { seedIdleMode: changes.seedIdleMode } : {}),
      };
      if (Object.keys(goals).length > 0) await this.service.setSeedGoals(hash, goals);
      const limits = {
        download: nextLimit(summary.downloadLimit, changes.downloadLimit, changes.downloadLimited),
        upload: nextLimit(summary.uploadLimit, changes.uploadLimit, changes.uploadLimited),
      };
      if (limits.download !== summary.downloadLimit || limits.upload !== summary.uploadLimit) await this.service.setTorrentLimits(hash, limits);
      if (changes.bandwidthPriority !== undefined) await this.service.setPriority(hash, changes.bandwidthPriority + 2);
      if (changes.queuePosition !== undefined) await this.service.setQueuePosition(hash, changes.queuePosition);
      const priorities = this.filePriorityChanges(hash, changes);
      if (priorities) await this.service.setFilePriorities(hash, priorities);
      if (changes.location !== undefined) await this.setLocation([hash], changes.location, false);
    }
  }

  private filePriorityChanges(hash: string, changes: RpcTorrentChanges): number[] | undefined {
    const { filesWanted, filesUnwanted, priorityHigh, priorityNormal, priorityLow } = changes;
    if (!filesWanted && !filesUnwanted && !priorityHigh && !priorityNormal && !priorityLow) return undefined;
    const files = this.service.files(hash);
    const meta = this.service.metainfo(hash);
    if (!files || !meta) return undefined;
    const priorities = Array.from({ length: meta.files.length }, () => 1);
    for (const f of files) priorities[f.index] = f.priority;
    const apply = (selection: RpcFileSelection | undefined, change: (current: number) => number) => {
      if (!selection) return;
      const indices = selection === 'all' ? files.map((_, i) => i) : selection;
      for (const i of indices) {
        const file = files[i];
        if (!file) throw new Error(`no file ${i} in ${meta.name}`);
        priorities[file.index] = change(priorities[file.index]!);
      }
    };
    // Wanted-ness and priority are one number here (0 skip, 1 normal, 2 high); low counts as normal.
    apply(filesWanted, (p) => (p === 0 ? 1 : p));
    apply(priorityHigh, (p) => (p === 0 ? 0 : 2));
    apply(priorityNormal, (p) => (p === 0 ? 0 : 1));
    apply(priorityLow, (p) => (p === 0 ? 0 : 1));
    apply(filesUnwanted, () => 0);
    return priorities;
  }

  async moveInQueue(hashes: readonly string[], where: RpcQueueMove): Promise<void> {
    const ordered = hashes
      .map((hash) => this.service.summary(hash))
      .filter((s): s is TorrentSummary => s !== undefined)
      .sort((a, b) => a.queuePosition - b.queuePosition);
    // Top and down go in reverse so the selection keeps its own order.
    if (where === 'top' || where === 'down') ordered.reverse();
    const last = Math.max(0, this.service.size - 1);
    for (const s of ordered) {
      const position = this.service.summary(s.id)?.queuePosition ?? s.queuePosition;
      const target = where === 'top' ? 0 : where === 'bottom' ? last : where === 'up' ? Math.max(0, position - 1) : Math.min(last, position + 1);
      if (target !== position) await this.service.setQueuePosition(s.id, target);
    }
  }

  // ---- the session ----

  getSession(): RpcSession {
    const global = this.service.global();
    const settings = this.host.settings();
    return {
      btuiVersion: this.host.version,
      configDir: this.host.configDir,
      settings: {
        downloadDir: global.downloadDirectory,
        incompleteDir: global.downloadDirectory,
        incompleteDirEnabled: false,
        startAddedTorrents: true,
        renamePartialFiles: false,
        trashOriginalTorrentFiles: false,
        peerPort: this.host.peerPort(),
        peerPortRandomOnStart: false,
        portForwardingEnabled: false,
        peerLimitGlobal: settings.maxConnections,
        peerLimitPerTorrent: settings.maxPeersPerTorrent,
        dhtEnabled: settings.dht,
        pexEnabled: true,
        lpdEnabled: settings.lsd,
        utpEnabled: false,
        encryption: 'tolerated',
        speedLimitDown: global.downloadLimit,
        speedLimitDownEnabled: global.downloadLimit > 0,
        speedLimitUp: global.uploadLimit,
        speedLimitUpEnabled: global.uploadLimit > 0,
        altSpeedDown: 0,
        altSpeedUp: 0,
        altSpeedEnabled: false,
        altSpeedTimeEnabled: false,
        altSpeedTimeBegin: 540,
        altSpeedTimeEnd: 1020,
        altSpeedTimeDay: 127,
        seedRatioLimit: global.seedRatioLimit ?? 2,
        seedRatioLimited: global.seedRatioLimit !== undefined,
        idleSeedingLimit: global.seedIdleLimit ?? 30,
        idleSeedingLimitEnabled: global.seedIdleLimit !== undefined,
        downloadQueueEnabled: global.maxActiveDownloads > 0,
        downloadQueueSize: global.maxActiveDownloads > 0 ? global.maxActiveDownloads : 5,
        seedQueueEnabled: false,
        seedQueueSize: 10,
        queueStalledEnabled: false,
        queueStalledMinutes: 30,
        cacheSizeMb: 16,
      },
    };
  }

  setSession(changes: Partial<RpcSessionSettings>): void {
    const global = this.service.global();
    const download = nextLimit(global.downloadLimit, changes.speedLimitDown, changes.speedLimitDownEnabled);
    const upload = nextLimit(global.uploadLimit, changes.speedLimitUp, changes.speedLimitUpEnabled);
    if (download !== global.downloadLimit || upload !== global.uploadLimit) this.service.setGlobalLimits({ download, upload });
    if (changes.downloadDir !== undefined) this.service.setDownloadDirectory(changes.downloadDir);
    if (changes.seedRatioLimited !== undefined || changes.seedRatioLimit !== undefined) {
      const limited = changes.seedRatioLimited ?? global.seedRatioLimit !== undefined;
      this.service.setGlobalSeedGoals({ ratio: limited ? (changes.seedRatioLimit ?? global.seedRatioLimit ?? 2) : null });
    }
    if (changes.idleSeedingLimitEnabled !== undefined || changes.idleSeedingLimit !== undefined) {
      const limited = changes.idleSeedingLimitEnabled ?? global.seedIdleLimit !== undefined;
      this.service.setGlobalSeedGoals({ idleMinutes: limited ? (changes.idleSeedingLimit ?? global.seedIdleLimit ?? 30) : null });
    }
    if (changes.downloadQueueEnabled !== undefined || changes.downloadQueueSize !== undefined) {
      const enabled = changes.downloadQueueEnabled ?? global.maxActiveDownloads > 0;
      this.service.setMaxActiveDownloads(enabled ? (changes.downloadQueueSize ?? (global.maxActiveDownloads || 5)) : 0);
    }
    if (changes.peerPort !== undefined) this.host.saveSettings?.({ port: changes.peerPort });
  }

  sessionStats(): RpcSessionStats {
    const global = this.service.global();
    let downloaded = 0;
    let uploaded = 0;
    for (const t of this.listTorrents()) {
      downloaded += t.downloadedEver;
      uploaded += t.uploadedEver;
    }
    const block = { uploadedBytes: uploaded, downloadedBytes: downloaded, filesAdded: this.service.size, sessionCount: 1, secondsActive: Math.floor((Date.now() - this.startedAt) / 1000) };
    return { downloadSpeed: global.downloadRate, uploadSpeed: global.uploadRate, cumulative: block, current: block };
  }

  async freeSpace(path: string): Promise<{ sizeBytes: number; totalSize: number }> {
    try {
      const s = await statfs(path);
      return { sizeBytes: s.bavail * s.bsize, totalSize: s.blocks * s.bsize };
    } catch (error) {
      throw new Error(`${path}: ${describeError(error)}`);
    }
  }

  portTest(): boolean {
    return false;
  }

  shutdown(): void {
    this.host.shutdown?.();
  }
}

function statusOf(s: TorrentSummary): RpcTorrentStatus {
  switch (s.state) {
    case 'checking':
      return 'check';
    case 'downloading':
    case 'metadata':
      return 'download';
    case 'seeding':
      return 'seed';
    case 'queued':
      return 'download-wait';
    default:
      return 'stopped';
  }
}

/** Transmission keeps a limit's value and whether it applies apart; btui has one number (0 = none). */
function nextLimit(current: number, value: number | undefined, limited: boolean | undefined): number {
  if (limited === false) return 0;
  if (value !== undefined && (limited === true || current > 0)) return Math.max(0, Math.round(value));
  return current;
}

function filePrioritiesFor(meta: Metainfo, request: RpcAddRequest): number[] | undefined {
  const { filesWanted, filesUnwanted, priorityHigh } = request;
  if (!filesWanted && !filesUnwanted && !priorityHigh) return undefined;
  const real = meta.files.map((f, i) => ({ f, i })).filter(({ f }) => !f.padding);
  const priorities = meta.files.map(() => 1);
  const pick = (selection: RpcFileSelection | undefined) => (selection === undefined ? [] : selection === 'all' ? real.map((_, k) => k) : selection);
  if (filesWanted && filesWanted !== 'all') {
    for (const { i } of real) priorities[i] = 0;
    for (const k of filesWanted) if (real[k]) priorities[real[k]!.i] = 1;
  }
  for (const k of pick(filesUnwanted)) if (real[k]) priorities[real[k]!.i] = 0;
  for (const k of pick(priorityHigh)) if (real[k] && priorities[real[k]!.i] !== 0) priorities[real[k]!.i] = 2;
  return priorities;
}

function sameTrackers(a: readonly RpcTracker[], b: readonly RpcTracker[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]! as unknown as Record<string, unknown>;
    for (const key of Object.keys(x) as (keyof RpcTracker)[]) if (x[key] !== y[key]) return false;
  }
  return true;
}

function scrapeUrl(announce: string): string {
  try {
    return /^udp:/i.test(announce) ? announce : scrapeUrlFor(announce);
  } catch {
    return '';
  }
}
