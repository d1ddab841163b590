// One interface and the plain types it speaks in: kept whole so that a backend author reads it in one place.
// What the Transmission-compatible RPC layer needs from btui, as one interface.
// The service layer implements RpcBackend; source/rpc/ maps it to Transmission's wire format
// and never reaches into the engine, the store or a front-end itself.
//
// Units here are btui's, not Transmission's: bytes, bytes per second, milliseconds since the
// epoch (0 = never). The RPC layer converts (kB/s, unix seconds, 0..6 status codes...).

/** A torrent's state, in Transmission's seven states. */
export type RpcTorrentStatus = 'stopped' | 'check-wait' | 'check' | 'download-wait' | 'download' | 'seed-wait' | 'seed';

/** Which kind of error a torrent has ('none' when it has none). Maps to Transmission's `error` 0..3. */
export type RpcErrorKind = 'none' | 'tracker-warning' | 'tracker-error' | 'local';

/** Whose limit applies: the session's default, the torrent's own, or none. Transmission's mode 0, 1, 2. */
export type RpcLimitMode = 'global' | 'single' | 'unlimited';

/** -1 low, 0 normal, 1 high (Transmission's tr_priority_t). */
export type RpcPriority = -1 | 0 | 1;

/**
 * One torrent, cheap to produce: plain numbers and strings. The heavy parts (files, peers,
 * trackers, pieces) come separately, through RpcBackend.torrentParts, and only when a request asks.
 */
export interface RpcTorrent {
  /** Small integer id, stable for this process's life (Transmission's `id`). */
  readonly id: number;
  /** Info hash, 40 lowercase hex characters. */
  readonly hashString: string;
  readonly name: string;
  readonly status: RpcTorrentStatus;
  readonly error: RpcErrorKind;
  /** The error's text, '' when none. */
  readonly errorString: string;

  /** Sum of every file's length (0 while a magnet has no metadata). */
  readonly totalSize: number;
  /** Bytes of the wanted files. */
  readonly sizeWhenDone: number;
  /** Bytes of the wanted files still missing. */
  readonly leftUntilDone: number;
  /** Bytes verified against their piece hashes. */
  readonly haveValid: number;
  /** Bytes downloaded but not yet verified. */
  readonly haveUnchecked: number;
  /** Bytes of leftUntilDone that connected peers (and web seeds) have. */
  readonly desiredAvailable: number;
  /** Bytes thrown away for failing their hash check. */
  readonly corruptEver: number;
  readonly downloadedEver: number;
  readonly uploadedEver: number;
  /** Bytes per second. */
  readonly rateDownload: number;
  readonly rateUpload: number;

  /** 0..1: how much of the info dictionary a magnet has (1 once known). */
  readonly metadataPercentComplete: number;
  /** 0..1 while checking, else 0. */
  readonly recheckProgress: number;

  readonly peersConnected: number;
  readonly peersGettingFromUs: number;
  readonly peersSendingToUs: number;
  readonly webseedsSendingToUs: number;
  /** Connected peers by where they were learned of. */
  readonly peersFrom?: RpcPeersFrom;

  readonly pieceCount: number;
  readonly pieceSize: number;
  readonly fileCount: number;

  readonly labels: readonly string[];
  readonly seedRatioLimit: number;
  readonly seedRatioMode: RpcLimitMode;
  /** Minutes of seeding inactivity. */
  readonly seedIdleLimit: number;
  readonly seedIdleMode: RpcLimitMode;
  /** True once a seeding torrent was stopped for reaching its idle limit. */
  readonly finishedSeedingByIdle?: boolean;
  /** Bytes per second. */
  readonly downloadLimit: number;
  readonly downloadLimited: boolean;
  readonly uploadLimit: number;
  readonly uploadLimited: boolean;
  readonly honorsSessionLimits: boolean;
  readonly bandwidthPriority: RpcPriority;
  readonly peerLimit: number;
  readonly sequentialDownload: boolean;

