import type { Torrent } from '../engine/torrent/torrent.js';
import { printable } from '../format/text.js';
import type { TorrentRow } from './types.js';

/** What the store remembers about a torrent beyond what the engine knows (and what the session file keeps). */
export interface TorrentRecord {
  addedAt: number;
  completedAt?: number;
  /** Totals saved from earlier runs; the engine's own counters start at zero each run. */
  downloadedBase: number;
  uploadedBase: number;
  /** Queue priority: 1 low, 2 normal, 3 high (see queue.ts). */
  priority: number;
  /** One per file: 0 skip, 1 normal, 2 high. */
  filePriorities: Uint8Array;
  /** Paused by the user (restored paused). */
  userPaused: boolean;
  /** Wants to run but waits for a download slot (queue.ts); shown as "queued". */
  queued: boolean;
  /** Demo torrents: shown but never saved in the session. */
  ephemeral: boolean;
  checkProgress?: number;
}

export function newRecord(fileCount: number, now = Date.now()): TorrentRecord {
  return { addedAt: now, downloadedBase: 0, uploadedBase: 0, priority: 2, filePriorities: new Uint8Array(fileCount).fill(1), userPaused: false, queued: false, ephemeral: false };
}

export function rowFor(torrent: Torrent, record: TorrentRecord): TorrentRow {
  const s = torrent.stats();
  const downloaded = record.downloadedBase + s.downloaded;
  const uploaded = record.uploadedBase + s.uploaded;
  const basis = Math.max(downloaded, s.completedBytes);
  return {
    infoHash: s.infoHash,
    name: printable(s.name),
    state: s.state === 'paused' && record.queued && !torrent.isRunning ? 'queued' : s.state,
    error: s.error,
    size: torrent.meta.contentLength ?? s.length,
    completedBytes: Math.min(s.completedBytes, torrent.meta.contentLength ?? s.length),
    progress: s.progress,
    checkProgress: s.state === 'checking' ? (record.checkProgress ?? 0) : undefined,
    downloadRate: s.downloadRate,
    uploadRate: s.uploadRate,
    downloaded,
    uploaded,
    ratio: basis > 0 ? uploaded / basis : 0,
    peers: s.peers,
    knownPeers: s.knownPeers,
    seeds: s.seeds,
    etaSeconds: s.etaSeconds,
    pieceCount: s.pieceCount,
    havePieces: s.havePieces,
    addedAt: record.addedAt,
    completedAt: record.completedAt ?? s.completedAt,
    priority: record.priority,
    directory: s.directory,
    dataPath: printable(torrent.storage.root),
  };
}

/** Rows are flat objects of primitives: equal fields mean the old object can be kept (so React can skip it). */
export function sameRow(a: TorrentRow, b: TorrentRow): boolean {
  for (const key in a) {
    if (a[key as keyof TorrentRow] !== b[key as keyof TorrentRow]) return false;
  }
  for (const key in b) if (!(key in a)) return false;
  return true;
}
