// An in-memory RpcBackend for the RPC tests: torrents made from a seed number, every call recorded.
import { createHash } from 'node:crypto';
import type {
  RpcAddRequest,
  RpcAddResult,
  RpcBackend,
  RpcPartsWanted,
  RpcQueueMove,
  RpcSession,
  RpcSessionSettings,
  RpcSessionStats,
  RpcTorrent,
  RpcTorrentChanges,
  RpcTorrentParts,
} from '../../source/rpc/backend.js';

export type Call = { method: string; args: unknown[] };

export const T0 = Date.UTC(2026, 0, 2, 3, 4, 5);

export function hashOf(n: number): string {
  return createHash('sha1').update(`torrent ${n}`).digest('hex');
}

/** A plausible torrent; `i` picks the status and the numbers. */
export function makeTorrent(i: number, overrides: Partial<RpcTorrent> = {}): RpcTorrent {
  const pieceSize = 262_144;
  const totalSize = 10 * pieceSize + (i % 7) * 1000;
  const statuses = ['download', 'seed', 'stopped', 'download-wait'] as const;
  const status = statuses[i % statuses.length]!;
  const left = status === 'seed' ? 0 : Math.floor(totalSize / 3);
  return {
    id: i,
    hashString: hashOf(i),
    name: `Torrent ${i}`,
    status,
    error: 'none',
    errorString: '',
    totalSize,
    sizeWhenDone: totalSize,
    leftUntilDone: left,
    haveValid: totalSize - left,
    haveUnchecked: 0,
    desiredAvailable: left,
    corruptEver: 0,
    downloadedEver: totalSize - left,
    uploadedEver: i * 1000,
    rateDownload: status === 'download' ? 50_000 : 0,
    rateUpload: status === 'seed' ? 20_000 : 0,
    metadataPercentComplete: 1,
    recheckProgress: 0,
    peersConnected: 3,
    peersGettingFromUs: 1,
    peersSendingToUs: status === 'download' ? 2 : 0,
    webseedsSendingToUs: 0,
    pieceCount: Math.ceil(totalSize / pieceSize),
    pieceSize,
    fileCount: 2,
    labels: i % 2 === 0 ? ['tv'] : [],
    seedRatioLimit: 2,
    seedRatioMode: 'global',
    seedIdleLimit: 30,
    seedIdleMode: 'global',
    downloadLimit: 100_000,
    downloadLimited: false,
    uploadLimit: 100_000,
    uploadLimited: false,
    honorsSessionLimits: true,
    bandwidthPriority: 0,
    peerLimit: 50,
    sequentialDownload: false,
    addedDate: T0 - 3_600_000,
    doneDate: status === 'seed' ? T0 - 1_800_000 : 0,
    activityDate: T0 - 120_000,
    startDate: T0 - 3_600_000,
    editDate: 0,
    dateCreated: T0 - 86_400_000,
    manualAnnounceTime: 0,
    secondsDownloading: 600,
    secondsSeeding: status === 'seed' ? 1800 : 0,
    isStalled: false,
    downloadDir: '/downloads',
    queuePosition: i,
    comment: 'a comment',
    creator: 'btui test',
    isPrivate: false,
    magnetLink: `magnet:?xt=urn:btih:${hashOf(i)}&dn=Torrent%20${i}`,
    webseeds: [],
    ...overrides,
  };
}

