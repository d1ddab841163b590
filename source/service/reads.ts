import { magnetURI } from '../engine/metainfo/magnet.js';
import { filePieces } from '../engine/metainfo/piece-layout.js';
import type { Torrent } from '../engine/torrent/torrent.js';
import type { Metainfo } from '../engine/metainfo/metainfo.js';
import type { Bitfield } from '../engine/codec/bitfield.js';
import { trackerHosts } from '../format/tracker-host.js';
import { clockSeconds, type ActivityClock } from './activity-clock.js';
import type { Entry, WantedBytes } from './entry.js';
import type { PendingMagnet } from './magnet-fetches.js';
import type { TorrentRegistry } from './registry.js';
import type { FileInfo, PeerInfo, PeersFrom, PieceInfo, SeedGoals, TorrentInfo, TorrentKey, TorrentSummary, TrackerInfo } from './types.js';

/** The service's plain-copy reads of one torrent: each builds only what it names. */
export class TorrentReads {
  constructor(private readonly registry: Pick<TorrentRegistry, 'entry' | 'queuePosition'>) {}

  summary(key: TorrentKey): TorrentSummary | undefined {
    const entry = this.registry.entry(key);
    if (!entry) return undefined;
    const position = this.registry.queuePosition(entry);
    const summary = entry.torrent ? torrentSummary(entry, entry.torrent, position) : pendingSummary(entry, entry.pending!, position);
    entry.quiet = summary.peers === 0 && summary.downloadRate === 0 && summary.uploadRate === 0 && summary.state !== 'checking';
    return summary;
  }

  files(key: TorrentKey): FileInfo[] | undefined {
    const entry = this.registry.entry(key);
    if (!entry) return undefined;
    return entry.torrent ? fileInfos(entry.torrent, entry.filePriorities) : [];
  }

  peers(key: TorrentKey): PeerInfo[] | undefined {
    const entry = this.registry.entry(key);
    if (!entry) return undefined;
    return entry.torrent ? peerInfos(entry.torrent) : [];
  }

  trackers(key: TorrentKey): TrackerInfo[] | undefined {
    const entry = this.registry.entry(key);
    if (!entry) return undefined;
    if (!entry.torrent) return entry.pending!.magnet.trackers.map((url, i) => ({ url, tier: i, status: 'idle' }));
    return trackerInfos(entry.torrent);
  }

  pieces(key: TorrentKey): PieceInfo | undefined {
    const torrent = this.registry.entry(key)?.torrent;
    if (!torrent) return undefined;
    const p = torrent.pieceStats();
    return {
      pieceCount: torrent.meta.pieceCount,
      pieceLength: torrent.meta.pieceLength,
      have: p.have,
      downloading: p.downloading,
      availability: p.availability,
    };
  }

  info(key: TorrentKey): TorrentInfo | undefined {
    const torrent = this.registry.entry(key)?.torrent;
    return torrent ? torrentInfo(torrent) : undefined;
  }

  metainfo(key: TorrentKey): Readonly<Metainfo> | undefined {
    return this.registry.entry(key)?.torrent?.meta;
  }
}

/** The rates and connections of the running torrents, summed. */
export function globalRates(entries: Iterable<Entry>): { downloadRate: number; uploadRate: number; connections: number } {
  let downloadRate = 0;
  let uploadRate = 0;
  let connections = 0;
  for (const entry of entries) {
    if (!entry.torrent?.isRunning) continue;
    const s = entry.torrent.stats();
    downloadRate += s.downloadRate;
    uploadRate += s.uploadRate;
    connections += s.peers;
  }
  return { downloadRate, uploadRate, connections };
}

