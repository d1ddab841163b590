import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describeError } from '../errors.js';
import {
  readSessionFile,
  salvageDirectories,
  sessionFilePath,
  writeSessionFile,
  type SavedSession,
  type SavedTorrent,
} from '../session-state/session-file.js';
import { syncDirectory } from '../session-state/durable-file.js';
import { journalPathFor, JournalWriter, type JournalRecord } from '../session-state/session-journal.js';
import { SessionText } from '../session-state/session-text.js';
import { savedEntry, type Entry } from './entry.js';
import type { SessionWrite } from './types.js';

/**
 * The saved session could not be used (unreadable, or missing while .torrent copies are
 * there): nothing is saved until the user answers (TorrentService.rebuild or keepAsIs).
 */
export interface SessionRecovery {
  /** What was wrong, one line. */
  problem: string;
  /** Where the unreadable file was moved, unchanged. */
  setAside?: string;
  /** The .torrent copies in the state directory (absolute paths). */
  torrentFiles: string[];
}

export interface PersistenceOptions {
  /** Every entry the service keeps (those not saved, as demo torrents, are left out here). */
  entries: () => Iterable<Entry>;
  /** The entry the service keeps for an info-hash now, if any. */
  current: (hash: string) => Entry | undefined;
  log: (level: 'info' | 'warn' | 'error', text: string) => void;
  /** How long an ordinary change (paused, completed, totals) waits to be saved with others. */
  debounceMs?: number;
  /** Runs before each write; a throw fails it (tests count, slow or fail writes). */
  beforeWrite?: (write: SessionWrite) => Promise<void>;
}

/** A journal smaller than this is never compacted (a whole write of a small session costs more than its records). */
const COMPACT_MIN_BYTES = 1 << 20;

/**
 * Keeps session.json and session.journal in step with the service. Two paths: `scheduleSave`
 * for ordinary changes (debounced), and `committed` for changes a caller waits on (an add): its
 * promise resolves once a write that began after the call has landed. A write appends a record
 * for each torrent changed since the last one to the journal and syncs it, so its cost follows
 * the changes, not the session's size; once the journal outgrows session.json (and at the first
 * write, and on close) the session is written whole instead and the journal starts again.
 * Writes never overlap; every change arriving while one is in flight shares the next write,
 * so a burst of adds costs a few appends and syncs, not one each.
 */
export class SessionPersistence {
  readonly path: string;
  readonly journalPath: string;
  /** While the user has not answered a recovery question: nothing is written. */
  private held = false;
  private salvaged = new Map<string, string>();
  recovery?: SessionRecovery;
  private timer?: NodeJS.Timeout;
  /** The write in flight (or the last one). */
  private inFlight: Promise<void> = Promise.resolve();
  /** The write that will start once `inFlight` is done: commits made now are covered by it. */
  private next?: Promise<void>;
  private readonly debounceMs: number;
  private readonly text = new SessionText();
  /** What is on disk (session.json and the journal together), by info-hash: undefined until the first whole write. */
  private onDisk?: Map<string, SavedTorrent>;
  private journal?: JournalWriter;
  private sessionBytes = 0;
  /** The list session.json got at the last write, while that write was whole (nothing appended since). */
  private wholeOnDisk?: readonly SavedTorrent[];
  /** Set when the next write must be whole: the journal is large, an append failed, or on close. */
  private compactDue = false;
  /** Entries changed through an action since the last write (removed ones included). */
  private dirty = new Set<Entry>();
  /** Compare every entry at the next write (its counters and clocks move without a change event). */
  private fullScanDue = false;
  /** The highest change number seen by the last write: entries changed since are compared. */
  private seenChange = 0;
  /** How many writes have landed (tests). */
  writes = 0;
  /** While the saved session is read back (restore, rebuild): its changes are not saved one by one. */
  private restoring = false;
  private changedWhileRestoring = false;

  constructor(
    private readonly stateDirectory: string,
    private readonly options: PersistenceOptions,
  ) {
    this.path = sessionFilePath(stateDirectory);
    this.journalPath = journalPathFor(this.path);
    this.debounceMs = options.debounceMs ?? 1000;
  }

  get isHeld(): boolean {
    return this.held;
  }

  /** Runs a restore or a rebuild: meanwhile nothing is scheduled and no action waits for a write. */
  async whileRestoring<T>(work: () => Promise<T>): Promise<T> {
    this.restoring = true;
    try {
      return await work();
    } finally {
      this.restoring = false;
      // Adds made meanwhile (the TUI takes them while the saved torrents open): saved now.
      if (this.changedWhileRestoring) {
        this.changedWhileRestoring = false;
        void this.save();
      }
    }
  }

