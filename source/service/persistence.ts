import { existsSync } from 'node:fs';
import { readdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { describeError } from '../errors.js';
import { readSessionFile, salvageDirectories, sessionFilePath, writeSessionFile, type SavedSession, type SavedTorrent } from '../session-state/session-file.js';

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
  /** The session as it would be saved now. */
  snapshot: () => SavedSession;
  log: (level: 'info' | 'warn' | 'error', text: string) => void;
  /** How long an ordinary change (paused, completed, totals) waits to be saved with others. */
  debounceMs?: number;
  /** Writes the file; tests count or slow it. */
  write?: (path: string, session: SavedSession) => Promise<void>;
}

/**
 * Keeps session.json in step with the service. Two paths: `scheduleSave` for ordinary
 * changes (debounced), and `commit` for changes a caller waits on (an add): its promise
 * resolves once a write that began after the call has landed. Writes never overlap; every
 * commit arriving while one is in flight shares the next write, so a burst of adds costs a
 * few writes, not one each.
 */
export class SessionPersistence {
  readonly path: string;
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
  private readonly write: (path: string, session: SavedSession) => Promise<void>;
  /** How many writes have landed (tests). */
  writes = 0;

  constructor(
    private readonly stateDirectory: string,
    private readonly options: PersistenceOptions,
  ) {
    this.path = sessionFilePath(stateDirectory);
    this.debounceMs = options.debounceMs ?? 1000;
    this.write = options.write ?? writeSessionFile;
  }

  get isHeld(): boolean {
    return this.held;
  }

  scheduleSave(): void {
    if (this.held || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.save();
    }, this.debounceMs);
    this.timer.unref();
  }

  /** Saves soon and resolves once the file on disk holds every change made before the call; rejects if that write failed. */
  commit(): Promise<void> {
    if (this.held) return Promise.resolve();
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.next) {
      const next: Promise<void> = this.inFlight
        .catch(() => undefined)
        .then(() => {
          // From here on, changes need the write after this one.
          if (this.next === next) this.next = undefined;
          if (this.held) return;
          return this.write(this.path, this.options.snapshot()).then(() => {
            this.writes++;
          });
        });
      this.next = next;
      this.inFlight = next;
    }
    return this.next;
  }

  /** Saves now (errors are logged, not thrown). Nothing while a recovery question is open. */
  save(): Promise<void> {
    return this.commit().catch((error) => this.options.log('error', `cannot save the session: ${describeError(error)}`));
  }

  /**
   * Reads the saved session. An unreadable file is moved aside and saving is held; so is a
   * missing file beside saved .torrent copies (see SessionRecovery).
   */
  async read(): Promise<SavedTorrent[]> {
    const { session: saved, problems, unreadable, exists } = await readSessionFile(this.path);
    for (const problem of problems) this.options.log('warn', problem);
    if (unreadable) await this.setAside(unreadable);
    else if (!exists) await this.noticeOrphans();
    return saved.torrents;
  }

  /** Where the damaged file said a torrent's data was, if that could be made out. */
  salvagedDirectory(hash: string): string | undefined {
    return this.salvaged.get(hash);
  }

  private async setAside(problem: string): Promise<void> {
    const text = await readFile(this.path, 'utf8').catch(() => '');
    const stamp = new Date().toISOString().replace(/:/g, '-');
    let aside = `${this.path}.bad-${stamp}`;
    for (let n = 1; existsSync(aside); n++) aside = `${this.path}.bad-${stamp}-${n}`;
    await rename(this.path, aside);
    this.salvaged = salvageDirectories(text);
    this.held = true;
    this.recovery = { problem: `${this.path} is ${problem}`, setAside: aside, torrentFiles: await this.torrentFiles() };
    this.options.log('error', `${this.path} is ${problem}; set aside as ${aside}`);
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
    return names.filter((n) => /^[0-9a-f]{40}\.torrent$/.test(n)).sort().map((n) => join(directory, n));
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
  }
}
