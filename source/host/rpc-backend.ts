/**
 * The Transmission RPC's backend over the service layer: RpcTorrent snapshots from service
 * summaries, actions as service calls. Kept cheap at 10,000 torrents: a torrent's snapshot is
 * rebuilt only after a service event named it, or while it moves data (its rates change without
 * events), and the per-torrent facts that never change are read from the metainfo, not copied.
 */
import type {
  RpcAddRequest,
  RpcAddResult,
  RpcBackend,
  RpcPriority,
  RpcQueueMove,
  RpcSession,
  RpcSessionSettings,
  RpcSessionStats,
  RpcTorrent,
  RpcTorrentChanges,
  RpcTorrentParts,
  RpcTorrentStatus,
  RpcPartsWanted,
  RpcPeersFrom,
} from '../rpc/backend.js';
import type { TorrentService } from '../service/torrent-service.js';
import type { PeersFrom, TorrentSummary } from '../service/types.js';
import { addTorrent } from './rpc-add.js';
import { RpcParts } from './rpc-parts.js';
import { applySessionChanges, freeSpace, sessionOf } from './rpc-session.js';
import type { EncryptionSetting } from '../settings.js';
import { moveInQueue, setLocation, setTorrents } from './rpc-torrent-set.js';

/** What the backend needs of the process around it: its settings and how to stop it. */
export interface RpcBackendHost {
  version: string;
  configDir: string;
  peerPort: () => number;
  settings: () => { dht: boolean; lsd: boolean; maxPeersPerTorrent: number; maxConnections: number; encryption: EncryptionSetting };
  /** Applies and saves what session-set changed that the service does not keep (the listen port for the next start, encryption). */
  saveSettings?: (patch: { port?: number; encryption?: EncryptionSetting }) => void;
  shutdown?: () => void;
}

interface Cached {
  torrent: RpcTorrent;
  /** Rebuilt on the next read: an event named it, or it was moving data when built. */
  stale: boolean;
}

const NO_WEBSEEDS: readonly string[] = Object.freeze([]);

const REMOVED_MEMORY_MS = 10 * 60_000;

export class ServiceRpcBackend implements RpcBackend {
  private readonly cache = new Map<number, Cached>();
  private readonly dates = new Map<number, { activity: number; edit: number; start: number }>();
  private readonly removed: { id: number; at: number }[] = [];
  private readonly parts: RpcParts;
  private list?: RpcTorrent[];
  private readonly startedAt = Date.now();