  scheduleSave(): void {
    if (this.restoring || this.held || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.save();
    }, this.debounceMs);
    this.timer.unref();
  }

  /** Saves soon and resolves once the disk holds every change made before the call; rejects if that write failed. */
  commit(): Promise<void> {
    this.fullScanDue = true;
    return this.writeSoon();
  }

  /** Writes the session whole (session.json) and empties the journal: on close. */
  compact(): Promise<void> {
    this.compactDue = true;
    return this.save();
  }

  private writeSoon(): Promise<void> {
    if (this.held) return Promise.resolve();
    if (this.fullScanDue) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (!this.next) {
      const next: Promise<void> = this.inFlight
        .catch(() => undefined)
        .then(() => {
          // From here on, changes need the write after this one.
          if (this.next === next) this.next = undefined;
          if (this.held) return;
          return this.writeChanges().then(() => {
            this.writes++;
          });
        });
      this.next = next;
      this.inFlight = next;
    }
    return this.next;
  }

  /** Waits for the disk to hold an entry's change (not for ephemeral ones, nor while restoring); a failed write is logged and rethrown. */
  async committed(entry: Entry): Promise<void> {
    if (this.restoring && !entry.ephemeral) this.changedWhileRestoring = true;
    if (entry.ephemeral || this.restoring) return;
    this.dirty.add(entry);
    try {
      await this.writeSoon();
    } catch (error) {
      this.options.log('error', `cannot save the session: ${describeError(error)}`);
      throw error;
    }
  }

  /** Saves now (errors are logged, not thrown). Nothing while a recovery question is open. */
  save(): Promise<void> {
    return this.commit().catch((error) => this.options.log('error', `cannot save the session: ${describeError(error)}`));
  }

  /** One write: the changed torrents appended to the journal, or the whole session when that is due. */
  private async writeChanges(): Promise<void> {
    const dirty = this.dirty;
    const fullScan = this.fullScanDue;
    this.dirty = new Set();
    this.fullScanDue = false;
    try {
      const onDisk = this.onDisk;
      if (!onDisk || this.compactDue || !this.journal) return await this.writeWhole();
      const since = this.seenChange;
      const records: JournalRecord[] = [];
      const seen = fullScan ? new Set<string>() : undefined;
      let newTorrents = false;
      for (const entry of this.options.entries()) {
        if (entry.changedAt > this.seenChange) this.seenChange = entry.changedAt;
        if (!fullScan && entry.changedAt <= since && !dirty.has(entry)) continue;
        const saved = savedEntry(entry);
        if (!saved) continue;
        seen?.add(saved.infoHash);
        const before = onDisk.get(saved.infoHash);
        if (before === saved) continue;
        if (saved.torrentFile !== undefined && before?.torrentFile === undefined) newTorrents = true;
        records.push({ put: saved });
      }
      const removed = new Set<string>();
      for (const entry of dirty) if (onDisk.has(entry.hash) && !this.isSaved(entry.hash)) removed.add(entry.hash);
      if (seen) for (const hash of onDisk.keys()) if (!seen.has(hash)) removed.add(hash);
      for (const hash of removed) records.push({ remove: hash });
      if (records.length === 0) return;
      await this.options.beforeWrite?.({ kind: 'journal', hashes: records.map((r) => ('put' in r ? r.put.infoHash : r.remove)) });
      // The .torrent copies of new torrents were synced when written; their names in torrents/ now.
      if (newTorrents) await syncDirectory(join(this.stateDirectory, 'torrents')).catch(() => undefined);
      this.wholeOnDisk = undefined;
      await this.journal.append(records);
      for (const record of records) {
        if ('put' in record) onDisk.set(record.put.infoHash, record.put);
        else onDisk.delete(record.remove);
      }
      if (this.journal.bytes > Math.max(COMPACT_MIN_BYTES, this.sessionBytes)) this.compactDue = true;
    } catch (error) {
      // What is on disk is not known (an append may have landed in part): the next write is whole.
      this.compactDue = true;
      for (const entry of dirty) this.dirty.add(entry);
      throw error;
    }
  }

  private isSaved(hash: string): boolean {
    const entry = this.options.current(hash);
    return entry !== undefined && savedEntry(entry) !== undefined;
  }

  /** session.json written whole under a new generation; the journal of the old one removed. */
  private async writeWhole(): Promise<void> {
    this.wholeOnDisk = undefined;
    const session = savedSession(this.options.entries());
    for (const entry of this.options.entries()) if (entry.changedAt > this.seenChange) this.seenChange = entry.changedAt;
    session.generation = randomBytes(8).toString('hex');
    await this.options.beforeWrite?.({ kind: 'compaction', hashes: session.torrents.map((t) => t.infoHash) });
    await this.journal?.close();
    this.journal = undefined;
    await writeSessionFile(this.path, session, this.text);
    this.sessionBytes = this.text.bytes;
    this.onDisk = new Map(session.torrents.map((t) => [t.infoHash, t]));
    this.compactDue = false;
    // Stale now (its generation is not session.json's): removed so that it takes no room.
    await rm(this.journalPath, { force: true });
    this.journal = new JournalWriter(this.journalPath, session.generation);
    this.wholeOnDisk = session.torrents;
  }

  /**
   * What the disk holds, as read() would give it: from memory when the last write was whole (as
   * at close, where the TUI draws the next start's first frame from it: reading session.json back
   * took ~100 ms at 10,000 torrents), else read.
   */
  async onDiskNow(): Promise<readonly SavedTorrent[]> {
    await this.inFlight.catch(() => undefined);
    return this.wholeOnDisk ?? (await this.read());
  }

  /**
   * Reads the saved session. An unreadable file is moved aside and saving is held; so is a
   * missing file beside saved .torrent copies (see SessionRecovery).
   */
  async read(): Promise<SavedTorrent[]> {
    const { session: saved, problems, unreadable, exists, journal } = await readSessionFile(this.path);
    for (const problem of problems) this.options.log('warn', problem);
    if (unreadable) await this.setAside(this.path, unreadable, journal.exists);
    else if (journal.unreadable) await this.setAside(this.journalPath, journal.unreadable, false);
    // A journal alone (session.json deleted) is stale: the .torrent copies decide, as with no file at all.
    else if (!exists) await this.noticeOrphans();
    return saved.torrents;
  }

  /** Where the damaged file said a torrent's data was, if that could be made out. */
  salvagedDirectory(hash: string): string | undefined {
    return this.salvaged.get(hash);
  }

  /**
   * Moves an unreadable session.json or journal aside, unchanged, and holds saving until the
   * user answers. With session.json goes its journal (it means nothing without it); a journal
   * alone leaves session.json's list as it was at its last whole write.
   */
  private async setAside(path: string, problem: string, withJournal: boolean): Promise<void> {
    const texts = [await readFile(path, 'utf8').catch(() => '')];
    const aside = await this.moveAside(path);
    if (withJournal) {
      texts.push(await readFile(this.journalPath, 'utf8').catch(() => ''));
      await this.moveAside(this.journalPath);
    }
    // Later records win: the journal's directories over session.json's.
    this.salvaged = new Map(texts.flatMap((text) => [...salvageDirectories(text)]));
    this.held = true;
    this.recovery = { problem: `${path} is ${problem}`, setAside: aside, torrentFiles: await this.torrentFiles() };
    this.options.log('error', `${path} is ${problem}; set aside as ${aside}`);
  }

  private async moveAside(path: string): Promise<string> {
    const stamp = new Date().toISOString().replace(/:/g, '-');
    let aside = `${path}.bad-${stamp}`;
    for (let n = 1; existsSync(aside); n++) aside = `${path}.bad-${stamp}-${n}`;
    await rename(path, aside);
    return aside;
  }

  /** No session file, yet .torrent copies: a session lost before it was first saved (or set aside and not answered). */
  private async noticeOrphans(): Promise<void> {
    const files = await this.torrentFiles();
    if (files.length === 0) return;
    this.held = true;
    this.recovery = { problem: `${this.path} is missing, but the state directory holds saved .torrent files`, torrentFiles: files };
    this.options.log('warn', this.recovery.problem);
  }

  private async torrentFiles(): Promise<string[]> {
    const directory = join(this.stateDirectory, 'torrents');
    const names = await readdir(directory).catch(() => [] as string[]);
    return names
      .filter((n) => /^[0-9a-f]{40}\.torrent$/.test(n))
      .sort()
      .map((n) => join(directory, n));
  }

  /** The user answered: saving resumes. */
  release(): void {
    this.held = false;
    this.recovery = undefined;
    this.salvaged.clear();
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    void this.inFlight.catch(() => undefined).then(() => this.journal?.close());
  }
}

/** The session as it would be saved now (ephemeral demo torrents left out). */
export function savedSession(entries: Iterable<Entry>): SavedSession {
  const torrents: SavedTorrent[] = [];
  const magnets: SavedTorrent[] = [];
  for (const entry of entries) {
    const saved = savedEntry(entry);
    if (saved) (saved.magnet === undefined ? torrents : magnets).push(saved);
  }
  // Torrents first, then magnets still waiting for metadata (as files written before the service had them).
  return { version: 1, torrents: [...torrents, ...magnets] };
}
