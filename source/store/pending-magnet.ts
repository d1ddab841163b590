import type { Magnet } from '../engine/metainfo/magnet.js';
import type { MetadataFetchStats } from '../engine/session/metadata-fetcher.js';
import { printable } from '../format/text.js';
import type { TorrentRow } from './types.js';

/** A magnet whose info dictionary is being fetched: shown as a row before the torrent exists. */
export interface PendingMagnet {
  readonly infoHash: string;
  /** The link as given (or made from a bare info-hash): what the session file keeps. */
  readonly uri: string;
  readonly magnet: Magnet;
  readonly name: string;
  readonly directory: string;
  readonly addedAt: number;
  priority: number;
  readonly ephemeral: boolean;
  status: 'metadata' | 'paused' | 'error';
  error?: string;
  progress?: MetadataFetchStats;
  /** Set while a fetch runs; aborting it cancels the fetch. */
  abort?: AbortController;
}

export function pendingRow(entry: PendingMagnet): TorrentRow {
  const p = entry.progress;
  return {
    infoHash: entry.infoHash,
    name: printable(entry.name),
    state: entry.status,
    error: entry.error,
    size: entry.magnet.length ?? 0,
    completedBytes: 0,
    progress: 0,
    checkProgress: entry.status === 'metadata' && p && p.pieceCount > 0 ? p.pieces / p.pieceCount : undefined,
    downloadRate: 0,
    uploadRate: 0,
    downloaded: 0,
    uploaded: 0,
    ratio: 0,
    peers: entry.status === 'metadata' ? (p?.connected ?? 0) : 0,
    knownPeers: p?.known ?? entry.magnet.peers.length,
    seeds: 0,
    pieceCount: 0,
    havePieces: 0,
    addedAt: entry.addedAt,
    priority: entry.priority,
    directory: printable(entry.directory),
    dataPath: '',
    magnet: printable(entry.uri),
  };
}
