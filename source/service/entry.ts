import { join } from 'node:path';
import type { Torrent } from '../engine/torrent/torrent.js';
import type { Bitfield } from '../engine/codec/bitfield.js';
import { trackerHosts } from '../format/tracker-host.js';
import type { ListedTorrent, SavedTorrent } from '../session-state/session-file.js';
import { clockSeconds, newClock, type ActivityClock } from './activity-clock.js';
import type { PendingMagnet } from './magnet-fetches.js';
import { MAX_PRIORITY, MIN_PRIORITY, type QueueSubject } from './queue-manager.js';
import type { AddOptions, GoalMode, TorrentRef } from './types.js';

const EMPTY: readonly string[] = Object.freeze([]);

/**
 * What a summary needs of the files not skipped: their bytes and how many of those are still
 * missing. Valid while the file priorities, the torrent's bitfield of pieces had (a new one after a
 * start, a check or loaded resume data) and the count of pieces had are the ones it was made with;
 * a verified piece updates it in place.
 */
export interface WantedBytes {
  readonly priorities: Uint8Array;
  readonly have: object;
  havePieces: number;
  readonly wanted: number;
  left: number;
}

/** A torrent or magnet as the service keeps it. */
export interface Entry extends QueueSubject {
  readonly id: number;
  readonly hash: string;
  torrent?: Torrent;
  pending?: PendingMagnet;
  addedAt: number;
  /** Order in the queue among equal priorities (addedAt unless moved with setQueuePosition). */
  order: number;
  completedAt?: number;
  downloadedBase: number;
  uploadedBase: number;
  /** Bytes discarded by failed hash checks in earlier runs (the engine's torrent counts this run's). */
  corruptBase: number;
  /** Time spent downloading and seeding, across runs. */
  clock: ActivityClock;
  priority: number;
  filePriorities: Uint8Array;
  userPaused: boolean;
  queued: boolean;
  /** Started with startNow: runs outside the download queue until stopped (not saved: after a restart it is queued again). */
  forced: boolean;
  ephemeral: boolean;
  /** Asked to run with its pieces unknown and every wanted file on disk: checked before it queues (check-first.ts). */
  dataOnDisk: boolean;
  checkProgress?: number;
  labels: readonly string[];
  seedRatioLimit: number;
  seedRatioMode: GoalMode;
  seedIdleLimit: number;
  seedIdleMode: GoalMode;
  downloadLimit: number;
  uploadLimit: number;
  /** The change sequence number of its last change. */
  changedAt: number;
  /** Its last summary showed no peers, no traffic, no check: a tick cannot change it. */
  quiet: boolean;
  lastActiveAt?: number;
  moving: boolean;
  /** The summary's wanted bytes, cached (reads.ts wantedBytes). */
  wanted?: WantedBytes;
  /** The torrent whose events it follows (session-binding.ts). */
  bound?: Torrent;
  readonly ref: TorrentRef;
}

export function newEntry(id: number, hash: string, fileCount: number, options: AddOptions): Entry {
  const addedAt = options.addedAt ?? Date.now();
  return {
    id,
    hash,
    ref: Object.freeze({ id, hash }),
    addedAt,
    order: addedAt,
    downloadedBase: 0,
    uploadedBase: 0,
    corruptBase: 0,
    clock: newClock(),
    priority: Math.max(MIN_PRIORITY, Math.min(MAX_PRIORITY, options.priority ?? 2)),
    filePriorities: options.filePriorities ?? new Uint8Array(fileCount).fill(1),
    userPaused: false,
    queued: false,
    forced: false,
    ephemeral: options.ephemeral ?? false,
    dataOnDisk: false,
    labels: normalizeLabels(options.labels ?? EMPTY),
    seedRatioLimit: 2,
    seedRatioMode: 'global',
    seedIdleLimit: 30,
    seedIdleMode: 'global',
    downloadLimit: 0,
    uploadLimit: 0,
    changedAt: 0,
    quiet: false,
    moving: false,
  };
}

