// Transmission's torrent objects (rpc-version 15-17: transmission-daemon 3.00 and 4.x, btui daemon)
// read back into the TUI's rows and detail; units back to btui's (bytes/s, ms since the epoch).
import { printable } from '../format/text.js';
import { trackerHosts } from '../format/tracker-host.js';
import type { SourceGlobal, SourceRow } from '../store/source.js';
import type { FileRow, PeerRow, TorrentDetail, TrackerRow } from '../store/types.js';

/** What the list needs; asked for every torrent (once in full, then only the recently active). */
export const ROW_FIELDS = [
  'id',
  'hashString',
  'name',
  'status',
  'error',
  'errorString',
  'totalSize',
  'sizeWhenDone',
  'leftUntilDone',
  'haveValid',
  'percentDone',
  'recheckProgress',
  'metadataPercentComplete',
  'rateDownload',
  'rateUpload',
  'downloadedEver',
  'uploadedEver',
  'uploadRatio',
  'peersConnected',
  'peersSendingToUs',
  'eta',
  'pieceCount',
  'pieceSize',
  'addedDate',
  'doneDate',
  'bandwidthPriority',
  'downloadDir',
  'labels',
  'trackers',
  'downloadLimit',
  'downloadLimited',
  'uploadLimit',
  'uploadLimited',
  'seedRatioLimit',
  'seedRatioMode',
  'seedIdleLimit',
  'seedIdleMode',
  'magnetLink',
];

/** What the open detail needs, for the one torrent focused. */
export const DETAIL_FIELDS = [
  'id',
  'hashString',
  'name',
  'pieceSize',
  'pieceCount',
  'isPrivate',
  'comment',
  'creator',
  'dateCreated',
  'corruptEver',
  'magnetLink',
  'downloadDir',
  'peers',
  'files',
  'fileStats',
  'trackerStats',
  'pieces',
];

export const SESSION_FIELDS = [
  'version',
  'rpc-version',
  'speed-limit-down',
  'speed-limit-down-enabled',
  'speed-limit-up',
  'speed-limit-up-enabled',
  'alt-speed-enabled',
  'alt-speed-down',
  'alt-speed-up',
  'peer-port',
  'download-dir',
  'download-dir-free-space',
  'download-queue-enabled',
  'download-queue-size',
  'seedRatioLimit',
  'seedRatioLimited',
  'idle-seeding-limit',
  'idle-seeding-limit-enabled',
];

/** Transmission's speeds are in kB/s of 1000 bytes. */
export const SPEED_K = 1000;

export type Raw = Record<string, unknown>;

