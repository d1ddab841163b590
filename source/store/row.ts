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
    labels: printableLabels(s.labels),
    trackerHosts: s.trackerHosts,
    downloadLimit: s.downloadLimit,
    uploadLimit: s.uploadLimit,
    seedRatioLimit: s.seedRatioLimit,
    seedRatioMode: s.seedRatioMode,
    seedIdleLimit: s.seedIdleLimit,
    seedIdleMode: s.seedIdleMode,
  };
  if (s.magnet !== undefined) row.magnet = printable(s.magnet);
  return row;
}

/** The service keeps the same labels array until they change: kept as it is when already printable. */
function printableLabels(labels: readonly string[]): readonly string[] {
  return labels.every((l) => printable(l) === l) ? labels : labels.map(printable);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Rows are flat objects of primitives (and the labels list): equal fields mean the old object can be kept (so React can skip it). */
export function sameRow(a: TorrentRow, b: TorrentRow): boolean {
  for (const key in a) {
    const x = a[key as keyof TorrentRow];
    const y = b[key as keyof TorrentRow];
    if (x === y) continue;
    if (Array.isArray(x) && Array.isArray(y) && sameList(x, y)) continue;
    return false;
  }
  for (const key in b) if (!(key in a)) return false;
  return true;
}

/** What names a row across hosts: its key, or its info-hash for the in-process session. */
export function rowKey(row: { readonly infoHash: string; readonly key?: string }): string {
  return row.key ?? row.infoHash;
}

/** A key split back into its host (undefined: the in-process session) and info-hash. */
export function splitKey(key: string): { host?: string; hash: string } {
  const slash = key.lastIndexOf('/');
  return slash < 0 ? { hash: key } : { host: key.slice(0, slash), hash: key.slice(slash + 1) };
}