export function torrentSummary(entry: Entry, torrent: Torrent, queuePosition: number): TorrentSummary {
  const s = torrent.stats();
  const size = torrent.meta.contentLength ?? s.length;
  const wanted = wantedBytes(entry, torrent, s.havePieces);
  const downloaded = entry.downloadedBase + s.downloaded;
  const uploaded = entry.uploadedBase + s.uploaded;
  const basis = Math.max(downloaded, s.completedBytes);
  return {
    id: entry.id,
    infoHash: entry.hash,
    name: s.name,
    state: s.state === 'paused' && entry.queued && !torrent.isRunning ? 'queued' : s.state,
    error: s.error,
    size,
    completedBytes: Math.min(s.completedBytes, size),
    wantedBytes: wanted.wanted,
    leftUntilDone: wanted.left,
    progress: s.progress,
    checkProgress: s.state === 'checking' ? (entry.checkProgress ?? 0) : undefined,
    downloadRate: s.downloadRate,
    uploadRate: s.uploadRate,
    downloaded,
    uploaded,
    corrupt: entry.corruptBase + torrent.transferred.corrupt,
    ...clockFields(entry.clock),
    peersFrom: s.peersFrom,
    ratio: basis > 0 ? uploaded / basis : 0,
    peers: s.peers,
    knownPeers: s.knownPeers,
    seeds: s.seeds,
    etaSeconds: s.etaSeconds,
    pieceCount: s.pieceCount,
    havePieces: s.havePieces,
    addedAt: entry.addedAt,
    completedAt: entry.completedAt ?? s.completedAt,
    priority: entry.priority,
    queuePosition,
    directory: s.directory,
    dataPath: torrent.root,
    trackerHosts: trackerHosts(torrent.meta.announce),
    ...entryFields(entry),
  };
}

const NO_PEERS: PeersFrom = Object.freeze({ tracker: 0, dht: 0, pex: 0, lpd: 0, incoming: 0, ltep: 0, cache: 0 });

/** The clock as a summary carries it: the seconds up to now, and what still counts from then on. */
function clockFields(clock: ActivityClock): Pick<TorrentSummary, 'secondsDownloading' | 'secondsSeeding' | 'clockRunning' | 'clockAt'> {
  const now = Date.now();
  const seconds = clockSeconds(clock, now);
  return { secondsDownloading: seconds.downloading, secondsSeeding: seconds.seeding, clockRunning: clock.running, clockAt: now };
}

/** What a summary takes from the service's own record, whatever the engine says. */
function entryFields(
  entry: Entry,
): Pick<TorrentSummary, 'labels' | 'downloadLimit' | 'uploadLimit' | keyof SeedGoals | 'userPaused' | 'ephemeral'> {
  return {
    labels: entry.labels,
    downloadLimit: entry.downloadLimit,
    uploadLimit: entry.uploadLimit,
    seedRatioLimit: entry.seedRatioLimit,
    seedRatioMode: entry.seedRatioMode,
    seedIdleLimit: entry.seedIdleLimit,
    seedIdleMode: entry.seedIdleMode,
    userPaused: entry.userPaused,
    ephemeral: entry.ephemeral,
  };
}

export function pendingSummary(entry: Entry, pending: PendingMagnet, queuePosition: number): TorrentSummary {
  const p = pending.progress;
  return {
    id: entry.id,
    infoHash: entry.hash,
    name: pending.name,
    state: pending.status,
    error: pending.error,
    size: pending.magnet.length ?? 0,
    completedBytes: 0,
    wantedBytes: pending.magnet.length ?? 0,
    leftUntilDone: pending.magnet.length ?? 0,
    progress: 0,
    checkProgress: pending.status === 'metadata' && p && p.pieceCount > 0 ? p.pieces / p.pieceCount : undefined,
    downloadRate: 0,
    uploadRate: 0,
    downloaded: 0,
    uploaded: 0,
    corrupt: 0,
    ...clockFields(entry.clock),
    peersFrom: NO_PEERS,
    ratio: 0,
    peers: pending.status === 'metadata' ? (p?.connected ?? 0) : 0,
    knownPeers: p?.known ?? pending.magnet.peers.length,
    seeds: 0,
    pieceCount: 0,
    havePieces: 0,
    addedAt: entry.addedAt,
    priority: entry.priority,
    queuePosition,
    directory: pending.directory,
    dataPath: '',
    magnet: pending.uri,
    trackerHosts: trackerHosts(pending.magnet.trackers),
    ...entryFields(entry),
  };
}