  constructor(
    private readonly service: TorrentService,
    private readonly host: RpcBackendHost,
  ) {
    this.parts = new RpcParts(service);
    service.on('torrent-added', (ref) => {
      this.list = undefined;
      this.datesOf(ref.id).edit = Date.now();
    });
    service.on('torrent-changed', (ref, kind) => {
      const cached = this.cache.get(ref.id);
      if (cached) cached.stale = true;
      if (kind === 'trackers' || kind === 'state') this.parts.trackersChanged(ref.id);
      const dates = this.datesOf(ref.id);
      const now = Date.now();
      if (kind === 'settings' || kind === 'state') dates.edit = now;
      if (kind === 'progress') dates.activity = now;
      if (kind === 'state') {
        const state = service.summary(ref.id)?.state;
        if (state === 'downloading' || state === 'seeding' || state === 'metadata') dates.start = now;
      }
    });
    service.on('torrent-removed', (ref) => {
      this.list = undefined;
      this.cache.delete(ref.id);
      this.dates.delete(ref.id);
      this.parts.forget(ref.id);
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
        cached = {
          torrent,
          stale: summary.downloadRate > 0 || summary.uploadRate > 0 || summary.state === 'checking' || summary.state === 'metadata',
        };
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
    const parts: { -readonly [K in keyof RpcTorrentParts]: RpcTorrentParts[K] } = {};
    if (wanted.files) parts.files = this.parts.files(ref.id);
    if (wanted.peers) parts.peers = this.parts.peers(ref.id);
    if (wanted.trackers) parts.trackers = this.parts.trackers(ref.id);
    if (wanted.pieces) parts.pieces = this.service.pieces(ref.id)?.have ?? new Uint8Array(0);
    return parts;
  }

  magnetLink(hashString: string): string {
    return this.service.info(hashString)?.magnet ?? '';
  }

  removedSince(sinceMs: number): readonly number[] {
    return this.removed.filter((r) => r.at >= sinceMs).map((r) => r.id);
  }

  private toRpc(s: TorrentSummary): RpcTorrent {
    // The metainfo's facts are its own strings and arrays: nothing copied per torrent.
    const meta = this.service.metainfo(s.id);
    const dates = this.datesOf(s.id);
    const now = Date.now();
    if (s.downloadRate > 0 || s.uploadRate > 0) dates.activity = now;
    const peers = s.downloadRate > 0 || s.uploadRate > 0 ? (this.service.peers(s.id) ?? []) : [];
    let sending = 0;
    let getting = 0;
    for (const p of peers) {
      if (p.downloadRate > 0) sending++;
      if (p.uploadRate > 0) getting++;
    }
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
      corruptEver: s.corrupt,
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
      pieceSize: meta?.pieceLength ?? 0,
      fileCount: meta?.files.length ?? 0,
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
      dateCreated: meta?.creationDate ? meta.creationDate * 1000 : 0,
      manualAnnounceTime: 0,
      secondsDownloading: s.secondsDownloading,
      secondsSeeding: s.secondsSeeding,
      clockRunning: s.clockRunning,
      clockAt: s.clockAt,
      peersFrom: peersFromOf(s.peersFrom),
      isStalled: false,
      downloadDir: s.directory,
      queuePosition: s.queuePosition,
      comment: meta?.comment ?? '',
      creator: meta?.createdBy ?? '',
      isPrivate: meta?.private ?? false,
      // A torrent's is made when asked (magnetLink()); a magnet waiting for metadata has its own.
      magnetLink: meta ? '' : (s.magnet ?? ''),
      webseeds: meta?.urlList ?? NO_WEBSEEDS,
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

  private datesOf(id: number): { activity: number; edit: number; start: number } {
    let dates = this.dates.get(id);
    if (!dates) {
      dates = { activity: 0, edit: 0, start: 0 };
      this.dates.set(id, dates);
    }
    return dates;
  }

  // ---- actions ----

  addTorrent(request: RpcAddRequest): Promise<RpcAddResult> {
    return addTorrent(this.service, request);
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

  setLocation(hashes: readonly string[], location: string, move: boolean): Promise<void> {
    return setLocation(this.service, hashes, location, move);
  }

  setTorrents(hashes: readonly string[], changes: RpcTorrentChanges): Promise<void> {
    return setTorrents(this.service, hashes, changes);
  }

  moveInQueue(hashes: readonly string[], where: RpcQueueMove): Promise<void> {
    return moveInQueue(this.service, hashes, where);
  }

  // ---- the session ----

  getSession(): RpcSession {
    return sessionOf(this.service, this.host);
  }

  setSession(changes: Partial<RpcSessionSettings>): void {
    applySessionChanges(this.service, this.host, changes);
  }

  freeSpace(path: string): Promise<{ sizeBytes: number; totalSize: number }> {
    return freeSpace(path);
  }

  sessionStats(): RpcSessionStats {
    const global = this.service.global();
    let downloaded = 0;
    let uploaded = 0;
    for (const t of this.listTorrents()) {
      downloaded += t.downloadedEver;
      uploaded += t.uploadedEver;
    }
    const block = {
      uploadedBytes: uploaded,
      downloadedBytes: downloaded,
      filesAdded: this.service.size,
      sessionCount: 1,
      secondsActive: Math.floor((Date.now() - this.startedAt) / 1000),
    };
    return { downloadSpeed: global.downloadRate, uploadSpeed: global.uploadRate, cumulative: block, current: block };
  }

  portTest(): boolean {
    return false;
  }

  shutdown(): void {
    this.host.shutdown?.();
  }
}

function peersFromOf(p: PeersFrom): RpcPeersFrom {
  return {
    fromCache: p.cache,
    fromDht: p.dht,
    fromIncoming: p.incoming,
    fromLpd: p.lpd,
    fromLtep: p.ltep,
    fromPex: p.pex,
    fromTracker: p.tracker,
  };
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