  /** Milliseconds since the epoch, 0 = never. */
  readonly addedDate: number;
  readonly doneDate: number;
  readonly activityDate: number;
  readonly startDate: number;
  readonly editDate: number;
  /** From the .torrent's `creation date`, 0 when absent. */
  readonly dateCreated: number;
  /** When a manual re-announce is next allowed, 0 = now. */
  readonly manualAnnounceTime: number;
  /** Seconds spent downloading and seeding, across runs, as of `clockAt` (ms since the epoch); the one named by `clockRunning` keeps counting after it. */
  readonly secondsDownloading: number;
  readonly secondsSeeding: number;
  readonly clockRunning?: 'downloading' | 'seeding';
  readonly clockAt?: number;
  /** Active but moving no data for long enough to leave a queue slot free. */
  readonly isStalled: boolean;

  readonly downloadDir: string;
  /** 0-based position in its queue. */
  readonly queuePosition: number;
  readonly comment: string;
  readonly creator: string;
  readonly isPrivate: boolean;
  /** '' where the backend makes it only when asked (RpcBackend.magnetLink). */
  readonly magnetLink: string;
  readonly webseeds: readonly string[];
  /** e.g. 'video/x-matroska'; '' when unknown. */
  readonly primaryMimeType?: string;
}

export interface RpcPeersFrom {
  readonly fromCache: number;
  readonly fromDht: number;
  readonly fromIncoming: number;
  readonly fromLpd: number;
  readonly fromLtep: number;
  readonly fromPex: number;
  readonly fromTracker: number;
}

export interface RpcFile {
  /** Path as Transmission shows it: the torrent's name, '/', then the path inside it (one-file torrents: the name). */
  readonly name: string;
  readonly length: number;
  readonly bytesCompleted: number;
  readonly wanted: boolean;
  readonly priority: RpcPriority;
  readonly beginPiece?: number;
  readonly endPiece?: number;
}

export interface RpcPeer {
  readonly address: string;
  readonly port: number;
  readonly clientName: string;
  /** 0..1 */
  readonly progress: number;
  /** Bytes per second from the peer to us, and from us to the peer. */
  readonly rateToClient: number;
  readonly rateToPeer: number;
  readonly isEncrypted: boolean;
  readonly isIncoming: boolean;
  readonly isUtp: boolean;
  readonly clientIsChoked: boolean;
  readonly clientIsInterested: boolean;
  readonly peerIsChoked: boolean;
  readonly peerIsInterested: boolean;
  readonly isDownloadingFrom: boolean;
  readonly isUploadingTo: boolean;
  /** Transmission's flag letters ('D', 'U', 'E', 'I', ...); computed from the booleans when absent. */
  readonly flagStr?: string;
}

/** Transmission's tracker_state: 0 inactive, 1 waiting, 2 queued, 3 active. */
export type RpcTrackerState = 0 | 1 | 2 | 3;

export interface RpcTracker {
  /** Unique within the torrent; what torrent-set's trackerRemove names. */
  readonly id: number;
  readonly announce: string;
  /** '' when the tracker has no scrape URL. */
  readonly scrape: string;
  readonly tier: number;
  readonly announceState?: RpcTrackerState;
  readonly scrapeState?: RpcTrackerState;
  readonly hasAnnounced?: boolean;
  readonly hasScraped?: boolean;
  readonly isBackup?: boolean;
  readonly lastAnnounceResult?: string;
  readonly lastAnnounceSucceeded?: boolean;
  readonly lastAnnounceTimedOut?: boolean;
  readonly lastAnnouncePeerCount?: number;
  /** Milliseconds since the epoch, 0 = never. */
  readonly lastAnnounceTime?: number;
  readonly lastAnnounceStartTime?: number;
  readonly nextAnnounceTime?: number;
  readonly lastScrapeResult?: string;
  readonly lastScrapeSucceeded?: boolean;
  readonly lastScrapeTimedOut?: boolean;
  readonly lastScrapeTime?: number;
  readonly lastScrapeStartTime?: number;
  readonly nextScrapeTime?: number;
  /** -1 when unknown. */
  readonly seederCount?: number;
  readonly leecherCount?: number;
  readonly downloadCount?: number;
}

/** The heavy parts of one torrent; each present only when asked for. */
export interface RpcTorrentParts {
  readonly files?: readonly RpcFile[];
  readonly peers?: readonly RpcPeer[];
  readonly trackers?: readonly RpcTracker[];
  /** The have-bitfield, pieceCount bits, most significant bit of byte 0 first (as BitTorrent's). */
  readonly pieces?: Uint8Array;
}

