import type { TorrentService } from '../service/torrent-service.js';
import type { PeerInfo } from '../service/types.js';
import { printable } from '../format/text.js';
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
 * U uploading to it, u it wants but we choke it, S snubbed, I incoming, E encrypted (RC4, MSE/PE), P over uTP (libtorrent's letter).
 */
export function peerFlags(
  p: Pick<PeerInfo, 'amInterested' | 'peerChoking' | 'peerInterested' | 'amChoking' | 'snubbed' | 'incoming'> &
    Partial<Pick<PeerInfo, 'transport' | 'encrypted'>>,
): string {
  let flags = '';
  if (p.amInterested) flags += p.peerChoking ? 'd' : 'D';
  if (p.peerInterested) flags += p.amChoking ? 'u' : 'U';
  if (p.snubbed) flags += 'S';
  if (p.incoming) flags += 'I';
  if (p.encrypted) flags += 'E';
  if (p.transport === 'utp') flags += 'P';
  return flags;
}

export function buildDetail(
  service: TorrentService,
  hash: string,
  scrapes: ReadonlyMap<string, ScrapeResult> | undefined,
): TorrentDetail | undefined {
  const info = service.info(hash);
  const pieceInfo = service.pieces(hash);
  if (!info || !pieceInfo) return undefined;
  const pieces: PieceMap = {
    pieceCount: pieceInfo.pieceCount,
    have: pieceInfo.have,
    downloading: new Set(pieceInfo.downloading),
    availability: pieceInfo.availability,
  };
  const peers: PeerRow[] = (service.peers(hash) ?? [])
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
  const trackers: TrackerRow[] = (service.trackers(hash) ?? []).map((t) => {
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
  const files: FileRow[] = (service.files(hash) ?? []).map((f) => ({
    index: f.index,
    path: printable(f.path),
    length: f.length,
    progress: f.length === 0 ? 1 : f.completed / f.length,
    priority: f.priority,
  }));
  return {
    infoHash: info.infoHash,
    info: {
      pieceLength: info.pieceLength,
      private: info.private,
      comment: info.comment === undefined ? undefined : printable(info.comment),
      createdBy: info.createdBy === undefined ? undefined : printable(info.createdBy),
      creationDate: info.creationDate,
      path: printable(info.dataPath),
      wasted: info.wasted,
      hashFailures: info.hashFailures,
      magnet: info.magnet,
    },
    peers,
    trackers,
    files,
    pieces,
  };
}