/** One entry as session.json keeps it; undefined for demo torrents. The same object while nothing in it changed. */
export function savedEntry(entry: Entry): SavedTorrent | undefined {
  if (entry.ephemeral || (!entry.torrent && !entry.pending)) return undefined;
  const kept = savedEntries.get(entry);
  if (kept && unchanged(entry, kept)) return kept.saved;
  const saved = buildSaved(entry);
  savedEntries.set(entry, {
    saved,
    labels: entry.labels,
    torrent: entry.torrent,
    pending: entry.pending,
    clockRunning: entry.clock.running,
    have: entry.torrent?.have,
  });
  return saved;
}

interface Kept {
  saved: SavedTorrent;
  labels: readonly string[];
  torrent?: Torrent;
  pending?: PendingMagnet;
  clockRunning: ActivityClock['running'];
  /** The pieces had when saved (the listed progress): a new bitfield or another count is saved again. */
  have?: Bitfield;
}

/** Each entry's last saved form: a session write over 10,000 torrents rebuilds only those that changed. */
const savedEntries = new WeakMap<Entry, Kept>();

function unchanged(entry: Entry, kept: Kept): boolean {
  const s = kept.saved;
  if (
    kept.torrent !== entry.torrent ||
    kept.pending !== entry.pending ||
    kept.labels !== entry.labels ||
    kept.clockRunning !== entry.clock.running ||
    s.priority !== entry.priority ||
    s.addedAt !== entry.addedAt ||
    (s.queueOrder ?? s.addedAt) !== entry.order ||
    s.seedRatioLimit !== entry.seedRatioLimit ||
    s.seedRatioMode !== entry.seedRatioMode ||
    s.seedIdleLimit !== entry.seedIdleLimit ||
    s.seedIdleMode !== entry.seedIdleMode ||
    s.downloadLimit !== entry.downloadLimit ||
    s.uploadLimit !== entry.uploadLimit
  )
    return false;
  const torrent = entry.torrent;
  if (!torrent) return s.paused === (entry.pending!.status === 'paused');
  const run = torrent.transferred;
  if (
    kept.have !== torrent.have ||
    s.listed?.havePieces !== torrent.have.count() ||
    s.paused !== entry.userPaused ||
    s.directory !== torrent.directory ||
    s.completedAt !== entry.completedAt ||
    s.downloaded !== entry.downloadedBase + run.downloaded ||
    s.uploaded !== entry.uploadedBase + run.uploaded ||
    s.corrupt !== entry.corruptBase + run.corrupt ||
    !sameSeconds(s, clockSeconds(entry.clock, Date.now())) ||
    s.filePriorities.length !== entry.filePriorities.length
  )
    return false;
  for (let i = 0; i < s.filePriorities.length; i++) if (s.filePriorities[i] !== entry.filePriorities[i]) return false;
  return true;
}

/** A fixed shape (no spreads): 10,000 of these are compared and serialised on every session write. */
/**
 * A running clock is saved again only every few minutes (10,000 seeding torrents would otherwise
 * all be serialised on every write); a clock that stopped or started is saved at once.
 */
const CLOCK_SAVE_S = 300;

function sameSeconds(s: SavedTorrent, now: { downloading: number; seeding: number }): boolean {
  const d = now.downloading - s.secondsDownloading;
  const e = now.seeding - s.secondsSeeding;
  return d >= 0 && d < CLOCK_SAVE_S && e >= 0 && e < CLOCK_SAVE_S;
}