export interface RpcPartsWanted {
  files?: boolean;
  peers?: boolean;
  trackers?: boolean;
  pieces?: boolean;
}

/** Session settings btui knows. Speeds are bytes per second; the RPC layer shows kB/s (1000). */
export interface RpcSessionSettings {
  downloadDir: string;
  incompleteDir: string;
  incompleteDirEnabled: boolean;
  startAddedTorrents: boolean;
  renamePartialFiles: boolean;
  trashOriginalTorrentFiles: boolean;

  peerPort: number;
  peerPortRandomOnStart: boolean;
  portForwardingEnabled: boolean;
  peerLimitGlobal: number;
  peerLimitPerTorrent: number;
  dhtEnabled: boolean;
  pexEnabled: boolean;
  lpdEnabled: boolean;
  utpEnabled: boolean;
  encryption: 'required' | 'preferred' | 'tolerated';

  speedLimitDown: number;
  speedLimitDownEnabled: boolean;
  speedLimitUp: number;
  speedLimitUpEnabled: boolean;
  altSpeedDown: number;
  altSpeedUp: number;
  altSpeedEnabled: boolean;
  altSpeedTimeEnabled: boolean;
  /** Minutes after midnight. */
  altSpeedTimeBegin: number;
  altSpeedTimeEnd: number;
  /** Bit mask of days, Sunday = 1 ... Saturday = 64 (tr_sched_day). */
  altSpeedTimeDay: number;

  seedRatioLimit: number;
  seedRatioLimited: boolean;
  /** Minutes. */
  idleSeedingLimit: number;
  idleSeedingLimitEnabled: boolean;

  downloadQueueEnabled: boolean;
  downloadQueueSize: number;
  seedQueueEnabled: boolean;
  seedQueueSize: number;
  queueStalledEnabled: boolean;
  queueStalledMinutes: number;

  cacheSizeMb: number;
}

export interface RpcSession {
  readonly settings: Readonly<RpcSessionSettings>;
  /** btui's own version, e.g. '0.1.0'. */
  readonly btuiVersion: string;
  readonly configDir: string;
  /** Free bytes in downloadDir; -1 when unknown. */
  readonly downloadDirFreeSpace?: number;
}

export interface RpcStatsBlock {
  readonly uploadedBytes: number;
  readonly downloadedBytes: number;
  readonly filesAdded: number;
  readonly sessionCount: number;
  readonly secondsActive: number;
}

export interface RpcSessionStats {
  /** Bytes per second over every torrent. */
  readonly downloadSpeed: number;
  readonly uploadSpeed: number;
  readonly cumulative: RpcStatsBlock;
  readonly current: RpcStatsBlock;
}

/** Where torrent-add's torrent comes from. */
export type RpcAddSource =
  | { readonly kind: 'metainfo'; readonly bytes: Uint8Array }
  | { readonly kind: 'magnet'; readonly uri: string }
  | { readonly kind: 'url'; readonly url: string; readonly cookies?: string }
  | { readonly kind: 'file'; readonly path: string };

/** File indices, or 'all' (Transmission's empty array). */
export type RpcFileSelection = readonly number[] | 'all';

export interface RpcAddRequest {
  readonly source: RpcAddSource;
  readonly downloadDir?: string;
  /** Undefined: the session's start-added-torrents decides. */
  readonly paused?: boolean;
  readonly labels?: readonly string[];
  readonly peerLimit?: number;
  readonly bandwidthPriority?: RpcPriority;
  readonly filesWanted?: RpcFileSelection;
  readonly filesUnwanted?: RpcFileSelection;
  readonly priorityHigh?: RpcFileSelection;
  readonly priorityNormal?: RpcFileSelection;
  readonly priorityLow?: RpcFileSelection;
}

export interface RpcAddResult {
  /** True when the torrent was already there (nothing was added). */
  readonly duplicate: boolean;
  readonly id: number;
  readonly name: string;
  readonly hashString: string;
}