/** Files with the bytes of the pieces they overlap that we have. */
export function fileInfos(torrent: Torrent, priorities: Uint8Array): FileInfo[] {
  const meta = torrent.meta;
  const have = torrent.pieceStats().have;
  const has = (i: number) => ((have[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0;
  const rows: FileInfo[] = [];
  meta.files.forEach((f, index) => {
    if (f.padding) return;
    const completed = completedOf(f, meta.pieceLength, has);
    rows.push({
      index,
      path: meta.files.length === 1 ? f.path.join('/') : f.path.slice(1).join('/'),
      length: f.length,
      completed,
      priority: priorities[index] ?? 1,
    });
  });
  return rows;
}

type MetaFile = Metainfo['files'][number];

/** The bytes of a file in the pieces we have. */
function completedOf(f: MetaFile, pieceLength: number, has: (piece: number) => boolean): number {
  let completed = 0;
  const span = filePieces(f, pieceLength);
  if (span) {
    for (let p = span.first; p <= span.last; p++) {
      if (!has(p)) continue;
      completed += Math.min(f.offset + f.length, (p + 1) * pieceLength) - Math.max(f.offset, p * pieceLength);
    }
  }
  return completed;
}

/**
 * The bytes of the files not skipped (Transmission's sizeWhenDone) and how many of those are
 * missing (leftUntilDone), cached on the entry: a summary of an unchanged torrent costs a few
 * comparisons, one after a new piece nothing more (notePiece kept it up to date); a change of
 * file priorities, a start or a check (a new bitfield) builds it again, one pass over the files.
 */
export function wantedBytes(entry: Entry, torrent: Torrent, havePieces: number): WantedBytes {
  const cached = entry.wanted;
  const have: Bitfield = torrent.have;
  if (cached && cached.priorities === entry.filePriorities && cached.have === have && cached.havePieces === havePieces) return cached;
  const meta = torrent.meta;
  const has = (i: number) => have.get(i);
  const complete = havePieces === meta.pieceCount;
  let wanted = 0;
  let done = 0;
  for (let i = 0; i < meta.files.length; i++) {
    const f = meta.files[i]!;
    if (f.padding || entry.filePriorities[i] === 0) continue;
    wanted += f.length;
    if (complete) done += f.length;
    else if (havePieces > 0) done += completedOf(f, meta.pieceLength, has);
  }
  entry.wanted = { priorities: entry.filePriorities, have, havePieces, wanted, left: wanted - done };
  return entry.wanted;
}

/** A piece was verified: what is left of the files not skipped loses its part (if the cache is current). */
export function notePiece(entry: Entry, torrent: Torrent, index: number): void {
  const cached = entry.wanted;
  const have = torrent.have;
  if (!cached || cached.priorities !== entry.filePriorities || cached.have !== have) return;
  if (!have.get(index) || have.count() !== cached.havePieces + 1) return;
  const { files, pieceLength, length } = torrent.meta;
  const start = index * pieceLength;
  const end = Math.min(start + pieceLength, length);
  for (let i = firstFileEndingAfter(files, start); i < files.length && files[i]!.offset < end; i++) {
    const f = files[i]!;
    if (f.padding || entry.filePriorities[i] === 0) continue;
    cached.left -= Math.max(0, Math.min(f.offset + f.length, end) - Math.max(f.offset, start));
  }
  cached.havePieces++;
}

/** The first file that ends after `offset` (files are in offset order). */
function firstFileEndingAfter(files: readonly MetaFile[], offset: number): number {
  let lo = 0;
  let hi = files.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const f = files[mid]!;
    if (f.offset + f.length <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function peerInfos(torrent: Torrent): PeerInfo[] {
  return torrent.peerStats().map((p) => ({
    id: p.id,
    host: p.host,
    port: p.port,
    client: p.client,
    incoming: p.incoming,
    transport: p.transport,
    encrypted: p.encrypted,
    amInterested: p.amInterested,
    amChoking: p.amChoking,
    peerInterested: p.peerInterested,
    peerChoking: p.peerChoking,
    snubbed: p.snubbed,
    progress: p.progress,
    downloadRate: p.downloadRate,
    uploadRate: p.uploadRate,
    requests: p.requests,
  }));
}

export function trackerInfos(torrent: Torrent): TrackerInfo[] {
  return torrent.trackerStats().map((t) => ({
    url: t.url,
    tier: t.tier,
    status: t.status,
    lastAnnounceAt: t.lastAnnounceAt,
    nextAnnounceAt: t.nextAnnounceAt,
    seeders: t.seeders,
    leechers: t.leechers,
    lastError: t.lastError,
  }));
}

export function torrentInfo(torrent: Torrent): TorrentInfo {
  const meta = torrent.meta;
  const stats = torrent.stats();
  return {
    infoHash: meta.infoHash,
    name: meta.name,
    pieceLength: meta.pieceLength,
    private: meta.private,
    comment: meta.comment,
    createdBy: meta.createdBy,
    creationDate: meta.creationDate,
    dataPath: torrent.root,
    wasted: stats.wasted,
    hashFailures: stats.hashFailures,
    magnet: magnetURI({
      infoHash: meta.infoHash,
      name: meta.name,
      length: meta.contentLength ?? meta.length,
      trackers: meta.announce.flat(),
    }),
    trackers: meta.announce.map((tier) => [...tier]),
    fileCount: meta.files.length,
  };
}
