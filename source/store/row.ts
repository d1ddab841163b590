import type { TorrentSummary } from '../service/types.js';
import { printable } from '../format/text.js';
import type { TorrentRow } from './types.js';

/** The service's summary as the UI shows it: the fields a row has, strings made printable. */
export function rowFor(s: TorrentSummary): TorrentRow {
  const row: { -readonly [K in keyof TorrentRow]: TorrentRow[K] } = {
    infoHash: s.infoHash,
    name: printable(s.name),
    state: s.state,
    error: s.error,
    size: s.size,
    completedBytes: s.completedBytes,
    progress: s.progress,
    checkProgress: s.checkProgress,
    downloadRate: s.downloadRate,
    uploadRate: s.uploadRate,
    downloaded: s.downloaded,
    uploaded: s.uploaded,
    ratio: s.ratio,
    peers: s.peers,
    knownPeers: s.knownPeers,
    seeds: s.seeds,
    etaSeconds: s.etaSeconds,
    pieceCount: s.pieceCount,
    havePieces: s.havePieces,
    addedAt: s.addedAt,
    completedAt: s.completedAt,
    priority: s.priority,
    directory: printable(s.directory),
    dataPath: printable(s.dataPath),
  };
  if (s.magnet !== undefined) row.magnet = printable(s.magnet);
  return row;
}

/** Rows are flat objects of primitives: equal fields mean the old object can be kept (so React can skip it). */
export function sameRow(a: TorrentRow, b: TorrentRow): boolean {
  for (const key in a) {
    if (a[key as keyof TorrentRow] !== b[key as keyof TorrentRow]) return false;
  }
  for (const key in b) if (!(key in a)) return false;
  return true;
}