export const DEFAULT_SETTINGS: RpcSessionSettings = {
  downloadDir: '/downloads',
  incompleteDir: '/downloads/incomplete',
  incompleteDirEnabled: false,
  startAddedTorrents: true,
  renamePartialFiles: true,
  trashOriginalTorrentFiles: false,
  peerPort: 51413,
  peerPortRandomOnStart: false,
  portForwardingEnabled: false,
  peerLimitGlobal: 200,
  peerLimitPerTorrent: 50,
  dhtEnabled: true,
  pexEnabled: true,
  lpdEnabled: false,
  utpEnabled: false,
  encryption: 'preferred',
  speedLimitDown: 100_000,
  speedLimitDownEnabled: false,
  speedLimitUp: 50_000,
  speedLimitUpEnabled: true,
  altSpeedDown: 50_000,
  altSpeedUp: 50_000,
  altSpeedEnabled: false,
  altSpeedTimeEnabled: false,
  altSpeedTimeBegin: 540,
  altSpeedTimeEnd: 1020,
  altSpeedTimeDay: 127,
  seedRatioLimit: 2,
  seedRatioLimited: false,
  idleSeedingLimit: 30,
  idleSeedingLimitEnabled: false,
  downloadQueueEnabled: true,
  downloadQueueSize: 5,
  seedQueueEnabled: false,
  seedQueueSize: 10,
  queueStalledEnabled: true,
  queueStalledMinutes: 30,
  cacheSizeMb: 4,
};

/** Two files, one peer, two trackers and a have-bitfield for any torrent. */
export function fakeParts(t: RpcTorrent, wanted: RpcPartsWanted): RpcTorrentParts {
  const parts: { -readonly [K in keyof RpcTorrentParts]: RpcTorrentParts[K] } = {};
  if (wanted.files) {
    parts.files = [
      {
        name: `${t.name}/a.mkv`,
        length: t.totalSize - 1000,
        bytesCompleted: t.totalSize - 1000 - t.leftUntilDone,
        wanted: true,
        priority: 1,
      },
      { name: `${t.name}/b.nfo`, length: 1000, bytesCompleted: 1000, wanted: false, priority: 0 },
    ];
  }
  if (wanted.peers) {
    parts.peers = [
      {
        address: '10.0.0.2',
        port: 6881,
        clientName: 'qBittorrent 4.6',
        progress: 0.5,
        rateToClient: 1000,
        rateToPeer: 0,
        isEncrypted: true,
        isIncoming: false,
        isUtp: false,
        clientIsChoked: true,
        clientIsInterested: false,
        peerIsChoked: false,
        peerIsInterested: true,
        isDownloadingFrom: true,
        isUploadingTo: false,
      },
    ];
  }
  if (wanted.trackers) {
    parts.trackers = [
      {
        id: 0,
        announce: 'http://tracker.example.org:6969/announce',
        scrape: 'http://tracker.example.org:6969/scrape',
        tier: 0,
        seederCount: 5,
        leecherCount: 2,
        lastAnnounceTime: T0 - 60_000,
        hasAnnounced: true,
        lastAnnounceSucceeded: true,
        lastAnnounceResult: 'Success',
      },
      { id: 1, announce: 'udp://backup.example.net:1337/announce', scrape: '', tier: 1 },
    ];
  }
  if (wanted.pieces) {
    const bytes = new Uint8Array(Math.ceil(t.pieceCount / 8));
    bytes[0] = 0b1010_0000;
    parts.pieces = bytes;
  }
  return parts;
}

export class FakeBackend implements RpcBackend {
  torrents: RpcTorrent[];
  settings: RpcSessionSettings = { ...DEFAULT_SETTINGS };
  removed: { id: number; at: number }[] = [];
  calls: Call[] = [];
  partsCalls = 0;
  #parts = new WeakMap<RpcTorrent, RpcTorrentParts>();
  #index: { list: RpcTorrent[]; byHash: Map<string, RpcTorrent> } | undefined;
  now: () => number = () => T0;

  constructor(count = 3) {
    this.torrents = Array.from({ length: count }, (_, k) => makeTorrent(k + 1));
  }

