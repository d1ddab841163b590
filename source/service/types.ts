import type { PeersFrom } from '../engine/torrent/torrent-stats.js';
import type { TorrentState } from '../engine/torrent/torrent.js';
import type { GoalMode } from '../session-state/session-file.js';
import type { AltSpeed } from './alt-speed.js';
import type { MoveFs } from './move-data.js';
import type { SettingsChange } from './global-settings.js';

export type { AltSpeed, GoalMode, PeersFrom };

/**
 * The service's read types: plain copies, never live engine objects. Strings are as the
 * torrent gives them (not made printable: that is each front-end's business).
 */

/** How a torrent is named in events: its id (small, stable for the life of the process) and its info-hash. */
export interface TorrentRef {
  readonly id: number;
  readonly hash: string;
}

/** A torrent named by its info-hash or its id. */
export type TorrentKey = string | number;

export interface SeedGoals {
  /** Upload / size at which a complete torrent stops (mode 'single'). */
  readonly seedRatioLimit: number;
  readonly seedRatioMode: GoalMode;
  /** Minutes without transfer after which a complete torrent stops (mode 'single'). */
  readonly seedIdleLimit: number;
  readonly seedIdleMode: GoalMode;
}

/** One torrent's list row: everything a list needs, nothing per file, peer or piece. */
export interface TorrentSummary extends SeedGoals {
  readonly id: number;
  readonly infoHash: string;
  readonly name: string;
  /** 'queued' when it waits for a download slot; 'metadata' while a magnet fetches its info dictionary. */
  readonly state: TorrentState;
  readonly error?: string;
  readonly size: number;
  readonly completedBytes: number;
  /** Bytes of the files not skipped (Transmission's sizeWhenDone); a magnet's announced size while it has no metadata. */
  readonly wantedBytes: number;
  /** Of those, the bytes not had yet (Transmission's leftUntilDone): 0 once every file not skipped is complete. */
  readonly leftUntilDone: number;
  readonly progress: number;
  /** Recheck progress (0..1) while checking; metadata pieces fetched (0..1) while fetching a magnet's metadata. */
  readonly checkProgress?: number;
  readonly downloadRate: number;
  readonly uploadRate: number;
  /** Totals across runs. */
  readonly downloaded: number;
  readonly uploaded: number;
  /** Bytes discarded by failed hash checks, across runs. */
  readonly corrupt: number;
  /** Time spent downloading and seeding across runs: whole seconds up to `clockAt`, plus the time since while `clockRunning` says so. */
  readonly secondsDownloading: number;
  readonly secondsSeeding: number;
  readonly clockRunning?: 'downloading' | 'seeding';
  readonly clockAt: number;
  /** Connected peers by where they were learned of. */
  readonly peersFrom: PeersFrom;
  readonly ratio: number;
  readonly peers: number;
  readonly knownPeers: number;
  readonly seeds: number;
  readonly etaSeconds?: number;
  readonly pieceCount: number;
  readonly havePieces: number;
  readonly addedAt: number;
  readonly completedAt?: number;
  /** Queue priority: 1 low, 2 normal, 3 high. */
  readonly priority: number;
  /** Place in the download queue among all torrents (0 first): by priority, then age. */
  readonly queuePosition: number;
  readonly directory: string;
  /** The data on disk: its file, or its root directory; '' while fetching metadata. */
  readonly dataPath: string;
  /** Set only while the torrent is a magnet without metadata. */
  readonly magnet?: string;
  /** The same array until the labels change (so rows can be compared field by field). */
  readonly labels: readonly string[];
  /** The hosts of its trackers (lower-case, each once): the filter's `tracker:NAME`. */
  readonly trackerHosts: readonly string[];
  /** Bytes/s, 0 = unlimited. */
  readonly downloadLimit: number;
  readonly uploadLimit: number;
  /** Paused by the user (or by reaching a seed goal), as opposed to waiting in the queue. */
  readonly userPaused: boolean;
  /** Demo torrents: never saved. */
  readonly ephemeral: boolean;
}

export interface FileInfo {
  readonly index: number;
  /** Path inside the torrent, components joined with '/' (the torrent's own name left out for multi-file torrents). */
  readonly path: string;
  readonly length: number;
  /** Bytes of the pieces it overlaps that we have. */
  readonly completed: number;
  /** 0 skip, 1 normal, 2 high. */
  readonly priority: number;
}

export interface PeerInfo {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly client: string;
  readonly incoming: boolean;
  readonly transport: 'tcp' | 'utp';
  /** RC4 over MSE/PE. */
  readonly encrypted: boolean;
  readonly amInterested: boolean;
  readonly amChoking: boolean;
  readonly peerInterested: boolean;
  readonly peerChoking: boolean;
  readonly snubbed: boolean;
  readonly progress: number;
  readonly downloadRate: number;
  readonly uploadRate: number;
  readonly requests: number;
}

export interface TrackerInfo {
  readonly url: string;
  readonly tier: number;
  readonly status: string;
  readonly lastAnnounceAt?: number;
  readonly nextAnnounceAt?: number;
  readonly seeders?: number;
  readonly leechers?: number;
  readonly lastError?: string;
}

