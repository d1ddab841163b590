import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { jsonSyntaxError } from '../format/json-error.js';
import { syncDirectory, writeFileDurably } from './durable-file.js';
import { journalPathFor, parseJournal } from './session-journal.js';
import { SessionText } from './session-text.js';

export interface SavedTorrent {
  infoHash: string;
  /** The .torrent copy, relative to the state directory; absent while only the magnet is known. */
  torrentFile?: string;
  /** A magnet still fetching its metadata at save time: fetched again on restore. */
  magnet?: string;
  directory: string;
  paused: boolean;
  priority: number;
  filePriorities: number[];
  addedAt: number;
  /** Place among torrents of the same priority in the download queue, when moved from the order of adding. */
  queueOrder?: number;
  completedAt?: number;
  downloaded: number;
  uploaded: number;
  /** Bytes discarded by failed hash checks; absent in older files (0). */
  corrupt: number;
  /** Seconds spent downloading and seeding, across runs; absent in older files (0). */
  secondsDownloading: number;
  secondsSeeding: number;
  /** Added after version 1's first files: absent in older files (read as the defaults below). */
  labels: string[];
  /** Upload/size at which the torrent stops seeding, when seedRatioMode is 'single'. */
  seedRatioLimit: number;
  seedRatioMode: GoalMode;
  /** Minutes without transfer after which it stops seeding, when seedIdleMode is 'single'. */
  seedIdleLimit: number;
  seedIdleMode: GoalMode;
  /** Bytes/s, 0 = unlimited. */
  downloadLimit: number;
  uploadLimit: number;
  /** What the list showed of it at save time: the TUI's first frame is drawn from this before the torrents are opened. Absent in older files. */
  listed?: ListedTorrent;
}

/** A torrent's row as of the last save, for the TUI's first frame (store/session-preview.ts). */
export interface ListedTorrent {
  name: string;
  size: number;
  completedBytes: number;
  progress: number;
  pieceCount: number;
  havePieces: number;
  /** Its data on disk ('' for a magnet without metadata). */
  dataPath: string;
  trackerHosts: string[];
}

/** Transmission's modes for a seed goal: the global one, the torrent's own, or none. */
export type GoalMode = 'global' | 'single' | 'unlimited';
const GOAL_MODES: readonly GoalMode[] = ['global', 'single', 'unlimited'];

export interface SavedSession {
  version: 1;
  /** Names this whole write: session.journal replays over the session.json of its generation only. */
  generation?: string;
  torrents: SavedTorrent[];
}

export function sessionFilePath(stateDirectory: string): string {
  return join(stateDirectory, 'session.json');
}

/**
 * Written to a temporary file, synced, then renamed over the old one (and the directory
 * synced): a crash or a power cut leaves either the old or the new file. A writer that saves
 * often passes its own SessionText to reuse unchanged lines.
 */
export async function writeSessionFile(path: string, session: SavedSession, text = new SessionText()): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileDurably(path, text.encode(session));
  await syncDirectory(dirname(path));
}

export interface ReadSession {
  session: SavedSession;
  problems: string[];
  /** Set when the file exists but is not a session at all (not JSON, no list): why, in a few words. */
  unreadable?: string;
  /** Whether the file exists. */
  exists: boolean;
  /** session.journal beside it: replayed into `session` unless unreadable or stale. */
  journal: JournalRead;
}

export interface JournalRead {
  exists: boolean;
  /** Records replayed. */
  records: number;
  /** Not a journal, or damaged before its last record: why (nothing of it was replayed). */
  unreadable?: string;
}

/**
 * session.json, then session.journal replayed over it. A missing file is an empty session;
 * entries that do not make sense are skipped, not fatal; a journal's last record cut short by
 * a crash is left out (said in `problems`). A file that is not a session at all comes back
 * `unreadable` (with an empty list), and a journal damaged before its last record comes back
 * `journal.unreadable` (with session.json's list alone), for the caller to set aside: neither
 * may be saved over.
 */
export async function readSessionFile(path: string): Promise<ReadSession> {
  const journalPath = journalPathFor(path);
  return sessionFromTexts(await readIfThere(path), await readIfThere(journalPath), { path, journalPath });
}