  private record(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args });
  }

  callsOf(method: string): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  listTorrents(): readonly RpcTorrent[] {
    return this.torrents;
  }

  torrentParts(hashString: string, _wanted: RpcPartsWanted): RpcTorrentParts {
    this.partsCalls++;
    if (this.#index?.list !== this.torrents)
      this.#index = { list: this.torrents, byHash: new Map(this.torrents.map((x) => [x.hashString, x])) };
    const t = this.#index.byHash.get(hashString);
    if (!t) throw new Error(`no torrent ${hashString}`);
    // Like a real backend: the same arrays until something changes.
    let parts = this.#parts.get(t);
    if (!parts) {
      parts = fakeParts(t, { files: true, peers: true, trackers: true, pieces: true });
      this.#parts.set(t, parts);
    }
    return parts;
  }

  removedSince(sinceMs: number): readonly number[] {
    return this.removed.filter((r) => r.at >= sinceMs).map((r) => r.id);
  }

  addTorrent(request: RpcAddRequest): RpcAddResult {
    this.record('addTorrent', request);
    const key = request.source.kind === 'metainfo' ? Buffer.from(request.source.bytes).toString('hex') : JSON.stringify(request.source);
    const hashString = createHash('sha1').update(key).digest('hex');
    const existing = this.torrents.find((t) => t.hashString === hashString);
    if (existing) return { duplicate: true, id: existing.id, name: existing.name, hashString };
    if (request.source.kind === 'metainfo' && Buffer.from(request.source.bytes).subarray(0, 1).toString() !== 'd') {
      throw new Error('invalid or corrupt torrent file');
    }
    const id = Math.max(0, ...this.torrents.map((t) => t.id)) + 1;
    const torrent = makeTorrent(id, {
      hashString,
      name: `added ${id}`,
      status: request.paused ? 'stopped' : 'download',
      downloadDir: request.downloadDir ?? this.settings.downloadDir,
      addedDate: this.now(),
    });
    this.torrents.push(torrent);
    return { duplicate: false, id, name: torrent.name, hashString };
  }

  removeTorrents(hashes: readonly string[], deleteLocalData: boolean): void {
    this.record('removeTorrents', hashes, deleteLocalData);
    for (const t of this.torrents) if (hashes.includes(t.hashString)) this.removed.push({ id: t.id, at: this.now() });
    this.torrents = this.torrents.filter((t) => !hashes.includes(t.hashString));
  }

  private update(hashes: readonly string[], change: Partial<RpcTorrent>): void {
    this.torrents = this.torrents.map((t) => (hashes.includes(t.hashString) ? { ...t, ...change } : t));
  }

  startTorrents(hashes: readonly string[], now: boolean): void {
    this.record('startTorrents', hashes, now);
    this.update(hashes, { status: 'download' });
  }

  stopTorrents(hashes: readonly string[]): void {
    this.record('stopTorrents', hashes);
    this.update(hashes, { status: 'stopped' });
  }

  verifyTorrents(hashes: readonly string[]): void {
    this.record('verifyTorrents', hashes);
    this.update(hashes, { status: 'check-wait' });
  }

  reannounceTorrents(hashes: readonly string[]): void {
    this.record('reannounceTorrents', hashes);
  }

  setLocation(hashes: readonly string[], location: string, move: boolean): void {
    this.record('setLocation', hashes, location, move);
    this.update(hashes, { downloadDir: location });
  }

  setTorrents(hashes: readonly string[], changes: RpcTorrentChanges): void {
    this.record('setTorrents', hashes, changes);
  }

  moveInQueue(hashes: readonly string[], where: RpcQueueMove): void {
    this.record('moveInQueue', hashes, where);
  }

  getSession(): RpcSession {
    return { settings: this.settings, btuiVersion: '0.1.0', configDir: '/config/btui', downloadDirFreeSpace: 123_456_789 };
  }

  setSession(changes: Partial<RpcSessionSettings>): void {
    this.record('setSession', changes);
    this.settings = { ...this.settings, ...changes };
  }

  sessionStats(): RpcSessionStats {
    const block = { uploadedBytes: 10, downloadedBytes: 20, filesAdded: 3, sessionCount: 1, secondsActive: 99 };
    return { downloadSpeed: 70_000, uploadSpeed: 20_000, cumulative: { ...block, sessionCount: 4 }, current: block };
  }

  renamePath(hashString: string, path: string, name: string): void {
    this.record('renamePath', hashString, path, name);
  }

  freeSpace(path: string): { sizeBytes: number; totalSize: number } {
    this.record('freeSpace', path);
    if (path === '/nope') throw new Error(`no such directory: ${path}`);
    return { sizeBytes: 1_000_000, totalSize: 5_000_000 };
  }
}
