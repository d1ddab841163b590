import type { PeerStats, Torrent } from '../engine/torrent/torrent.js';
import { magnetURI } from '../engine/metainfo/magnet.js';
import { filePieces } from '../engine/metainfo/piece-layout.js';
import { printable } from '../format/text.js';
import type { TorrentRecord } from './row.js';
import type { FileRow, PeerRow, PieceMap, TorrentDetail, TrackerRow } from './types.js';

export interface ScrapeResult {
  at: number;
  complete?: number;
  incomplete?: number;
  downloaded?: number;
  error?: string;
}

/**
 * Peer flags, qBittorrent-style: D downloading from it, d we want but it chokes us,
 * U uploading to it, u it wants but we choke it, S snubbed, I incoming.
 */
export function peerFlags(p: PeerStats): string {
  let flags = '';
  if (p.amInterested) flags += p.peerChoking ? 'd' : 'D';
  if (p.peerInterested) flags += p.amChoking ? 'u' : 'U';
  if (p.snubbed) flags += 'S';
  if (p.incoming) flags += 'I';
  return flags;
}

export function buildDetail(torrent: Torrent, record: TorrentRecord, scrapes: ReadonlyMap<string, ScrapeResult> | undefined): TorrentDetail {
  const meta = torrent.meta;
  const stats = torrent.stats();
  const pieceStats = torrent.pieceStats();
  const pieces: PieceMap = {
    pieceCount: meta.pieceCount,
    have: pieceStats.have,
    downloading: new Set(pieceStats.downloading),
    availability: pieceStats.availability,
  };
  const peers: PeerRow[] = torrent
    .peerStats()
    .map((p) => ({
      id: p.id,
      address: p.host.includes(':') ? `[${p.host}]:${p.port}` : `${p.host}:${p.port}`,
      client: printable(p.client),
      flags: peerFlags(p),
      progress: p.progress,
      downloadRate: p.downloadRate,
      uploadRate: p.uploadRate,
      requests: p.requests,
    }))
    .sort((a, b) => b.downloadRate + b.uploadRate - (a.downloadRate + a.uploadRate) || a.address.localeCompare(b.address));
  const trackers: TrackerRow[] = torrent.trackerStats().map((t) => {
    const scrape = scrapes?.get(t.url);
    return {
      url: printable(t.url),
      tier: t.tier,
      status: t.status,
      lastAnnounceAt: t.lastAnnounceAt,
      nextAnnounceAt: t.nextAnnounceAt,
      seeders: scrape?.complete ?? t.seeders,
      leechers: scrape?.incomplete ?? t.leechers,
      completed: scrape?.downloaded,
      lastScrapeAt: scrape?.at,
      lastError: t.lastError ?? scrape?.error,
    };
  });
  return {
    infoHash: meta.infoHash,
    info: {
      pieceLength: meta.pieceLength,
      private: meta.private,
      comment: meta.comment === undefined ? undefined : printable(meta.comment),
      createdBy: meta.createdBy === undefined ? undefined : printable(meta.createdBy),
      creationDate: meta.creationDate,
      path: printable(torrent.storage.root),
      wasted: stats.wasted,
      hashFailures: stats.hashFailures,
      magnet: magnetURI({ infoHash: meta.infoHash, name: meta.name, length: meta.contentLength ?? meta.length, trackers: meta.announce.flat() }),
    },
    peers,
    trackers,
    files: fileRows(torrent, record, pieceStats.have),
    pieces,
  };
}

/** Per-file progress from the piece bitfield: a file counts the bytes of the pieces it overlaps that we have. */
export function fileRows(torrent: Torrent, record: TorrentRecord, have: Uint8Array): FileRow[] {
  const meta = torrent.meta;
  const has = (i: number) => ((have[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0;
  const rows: FileRow[] = [];
  meta.files.forEach((f, index) => {
    if (f.padding) return;
    let got = 0;
    const span = filePieces(f, meta.pieceLength);
    if (span) {
      for (let p = span.first; p <= span.last; p++) {
        if (!has(p)) continue;
        const start = Math.max(f.offset, p * meta.pieceLength);
        const end = Math.min(f.offset + f.length, (p + 1) * meta.pieceLength);
        got += end - start;
      }
    }
    rows.push({
      index,
      path: printable(meta.files.length === 1 ? f.path.join('/') : f.path.slice(1).join('/')),
      length: f.length,
      progress: f.length === 0 ? 1 : got / f.length,
      priority: record.filePriorities[index] ?? 1,
    });
  });
  return rows;
}