async function readIfThere(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** readSessionFile on texts already read (undefined: no such file); the paths only name them in problems. */
export function sessionFromTexts(
  sessionText: string | undefined,
  journalText: string | undefined,
  names: { path: string; journalPath: string },
): ReadSession {
  const base = parseSessionText(sessionText);
  const noJournal = { exists: false, records: 0 };
  if (base.unreadable || journalText === undefined) return { ...base, journal: { ...noJournal, exists: journalText !== undefined } };
  const parsed = parseJournal(journalText, base.session.generation);
  if (parsed.unreadable) return { ...base, journal: { exists: true, records: 0, unreadable: parsed.unreadable } };
  const problems = [...base.problems];
  const { path, journalPath } = names;
  if (parsed.stale) problems.push(`${journalPath} follows an older ${path}: not replayed (its changes are in ${path})`);
  if (parsed.torn) problems.push(`${journalPath} ends in ${parsed.torn}: that change was never acknowledged, left out`);
  const torrents = new Map(base.session.torrents.map((t) => [t.infoHash, t]));
  for (const record of parsed.records) {
    if ('remove' in record) {
      torrents.delete(record.remove);
      continue;
    }
    const saved = savedTorrentFrom(record.put, problems);
    if (saved) torrents.set(saved.infoHash, saved);
  }
  const list = [...torrents.values()];
  // Torrents first, then magnets still waiting for metadata, as the service writes them.
  const ordered = [...list.filter((t) => t.magnet === undefined), ...list.filter((t) => t.magnet !== undefined)];
  return {
    session: { ...base.session, torrents: ordered },
    problems,
    exists: true,
    journal: { exists: true, records: parsed.records.length },
  };
}

function parseSessionText(text: string | undefined): Omit<ReadSession, 'journal'> {
  if (text === undefined) return { session: { version: 1, torrents: [] }, problems: [], exists: false };
  const empty = (unreadable: string) => ({ session: { version: 1 as const, torrents: [] }, problems: [], unreadable, exists: true });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    const where = jsonSyntaxError(text);
    return empty(where ? `not valid JSON: ${where.problem} at line ${where.line}, column ${where.column}` : 'not valid JSON');
  }
  const list = typeof raw === 'object' && raw !== null ? (raw as { torrents?: unknown }).torrents : undefined;
  if (!Array.isArray(list)) return empty('valid JSON, but not a session (no "torrents" list)');
  const generation = (raw as { generation?: unknown }).generation;
  const problems: string[] = [];
  const torrents: SavedTorrent[] = [];
  for (const item of list) {
    const saved = savedTorrentFrom(item, problems);
    if (saved) torrents.push(saved);
  }
  return { session: { version: 1, ...(typeof generation === 'string' ? { generation } : {}), torrents }, problems, exists: true };
}

/** One saved torrent as read (session.json's entry or a journal's record): checked, defaults filled in; undefined (and a problem) when it makes no sense. */
function savedTorrentFrom(item: unknown, problems: string[]): SavedTorrent | undefined {
  const t = item as Partial<SavedTorrent>;
  if (
    typeof t?.infoHash !== 'string' ||
    !/^[0-9a-f]{40}$/.test(t.infoHash) ||
    (typeof t.torrentFile !== 'string' && typeof t.magnet !== 'string') ||
    typeof t.directory !== 'string'
  ) {
    problems.push(`skipped a malformed session entry: ${JSON.stringify(item).slice(0, 80)}`);
    return undefined;
  }
  const num = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : fallback);
  return {
    infoHash: t.infoHash,
    ...(typeof t.torrentFile === 'string' ? { torrentFile: t.torrentFile } : { magnet: t.magnet }),
    directory: t.directory,
    paused: t.paused === true,
    // Priorities are 1-3 (low, normal, high); older sessions had 0 for "off".
    priority: Math.max(1, Math.min(3, num(t.priority, 2))),
    filePriorities: Array.isArray(t.filePriorities) ? t.filePriorities.map((p) => Math.min(2, num(p, 1))) : [],
    addedAt: num(t.addedAt, Date.now()),
    ...(typeof t.queueOrder === 'number' && Number.isFinite(t.queueOrder) ? { queueOrder: t.queueOrder } : {}),
    completedAt: typeof t.completedAt === 'number' ? t.completedAt : undefined,
    downloaded: num(t.downloaded, 0),
    uploaded: num(t.uploaded, 0),
    corrupt: num(t.corrupt, 0),
    secondsDownloading: num(t.secondsDownloading, 0),
    secondsSeeding: num(t.secondsSeeding, 0),
    labels: Array.isArray(t.labels) ? t.labels.filter((l): l is string => typeof l === 'string' && l !== '') : [],
    seedRatioLimit: num(t.seedRatioLimit, 2),
    seedRatioMode: GOAL_MODES.includes(t.seedRatioMode as GoalMode) ? t.seedRatioMode! : 'global',
    seedIdleLimit: num(t.seedIdleLimit, 30),
    seedIdleMode: GOAL_MODES.includes(t.seedIdleMode as GoalMode) ? t.seedIdleMode! : 'global',
    downloadLimit: num(t.downloadLimit, 0),
    uploadLimit: num(t.uploadLimit, 0),
    ...(listedTorrent(t.listed) ? { listed: t.listed } : {}),
  };
}

/** Whether a saved `listed` is whole: anything else is left out (the torrent is then shown once opened). */
function listedTorrent(value: unknown): value is ListedTorrent {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const count = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x >= 0;
  return (
    typeof v.name === 'string' &&
    count(v.size) &&
    count(v.completedBytes) &&
    count(v.progress) &&
    count(v.pieceCount) &&
    count(v.havePieces) &&
    typeof v.dataPath === 'string' &&
    Array.isArray(v.trackerHosts) &&
    v.trackerHosts.every((h) => typeof h === 'string')
  );
}

/**
 * From the text of a damaged session file: the download directory of each torrent whose
 * entry can still be made out (as writeSessionFile writes them: infoHash before directory).
 */
export function salvageDirectories(text: string): Map<string, string> {
  const found = new Map<string, string>();
  const entry = /"infoHash"\s*:\s*"([0-9a-f]{40})"[^{}]*?"directory"\s*:\s*("(?:[^"\\\n]|\\.)*")/g;
  for (const match of text.matchAll(entry)) {
    try {
      const directory: unknown = JSON.parse(match[2]!);
      if (typeof directory === 'string' && directory !== '') found.set(match[1]!, directory);
    } catch {
      // Not a whole string: nothing to salvage there.
    }
  }
  return found;
}
