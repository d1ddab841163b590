import type { TorrentSummary } from '../service/types.js';
import { normalizeLabels } from '../service/entry.js';
import type { SavedTorrent } from '../session-state/session-file.js';
import { rowFor } from './row.js';
import type { SourceRow } from './source.js';

const NO_PEERS = Object.freeze({ tracker: 0, dht: 0, pex: 0, lpd: 0, incoming: 0, ltep: 0, cache: 0 });

/**
 * The saved session's rows as the list shows them before any torrent is opened: the TUI's first
 * frame needs only session.json (parsing and hashing every .torrent and reading every resume file
 * comes after). Each row is what the service's summary gives for the same torrent once restored
 * and still held (test/store/session-preview.test.ts): 'paused' or 'queued', no traffic. Undefined
 * when an entry lacks its listed figures (a file from before they were saved): the caller then
 * opens the torrents before the first frame, as before.
 */
export function sessionPreview(saved: readonly SavedTorrent[]): Map<string, SourceRow> | undefined {
  const rows = new Map<string, SourceRow>();
  for (const [id, torrent] of saved.entries()) {
    const row = previewRow(torrent, id);
    if (!row) return undefined;
    rows.set(torrent.infoHash, row);
  }
  return rows;
}

function previewRow(saved: SavedTorrent, id: number): SourceRow | undefined {
  const listed = saved.listed;
  if (!listed) return undefined;
  const magnet = saved.torrentFile === undefined;
  const basis = Math.max(saved.downloaded, listed.completedBytes);
  const summary: TorrentSummary = {
    id,
    infoHash: saved.infoHash,
    name: listed.name,
    state: saved.paused ? 'paused' : magnet ? 'metadata' : 'queued',
    size: listed.size,
    completedBytes: listed.completedBytes,
    wantedBytes: listed.size,
    leftUntilDone: listed.size - listed.completedBytes,
    progress: listed.progress,
    downloadRate: 0,
    uploadRate: 0,
    downloaded: saved.downloaded,
    uploaded: saved.uploaded,
    corrupt: saved.corrupt,
    secondsDownloading: saved.secondsDownloading,
    secondsSeeding: saved.secondsSeeding,
    clockAt: Date.now(),
    peersFrom: NO_PEERS,
    ratio: basis > 0 ? saved.uploaded / basis : 0,
    peers: 0,
    knownPeers: 0,
    seeds: 0,
    pieceCount: listed.pieceCount,
    havePieces: listed.havePieces,
    addedAt: saved.addedAt,
    completedAt: saved.completedAt,
    priority: saved.priority,
    queuePosition: id,
    directory: saved.directory,
    dataPath: listed.dataPath,
    magnet: saved.magnet,
    labels: normalizeLabels(saved.labels),
    trackerHosts: listed.trackerHosts,
    downloadLimit: saved.downloadLimit,
    uploadLimit: saved.uploadLimit,
    seedRatioLimit: saved.seedRatioLimit,
    seedRatioMode: saved.seedRatioMode,
    seedIdleLimit: saved.seedIdleLimit,
    seedIdleMode: saved.seedIdleMode,
    userPaused: saved.paused,
    ephemeral: false,
  };
  return rowFor(summary);
}
