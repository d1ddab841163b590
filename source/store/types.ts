import type { GoalMode, TorrentSummary } from '../service/types.js';
import type { SpeedSeries } from './speed-history.js';

export type { GoalMode };

/**
 * One torrent as the UI sees it: the service summary's fields the screens show, with the name and
 * labels made printable (control characters escaped); plain, immutable, reused between snapshots
 * when unchanged.
 */
export type TorrentRow = Pick<
  TorrentSummary,
  | 'infoHash'
  | 'name'
  | 'state'
  | 'error'
  | 'size'
  | 'completedBytes'
  | 'progress'
  | 'checkProgress'
  | 'downloadRate'
  | 'uploadRate'
  | 'downloaded'
  | 'uploaded'
  | 'ratio'
  | 'peers'
  | 'knownPeers'
  | 'seeds'
  | 'etaSeconds'
  | 'pieceCount'
  | 'havePieces'
  | 'addedAt'
  | 'completedAt'
  | 'priority'
  | 'directory'
  | 'dataPath'
  | 'magnet'
  | 'labels'
  | 'trackerHosts'
  | 'downloadLimit'
  | 'uploadLimit'
  | 'seedRatioLimit'
  | 'seedRatioMode'
  | 'seedIdleLimit'
  | 'seedIdleMode'
> & {
  /** The remote host the torrent lives on (its name); undefined for the in-process session. */
  readonly host?: string;
  /** Unique across hosts ('HOST/HASH'); undefined means the info-hash (the in-process session). */
  readonly key?: string;
  /** Its host does not answer: the row shows the last state known, dimmed. */
  readonly offline?: boolean;
};

export interface GlobalStats {
  readonly downloadRate: number;
  readonly uploadRate: number;
  readonly downloadLimit: number;
  readonly uploadLimit: number;
  /** Turtle mode is on: its limits (bytes/s, 0 = none) are in force instead of the two above. */
  readonly altSpeedEnabled?: boolean;
  readonly altDownloadLimit?: number;
  readonly altUploadLimit?: number;
  readonly connections: number;
  readonly port: number;
  /** Bytes free where new downloads go; undefined until measured or when unknown. */
  readonly freeDisk?: number;
  readonly downloadDirectory: string;
  /** Nodes in the DHT routing table; undefined when the DHT is off. */
  readonly dhtNodes?: number;
  /** Torrents downloading at once before others queue; 0 = no limit. */
  readonly maxActiveDownloads: number;
  /** The service-wide seed goals that torrents in mode 'global' follow; undefined = none. */
  readonly seedRatioLimit?: number;
  readonly seedIdleLimit?: number;
  /** With more than one host (or any remote one): totals per host, in the order they were given. */
  readonly hosts?: readonly HostTotals[];
}

export interface HostTotals {
  readonly name: string;
  /** The in-process session (named 'local'). */
  readonly local?: boolean;
  readonly online: boolean;
  /** Why it is offline (or 'connecting'). */
  readonly reason?: string;
  readonly torrents: number;
  readonly downloadRate: number;
  readonly uploadRate: number;
  /** The host's own figures (session-get for a remote host): its peer port, 0 until known. */
  readonly port: number;
  /** Bytes free in the host's download directory; undefined until known. */
  readonly freeDisk?: number;
  readonly downloadLimit: number;
  readonly uploadLimit: number;
  /** The host's seed goals for torrents on 'global'; undefined = none. */
  readonly seedRatioLimit?: number;
  readonly seedIdleLimit?: number;
}

export type LogLevel = 'info' | 'warn' | 'error';

export interface LogEntry {
  readonly id: number;
  readonly at: number;
  readonly level: LogLevel;
  readonly text: string;
}

export interface PeerRow {
  readonly id: string;
  readonly address: string;
  readonly client: string;
  /** e.g. "cI sK": see peerFlags. */
  readonly flags: string;
  readonly progress: number;
  readonly downloadRate: number;
  readonly uploadRate: number;
  readonly requests: number;
}

export interface TrackerRow {
  readonly url: string;
  readonly tier: number;
  readonly status: string;
  readonly lastAnnounceAt?: number;
  readonly nextAnnounceAt?: number;
  readonly seeders?: number;
  readonly leechers?: number;
  readonly completed?: number;
  readonly lastScrapeAt?: number;
  readonly lastError?: string;
}

export interface FileRow {
  readonly index: number;
  /** Path inside the torrent, components joined with '/', printable. */
  readonly path: string;
  readonly length: number;
  readonly progress: number;
  /** 0 skip, 1 normal, 2 high. */
  readonly priority: number;
}

export interface PieceMap {
  readonly pieceCount: number;
  /** Wire-format bitfield (high bit first). */
  readonly have: Uint8Array;
  readonly downloading: ReadonlySet<number>;
  /** Peers having each piece; empty when the host does not report it (a remote Transmission): have/missing only. */
  readonly availability: Uint16Array;
}

/** Extra data about the one torrent whose detail is open; refreshed with the snapshot. */
export interface TorrentDetail {
  readonly infoHash: string;
  /** The row's key when it is not the info-hash (a remote host's torrent). */
  readonly key?: string;
  readonly info: InfoFields;
  readonly peers: readonly PeerRow[];
  readonly trackers: readonly TrackerRow[];
  readonly files: readonly FileRow[];
  readonly pieces: PieceMap;
}

export interface InfoFields {
  readonly pieceLength: number;
  readonly private: boolean;
  readonly comment?: string;
  readonly createdBy?: string;
  readonly creationDate?: number;
  readonly path: string;
  readonly wasted: number;
  readonly hashFailures: number;
  readonly magnet: string;
}

export interface RowReplacements {
  readonly previous: readonly TorrentRow[];
  readonly changes: readonly { readonly index: number; readonly before: TorrentRow }[];
}

export interface Snapshot {
  /** Bumped on every published change. */
  readonly version: number;
  /** In the order torrents were added. */
  readonly torrents: readonly TorrentRow[];
  /**
   * When `torrents` is `previous` with only some rows replaced (same torrents, same order): where,
   * and the rows that were there. Views kept from `previous` are brought up to date from it
   * without walking every row (store/row-changes.ts); absent when the list itself changed.
   */
  readonly replaced?: RowReplacements;
  readonly global: GlobalStats;
  readonly log: readonly LogEntry[];
  readonly detail?: TorrentDetail;
  /** The last minutes of rates: the totals, and the open detail's torrent (from its first traffic). */
  readonly speeds?: { readonly total?: SpeedSeries; readonly detail?: SpeedSeries };
}