export interface PieceInfo {
  readonly pieceCount: number;
  readonly pieceLength: number;
  /** Wire-format bitfield (high bit first). */
  readonly have: Uint8Array;
  readonly downloading: readonly number[];
  readonly availability: Uint16Array;
}

/** What a torrent's metainfo says, and counters of the current run. */
export interface TorrentInfo {
  readonly infoHash: string;
  readonly name: string;
  readonly pieceLength: number;
  readonly private: boolean;
  readonly comment?: string;
  readonly createdBy?: string;
  readonly creationDate?: number;
  readonly dataPath: string;
  readonly wasted: number;
  readonly hashFailures: number;
  readonly magnet: string;
  readonly trackers: readonly (readonly string[])[];
  readonly fileCount: number;
}

export interface GlobalInfo {
  readonly downloadRate: number;
  readonly uploadRate: number;
  readonly downloadLimit: number;
  readonly uploadLimit: number;
  readonly connections: number;
  readonly port: number;
  readonly dhtNodes?: number;
  readonly downloadDirectory: string;
  readonly maxActiveDownloads: number;
  /** The service-wide seed goals (mode 'global'); undefined = none. */
  readonly seedRatioLimit?: number;
  readonly seedIdleLimit?: number;
  /** Turtle mode: while enabled, its limits are the ones in force (downloadLimit/uploadLimit stay the usual ones). */
  readonly altSpeed: AltSpeed;
  readonly torrentCount: number;
}

export type LogLevel = 'info' | 'warn' | 'error';

/** What kind of change: 'progress' for traffic and pieces (frequent), anything else for changes a user made or should see at once. */
/** What changed: 'trackers' is an announce's news (status, counts, next time), nothing else. */
export type ChangeKind = 'progress' | 'tick' | 'state' | 'settings' | 'trackers';

export interface ServiceEvents {
  'torrent-added': [TorrentRef];
  'torrent-changed': [TorrentRef, ChangeKind];
  'torrent-removed': [TorrentRef];
  /** Limits, queue size, directory: GlobalInfo changed. */
  'global-changed': [];
  log: [LogLevel, string];
}

export interface ChangesSince {
  /** Pass this back as `since` next time. */
  readonly cursor: number;
  /** Ids of torrents changed after `since` (added ones included), in id order. */
  readonly changed: number[];
  /** Ids of torrents removed after `since`. */
  readonly removed: number[];
  /** True when removals that old were forgotten (the list may miss some): re-read everything. */
  readonly removedIncomplete: boolean;
}

export interface AddOptions {
  /** Default: the service's download directory. */
  directory?: string;
  paused?: boolean;
  /** Never saved in the session (demo torrents). */
  ephemeral?: boolean;
  /** Take the data as complete without checking (a torrent just made from it). */
  seedMode?: boolean;
  priority?: number;
  filePriorities?: Uint8Array;
  labels?: readonly string[];
  addedAt?: number;
}

/** Per-torrent settings that can be changed in one call (Transmission's torrent-set). */
export interface TorrentSettings extends Partial<SeedGoals> {
  labels?: readonly string[];
  downloadLimit?: number;
  uploadLimit?: number;
  priority?: number;
}

export interface ServiceOptions {
  /** Where session.json and the .torrent copies live. */
  stateDirectory: string;
  /** Where new torrents go unless told otherwise. */
  downloadDirectory: string;
  /** Torrents downloading at once; the rest wait as "queued". 0 = no limit. */
  maxActiveDownloads?: number;
  /** Global limits in bytes/s (0 = unlimited), set on the session at once. */
  limits?: { download: number; upload: number };
  /** Turtle mode as saved (the settings'); default off, 50 KiB/s each way, 09:00-17:00 every day when scheduled. */
  altSpeed?: Partial<AltSpeed>;
  /** Called after a change of the service-wide settings, with what changed (to keep it in the settings file). */
  saveSettings?: (change: SettingsChange) => void;
  /** How often the turtle schedule is checked; default 15 s; 0 = only by checkAltSpeedSchedule(). */
  altSpeedCheckMs?: number;
  /** Service-wide seed goals (a torrent's mode 'global'); undefined = none. */
  seedRatioLimit?: number;
  seedIdleLimit?: number;
  /** How long a magnet may take to fetch its metadata; default 5 minutes. */
  metadataTimeoutMs?: number;
  /** How long ordinary changes wait to be saved together; default 1 s. */
  saveDebounceMs?: number;
  /** How often seed goals are checked; default 5 s; 0 = only by checkSeedGoals(). */
  seedCheckMs?: number;
  /** The engine's resume file of a torrent, kept across a move (else the moved torrent is checked again). */
  resumePath?: (hash: string) => string;
  /** Tests: the file system calls of move(), and a hook before each session write (a throw fails it). */
  moveFs?: MoveFs;
  beforeSessionWrite?: (write: SessionWrite) => Promise<void>;
}

/** A session write about to be made: records appended to session.journal, or session.json written whole. */
export interface SessionWrite {
  kind: 'journal' | 'compaction';
  /** The torrents it saves (put or removed for the journal; every one for a compaction). */
  hashes: string[];
}