const num = (v: unknown, fallback = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const bool = (v: unknown): boolean => v === true;
const MODES = ['global', 'single', 'unlimited'] as const;
const mode = (v: unknown) => MODES[num(v)] ?? 'global';

function stateOf(t: Raw): SourceRow['state'] {
  if (num(t.error) === 3) return 'error';
  switch (num(t.status)) {
    case 0:
      return 'paused';
    case 1:
    case 2:
      return 'checking';
    case 3:
    case 5:
      return 'queued';
    case 4:
      return num(t.metadataPercentComplete, 1) < 1 ? 'metadata' : 'downloading';
    default:
      return 'seeding';
  }
}

/** One torrent-get object (ROW_FIELDS) as a list row. */
export function rowFromRpc(t: Raw): SourceRow {
  const state = stateOf(t);
  const pieceSize = num(t.pieceSize);
  const pieceCount = num(t.pieceCount);
  const haveValid = num(t.haveValid);
  const metadata = num(t.metadataPercentComplete, 1);
  const eta = num(t.eta, -1);
  const labels = Array.isArray(t.labels) ? t.labels.filter((l): l is string => typeof l === 'string').map(printable) : [];
  const directory = printable(str(t.downloadDir));
  const name = printable(str(t.name));
  const row: { -readonly [K in keyof SourceRow]: SourceRow[K] } = {
    infoHash: str(t.hashString).toLowerCase(),
    name,
    state,
    error: num(t.error) !== 0 && str(t.errorString) ? printable(str(t.errorString)) : undefined,
    size: num(t.totalSize),
    completedBytes: haveValid,
    progress: num(t.percentDone),
    checkProgress: state === 'checking' ? num(t.recheckProgress) : state === 'metadata' ? metadata : undefined,
    downloadRate: num(t.rateDownload),
    uploadRate: num(t.rateUpload),
    downloaded: num(t.downloadedEver),
    uploaded: num(t.uploadedEver),
    ratio: Math.max(0, num(t.uploadRatio)),
    peers: num(t.peersConnected),
    knownPeers: num(t.peersConnected),
    seeds: num(t.peersSendingToUs),
    etaSeconds: eta >= 0 ? eta : undefined,
    pieceCount,
    havePieces: pieceSize > 0 ? Math.min(pieceCount, Math.floor(haveValid / pieceSize)) : 0,
    addedAt: num(t.addedDate) * 1000,
    completedAt: num(t.doneDate) > 0 ? num(t.doneDate) * 1000 : undefined,
    priority: Math.max(1, Math.min(3, num(t.bandwidthPriority) + 2)),
    directory,
    dataPath: directory === '' ? name : `${directory.replace(/\/+$/, '')}/${name}`,
    labels,
    trackerHosts: trackerHosts(announceUrls(t.trackers)),
    downloadLimit: bool(t.downloadLimited) ? num(t.downloadLimit) * SPEED_K : 0,
    uploadLimit: bool(t.uploadLimited) ? num(t.uploadLimit) * SPEED_K : 0,
    seedRatioLimit: num(t.seedRatioLimit),
    seedRatioMode: mode(t.seedRatioMode),
    seedIdleLimit: num(t.seedIdleLimit),
    seedIdleMode: mode(t.seedIdleMode),
  };
  if (metadata < 1 && typeof t.magnetLink === 'string') row.magnet = printable(t.magnetLink);
  return row;
}

/** torrent-get's `trackers` (objects with an `announce` URL) as the URLs. */
function announceUrls(trackers: unknown): string[] {
  if (!Array.isArray(trackers)) return [];
  return trackers.map((t) => (typeof t === 'object' && t !== null ? str((t as Raw).announce) : '')).filter((u) => u !== '');
}

/** session-get (SESSION_FIELDS) as the status line's figures. */
export function globalFromRpc(s: Raw): SourceGlobal {
  const free = num(s['download-dir-free-space'], -1);
  return {
    downloadLimit: bool(s['speed-limit-down-enabled']) ? num(s['speed-limit-down']) * SPEED_K : 0,
    uploadLimit: bool(s['speed-limit-up-enabled']) ? num(s['speed-limit-up']) * SPEED_K : 0,
    altSpeedEnabled: bool(s['alt-speed-enabled']),
    altDownloadLimit: num(s['alt-speed-down']) * SPEED_K,
    altUploadLimit: num(s['alt-speed-up']) * SPEED_K,
    port: num(s['peer-port']),
    freeDisk: free >= 0 ? free : undefined,
    downloadDirectory: printable(str(s['download-dir'])),
    maxActiveDownloads: bool(s['download-queue-enabled']) ? num(s['download-queue-size']) : 0,
    seedRatioLimit: bool(s.seedRatioLimited) ? num(s.seedRatioLimit) : undefined,
    seedIdleLimit: bool(s['idle-seeding-limit-enabled']) ? num(s['idle-seeding-limit']) : undefined,
  };
}

/** Transmission's file priority and wanted flag as btui's 0 skip, 1 normal, 2 high. */
export function filePriority(wanted: boolean, priority: number): number {
  return !wanted ? 0 : priority > 0 ? 2 : 1;
}

/** btui's file priority as torrent-set arguments. */
export function filePriorityArgs(index: number, priority: number): Raw {
  if (priority <= 0) return { 'files-unwanted': [index] };
  return { 'files-wanted': [index], [priority >= 2 ? 'priority-high' : 'priority-normal']: [index] };
}

/**
 * A peer's flags in btui's letters (store/detail.ts peerFlags) from what the daemon reports:
 * Transmission's flagStr (D d U u as btui's; E encrypted, I incoming, T uTP) and its booleans
 * (isEncrypted, isIncoming, isUTP, isDownloadingFrom, isUploadingTo, choke and interest), whichever are there. Transmission
 * has no snub flag, so S never shows for a remote peer.
 */
export function peerFlags(p: Raw): string {
  const given = str(p.flagStr);
  const has = (flag: string, field: string) => given.includes(flag) || bool(p[field]);
  const interested = bool(p.clientIsInterested);
  const interesting = bool(p.peerIsInterested);
  let flags = '';
  if (given.includes('D') || bool(p.isDownloadingFrom) || (interested && !bool(p.clientIsChoked))) flags += 'D';
  else if (given.includes('d') || interested) flags += 'd';
  if (given.includes('U') || bool(p.isUploadingTo) || (interesting && !bool(p.peerIsChoked))) flags += 'U';
  else if (given.includes('u') || interesting) flags += 'u';
  if (has('I', 'isIncoming')) flags += 'I';
  if (has('E', 'isEncrypted')) flags += 'E';
  if (has('T', 'isUTP')) flags += 'P';
  return flags;
}

function trackerStatus(t: Raw): string {
  if (bool(t.hasAnnounced) && !bool(t.lastAnnounceSucceeded)) return 'error';
  switch (num(t.announceState)) {
    case 3:
      return 'announcing';
    case 1:
    case 2:
      return bool(t.lastAnnounceSucceeded) ? 'working' : 'waiting';
    default:
      return bool(t.lastAnnounceSucceeded) ? 'working' : 'idle';
  }
}

const ms = (seconds: unknown): number | undefined => (num(seconds) > 0 ? num(seconds) * 1000 : undefined);
const count = (v: unknown): number | undefined => (num(v, -1) >= 0 ? num(v) : undefined);

/** One torrent-get object (DETAIL_FIELDS) as the detail tabs' data; Transmission reports no per-piece availability. */
export function detailFromRpc(t: Raw): TorrentDetail {
  const name = str(t.name);
  const peers: PeerRow[] = (Array.isArray(t.peers) ? (t.peers as Raw[]) : [])
    .map((p) => {
      const address = str(p.address);
      return {
        id: `${address}:${num(p.port)}`,
        address: address.includes(':') ? `[${address}]:${num(p.port)}` : `${address}:${num(p.port)}`,
        client: printable(str(p.clientName)),
        flags: peerFlags(p),
        progress: num(p.progress),
        downloadRate: num(p.rateToClient),
        uploadRate: num(p.rateToPeer),
        requests: 0,
      };
    })
    .sort((a, b) => b.downloadRate + b.uploadRate - (a.downloadRate + a.uploadRate) || a.address.localeCompare(b.address));
  const stats = Array.isArray(t.fileStats) ? (t.fileStats as Raw[]) : [];
  const files: FileRow[] = (Array.isArray(t.files) ? (t.files as Raw[]) : []).map((f, index) => {
    const length = num(f.length);
    const stat = stats[index] ?? {};
    // Transmission names files with the torrent's own name first; btui's Files tab leaves it out.
    const path = str(f.name).startsWith(`${name}/`) ? str(f.name).slice(name.length + 1) : str(f.name);
    return {
      index,
      path: printable(path),
      length,
      progress: length === 0 ? 1 : num(f.bytesCompleted) / length,
      priority: filePriority(stat.wanted !== false, num(stat.priority)),
    };
  });
  const trackers: TrackerRow[] = (Array.isArray(t.trackerStats) ? (t.trackerStats as Raw[]) : []).map((tr) => ({
    url: printable(str(tr.announce)),
    tier: num(tr.tier),
    status: trackerStatus(tr),
    lastAnnounceAt: ms(tr.lastAnnounceTime),
    nextAnnounceAt: ms(tr.nextAnnounceTime),
    seeders: count(tr.seederCount),
    leechers: count(tr.leecherCount),
    completed: count(tr.downloadCount),
    lastScrapeAt: ms(tr.lastScrapeTime),
    lastError:
      bool(tr.hasAnnounced) && !bool(tr.lastAnnounceSucceeded) && str(tr.lastAnnounceResult)
        ? printable(str(tr.lastAnnounceResult))
        : undefined,
  }));
  const pieceCount = num(t.pieceCount);
  const bits = Buffer.from(str(t.pieces), 'base64');
  const have = new Uint8Array(Math.ceil(pieceCount / 8));
  have.set(bits.subarray(0, have.length));
  const directory = str(t.downloadDir);
  return {
    infoHash: str(t.hashString).toLowerCase(),
    info: {
      pieceLength: num(t.pieceSize),
      private: bool(t.isPrivate),
      comment: str(t.comment) ? printable(str(t.comment)) : undefined,
      createdBy: str(t.creator) ? printable(str(t.creator)) : undefined,
      creationDate: num(t.dateCreated) > 0 ? num(t.dateCreated) : undefined,
      path: printable(directory === '' ? name : `${directory.replace(/\/+$/, '')}/${name}`),
      wasted: num(t.corruptEver),
      hashFailures: 0,
      magnet: str(t.magnetLink),
    },
    peers,
    trackers,
    files,
    pieces: { pieceCount, have, downloading: new Set(), availability: new Uint16Array(0) },
  };
}