function buildSaved(entry: Entry): SavedTorrent {
  const torrent = entry.torrent;
  const pending = torrent ? undefined : entry.pending!;
  const run = torrent?.transferred;
  const seconds = clockSeconds(entry.clock, Date.now());
  const saved: SavedTorrent = {
    infoHash: entry.hash,
    torrentFile: torrent ? join('torrents', `${entry.hash}.torrent`) : undefined,
    magnet: pending?.uri,
    directory: torrent ? torrent.directory : pending!.directory,
    paused: torrent ? entry.userPaused : pending!.status === 'paused',
    priority: entry.priority,
    filePriorities: torrent ? Array.from(entry.filePriorities) : [],
    addedAt: entry.addedAt,
    queueOrder: entry.order !== entry.addedAt ? entry.order : undefined,
    completedAt: torrent ? entry.completedAt : undefined,
    downloaded: run ? entry.downloadedBase + run.downloaded : 0,
    uploaded: run ? entry.uploadedBase + run.uploaded : 0,
    corrupt: run ? entry.corruptBase + run.corrupt : 0,
    secondsDownloading: seconds.downloading,
    secondsSeeding: seconds.seeding,
    labels: [...entry.labels],
    seedRatioLimit: entry.seedRatioLimit,
    seedRatioMode: entry.seedRatioMode,
    seedIdleLimit: entry.seedIdleLimit,
    seedIdleMode: entry.seedIdleMode,
    downloadLimit: entry.downloadLimit,
    uploadLimit: entry.uploadLimit,
    // Last: salvageDirectories reads infoHash and directory with no object between them.
    listed: torrent ? listedTorrent(torrent) : listedMagnet(pending!),
  };
  return saved;
}

/** The row's figures as the TUI's first frame shows them before the torrent is opened (the same as TorrentReads' summary). */
function listedTorrent(torrent: Torrent): ListedTorrent {
  const s = torrent.stats();
  const size = torrent.meta.contentLength ?? s.length;
  return {
    name: s.name,
    size,
    completedBytes: Math.min(s.completedBytes, size),
    progress: s.progress,
    pieceCount: s.pieceCount,
    havePieces: s.havePieces,
    dataPath: torrent.root,
    trackerHosts: [...trackerHosts(torrent.meta.announce)],
  };
}

function listedMagnet(pending: PendingMagnet): ListedTorrent {
  const size = pending.magnet.length ?? 0;
  return {
    name: pending.name,
    size,
    completedBytes: 0,
    progress: 0,
    pieceCount: 0,
    havePieces: 0,
    dataPath: '',
    trackerHosts: [...trackerHosts(pending.magnet.trackers)],
  };
}

export function applySaved(entry: Entry, saved: SavedTorrent): void {
  entry.order = saved.queueOrder ?? saved.addedAt;
  entry.labels = normalizeLabels(saved.labels);
  entry.seedRatioLimit = saved.seedRatioLimit;
  entry.seedRatioMode = saved.seedRatioMode;
  entry.seedIdleLimit = saved.seedIdleLimit;
  entry.seedIdleMode = saved.seedIdleMode;
  entry.downloadLimit = saved.downloadLimit;
  entry.uploadLimit = saved.uploadLimit;
  if (saved.downloadLimit || saved.uploadLimit) entry.torrent?.setLimits({ download: saved.downloadLimit, upload: saved.uploadLimit });
}

/** The goal in force: the torrent's own, the service's, or none. */
export function goal(mode: GoalMode, own: number, global: number | undefined): number | undefined {
  return mode === 'single' ? own : mode === 'global' ? global : undefined;
}

export function clampRate(value: number): number {
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

/** Labels as Transmission keeps them: trimmed, no empty ones, no commas, each once, in the order given. */
export function normalizeLabels(labels: readonly string[]): readonly string[] {
  const out = [...new Set(labels.map((l) => l.trim().replace(/,/g, ' ')).filter((l) => l !== ''))];
  return out.length === 0 ? EMPTY : Object.freeze(out);
}

/** What log lines call a torrent: its name, a magnet's name, else its info-hash. */
export function entryName(entry: Entry): string {
  return entry.torrent?.meta.name ?? entry.pending?.name ?? entry.hash;
}

/** Counts against the download queue's limit: downloading, or checking/stopped without having completed. */
export function countsAsDownloading(entry: Entry): boolean {
  const torrent = entry.torrent!;
  const state = torrent.state;
  const unfinished = entry.completedAt === undefined;
  return torrent.isRunning ? state === 'downloading' || (state === 'checking' && unfinished) : state !== 'error' && unfinished;
}