/** torrent-set's changes, each applied to every selected torrent. Speeds in bytes per second. */
export interface RpcTorrentChanges {
  labels?: readonly string[];
  seedRatioLimit?: number;
  seedRatioMode?: RpcLimitMode;
  /** Minutes. */
  seedIdleLimit?: number;
  seedIdleMode?: RpcLimitMode;
  filesWanted?: RpcFileSelection;
  filesUnwanted?: RpcFileSelection;
  priorityHigh?: RpcFileSelection;
  priorityNormal?: RpcFileSelection;
  priorityLow?: RpcFileSelection;
  downloadLimit?: number;
  downloadLimited?: boolean;
  uploadLimit?: number;
  uploadLimited?: boolean;
  honorsSessionLimits?: boolean;
  bandwidthPriority?: RpcPriority;
  peerLimit?: number;
  sequentialDownload?: boolean;
  /** New download directory, without moving data (as Transmission's torrent-set `location`). */
  location?: string;
  queuePosition?: number;
  trackerAdd?: readonly string[];
  /** Tracker ids (RpcTracker.id). */
  trackerRemove?: readonly number[];
  /** The whole announce list, as tiers of URLs; replaces every tracker. */
  trackerList?: readonly (readonly string[])[];
}

export type RpcQueueMove = 'top' | 'up' | 'down' | 'bottom';

/** Values or promises of them: a backend may answer synchronously. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * Everything the RPC layer asks of btui. Torrents are named by hashString in every action.
 * A thrown Error's message becomes the RPC `result` string, so say what went wrong in words a
 * remote user can act on ("invalid or corrupt torrent file", "no such directory: ...").
 */
export interface RpcBackend {
  /**
   * Every torrent, cheap fields only. Called on every torrent-get: keep it allocation-light. Each
   * RpcTorrent is immutable: a torrent that changed is a new object, and an unchanged one may be
   * handed back again (the RPC reuses the JSON it made of that object).
   */
  listTorrents(): MaybePromise<readonly RpcTorrent[]>;
  /**
   * The heavy parts of one torrent; only those asked for need be filled in. Parts are treated as
   * immutable: hand back the same array while nothing in it changed, and the RPC layer reuses
   * what it made of it (a poll of 10,000 torrents' trackers then allocates nothing new).
   */
  torrentParts(hashString: string, wanted: RpcPartsWanted): MaybePromise<RpcTorrentParts>;
  /** A torrent's magnet link where its RpcTorrent leaves magnetLink '' (10,000 kept links cost ~2 MB; Flood never asks). */
  magnetLink?(hashString: string): string;
  /** Ids of torrents removed at or after this time (ms since the epoch), for `recently-active`. */
  removedSince(sinceMs: number): MaybePromise<readonly number[]>;

  addTorrent(request: RpcAddRequest): MaybePromise<RpcAddResult>;
  removeTorrents(hashes: readonly string[], deleteLocalData: boolean): MaybePromise<void>;
  /** `now`: start regardless of the queue (torrent-start-now). */
  startTorrents(hashes: readonly string[], now: boolean): MaybePromise<void>;
  stopTorrents(hashes: readonly string[]): MaybePromise<void>;
  verifyTorrents(hashes: readonly string[]): MaybePromise<void>;
  reannounceTorrents(hashes: readonly string[]): MaybePromise<void>;
  /** `move`: move the data there; otherwise look for it there. */
  setLocation(hashes: readonly string[], location: string, move: boolean): MaybePromise<void>;
  setTorrents(hashes: readonly string[], changes: RpcTorrentChanges): MaybePromise<void>;
  moveInQueue(hashes: readonly string[], where: RpcQueueMove): MaybePromise<void>;

  getSession(): MaybePromise<RpcSession>;
  /** Only the keys present change. */
  setSession(changes: Partial<RpcSessionSettings>): MaybePromise<void>;
  sessionStats(): MaybePromise<RpcSessionStats>;
  /** Free and total bytes of the filesystem holding `path`. */
  freeSpace(path: string): MaybePromise<{ readonly sizeBytes: number; readonly totalSize: number }>;
  /** Whether the peer port is reachable from outside; answer false when it cannot tell. */
  portTest?(): MaybePromise<boolean>;
  /**
   * Renames a file or folder of one torrent: `path` as in its files' names ('Name/sub/file'),
   * `name` the new last component. Without it, torrent-rename-path answers that btui cannot.
   */
  renamePath?(hashString: string, path: string, name: string): MaybePromise<void>;
  /** Stops the daemon (session-close), after the answer is sent. Without it, session-close is refused. */
  shutdown?(): MaybePromise<void>;
}
