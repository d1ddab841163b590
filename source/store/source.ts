import type { GoalMode } from '../service/types.js';
import type { ScrapeResult } from './detail.js';
import type { GlobalStats, LogLevel, TorrentDetail, TorrentRow } from './types.js';

/** A row as a source builds it: the store adds the host, the key and the offline mark. */
export type SourceRow = Omit<TorrentRow, 'host' | 'key' | 'offline'>;

/** A source's share of the status line; rates and connections are summed from its rows. */
export type SourceGlobal = Omit<GlobalStats, 'downloadRate' | 'uploadRate' | 'connections' | 'hosts'>;

export interface SourceStatus {
  readonly online: boolean;
  /** Why it is offline ('connecting' before the first answer). */
  readonly reason?: string;
}

/** What a source tells the store; all of it only marks what to rebuild. */
export interface SourceListener {
  /** A torrent's row changed; `soon` when a user should see it at once (not mere traffic). */
  changed(hash: string, soon: boolean): void;
  /** Torrents were added or removed (the list is read again). */
  structure(): void;
  /** The source's global figures or its status changed. */
  global(): void;
  log(level: LogLevel, text: string): void;
}

export interface SeedGoalPatch {
  seedRatioMode?: GoalMode;
  seedRatioLimit?: number;
  seedIdleMode?: GoalMode;
  seedIdleLimit?: number;
}

export interface GlobalSeedGoals {
  ratio?: number | null;
  idleMinutes?: number | null;
}

/** What the add prompt gives a source: text it understands (magnet, URL, hash, a path it can read), or a .torrent's bytes. */
export type AddInput = { text: string } | { torrent: Uint8Array; name: string };

/**
 * Where the TUI's torrents come from: the in-process session (store/local-source.ts) or a
 * Transmission-RPC daemon (remote/rpc-source.ts). Reads are synchronous and cheap (a source
 * keeps what it last heard); actions return promises that reject with a readable Error and
 * never block a key.
 */
export interface TorrentSource {
  /** undefined for the in-process session; else the host's name (no '/'). */
  readonly host: string | undefined;
  listen(listener: SourceListener): () => void;
  start(): void;
  stop(): void;
  /** Info-hashes in the order the torrents were added. */
  hashes(): Iterable<string>;
  row(hash: string): SourceRow | undefined;
  global(): SourceGlobal;
  status(): SourceStatus;
  /** The torrent whose detail is open (a remote source fetches its peers, files, trackers and pieces while focused). */
  focus(hash: string | undefined): void;
  detail(hash: string, scrapes?: ReadonlyMap<string, ScrapeResult>): TorrentDetail | undefined;
  /** Returns the info-hash of the torrent added, when known. */
  add(input: AddInput, options?: { directory?: string }): Promise<string | undefined>;
  toggle(hash: string): Promise<void>;
  verify(hash: string): Promise<void>;
  remove(hash: string, deleteData: boolean): Promise<void>;
  reannounce(hash: string): Promise<void>;
  /** 1 low, 2 normal, 3 high. */
  setPriority(hash: string, priority: number): Promise<void>;
  /** 0 skip, 1 normal, 2 high. */
  setFilePriority(hash: string, fileIndex: number, priority: number): Promise<void>;
  setLabels(hash: string, labels: readonly string[]): Promise<void>;
  setTorrentLimits(hash: string, limits: { download?: number; upload?: number }): Promise<void>;
  setSeedGoals(hash: string, goals: SeedGoalPatch): Promise<void>;
  /** Resolves false when the data stays where it was. */
  move(hash: string, directory: string): Promise<boolean>;
  setGlobalLimits(limits: { download?: number; upload?: number }): Promise<void>;
  /** The host's seed goals for torrents on 'global' (idle in minutes; null = none). */
  setGlobalSeedGoals(goals: GlobalSeedGoals): Promise<void>;
  /** Turtle mode (Transmission's alt-speed-enabled) on or off. */
  setAltSpeed(enabled: boolean): Promise<void>;
}
