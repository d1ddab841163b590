import type { TorrentRow } from '../../source/store/types.js';

/** A list row for UI and view tests: a paused, empty one-piece torrent named `name`, changed by `patch`. */
export function torrentRow(name: string, patch: Partial<TorrentRow> = {}): TorrentRow {
  return {
    infoHash: name.padEnd(40, '0'),
    name,
    state: 'paused',
    size: 1,
    completedBytes: 0,
    progress: 0,
    downloadRate: 0,
    uploadRate: 0,
    downloaded: 0,
    uploaded: 0,
    ratio: 0,
    peers: 0,
    knownPeers: 0,
    seeds: 0,
    pieceCount: 1,
    havePieces: 0,
    addedAt: 0,
    priority: 2,
    directory: '/d',
    dataPath: `/d/${name}`,
    labels: [],
    trackerHosts: [],
    downloadLimit: 0,
    uploadLimit: 0,
    seedRatioLimit: 2,
    seedRatioMode: 'global',
    seedIdleLimit: 30,
    seedIdleMode: 'global',
    ...patch,
  };
}
