import { existsSync } from 'node:fs';
import { readdir, readFile, rename } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { parseMetainfo } from '../engine/metainfo/metainfo.js';
import type { Session } from '../engine/session/session.js';
import { describeError } from '../errors.js';
import type { MagnetAddOptions } from '../store/magnet-fetches.js';
import type { TorrentStore } from '../store/torrent-store.js';
import { printable } from '../format/text.js';
import { readSessionFile, salvageDirectories, sessionFilePath, writeSessionFile, type SavedSession } from './session-file.js';

/** Where restored magnets go to fetch their metadata again (the controller). */
export interface MagnetRestorer {
  addMagnet(uri: string, options: MagnetAddOptions): string | undefined;
}

/**
 * The saved session could not be used (unreadable, or missing while .torrent copies are
 * there): nothing is saved until the user answers, by rebuild() or keepEmpty().
 */
export interface SessionRecovery {
  /** What was wrong, one line. */
  problem: string;
  /** Where the unreadable file was moved, unchanged. */
  setAside?: string;
  /** The .torrent copies in the state directory (absolute paths). */
  torrentFiles: string[];
}

/**
 * Keeps session.json in step with the session: saved shortly after every change that
 * matters (added, removed, paused, completed, priorities) and on exit; restored on start.
 * Data itself is not re-downloaded: the engine's resume files say which pieces are on disk.
 */
export class SessionPersistence {
  private timer?: NodeJS.Timeout;
  private saving: Promise<void> = Promise.resolve();
  private restoring = false;
  /** While the user has not answered a recovery question: nothing is written (see SessionRecovery). */
  private held = false;
  private salvaged = new Map<string, string>();
  recovery?: SessionRecovery;
  readonly path: string;

  constructor(
    private readonly session: Session,
    private readonly store: TorrentStore,
    private readonly stateDirectory: string,
    private readonly debounceMs = 1000,
  ) {
    this.path = sessionFilePath(stateDirectory);
    store.onChange = () => this.scheduleSave();
  }

  /** The session as it would be saved now (ephemeral demo torrents left out). */
  current(): SavedSession {
    const torrents = [];
    for (const torrent of this.session.list()) {
      const hash = torrent.meta.infoHash;
      const record = this.store.record(hash);
      if (!record || record.ephemeral) continue;
      const stats = torrent.stats();
      torrents.push({
        infoHash: hash,
        torrentFile: join('torrents', `${hash}.torrent`),
        directory: stats.directory,
        paused: record.userPaused,
        priority: record.priority,
        filePriorities: [...record.filePriorities],
        addedAt: record.addedAt,
        completedAt: record.completedAt,
        downloaded: record.downloadedBase + stats.downloaded,
        uploaded: record.uploadedBase + stats.uploaded,
      });
    }
    for (const entry of this.store.pending.values()) {
      if (entry.ephemeral || this.session.get(entry.infoHash)) continue;
      torrents.push({
        infoHash: entry.infoHash,
        magnet: entry.uri,
        directory: entry.directory,
        paused: entry.status === 'paused',
        priority: entry.priority,
        filePriorities: [],
        addedAt: entry.addedAt,
        downloaded: 0,
        uploaded: 0,
      });
    }
    return { version: 1, torrents };
  }

  scheduleSave(): void {
    if (this.restoring || this.held || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.save();
    }, this.debounceMs);
    this.timer.unref();
  }

  /** Saves now; saves never overlap (each waits for the one before). Nothing while a recovery question is open. */
  save(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.held) return this.saving;
    const snapshot = this.current();
    this.saving = this.saving.then(() =>
      writeSessionFile(this.path, snapshot).catch((error) => this.store.log('error', `cannot save the session: ${describeError(error)}`)),
    );
    return this.saving;
  }

  /**
   * Adds the saved torrents back, paused ones paused (the others go through the download
   * queue); magnets still without metadata go to `magnets` to be fetched again. Returns how
   * many came back.
   */
  async restore(magnets?: MagnetRestorer): Promise<number> {
    this.restoring = true;
    let restored = 0;
    try {
      const { session: saved, problems, unreadable, exists } = await readSessionFile(this.path);
      for (const problem of problems) this.store.log('warn', problem);
      if (unreadable) await this.setAside(unreadable);
      else if (!exists) await this.noticeOrphans();
      for (const entry of saved.torrents) {
        try {
          if (entry.torrentFile === undefined) {
            if (!magnets || !entry.magnet) throw new Error('a magnet, but nothing here fetches metadata');
            const options = { directory: entry.directory, paused: entry.paused, addedAt: entry.addedAt, priority: entry.priority };
            if (magnets.addMagnet(entry.magnet, options) !== entry.infoHash) throw new Error('its magnet names another torrent');
            restored++;
            continue;
          }
          const file = isAbsolute(entry.torrentFile) ? entry.torrentFile : join(this.stateDirectory, entry.torrentFile);
          const meta = parseMetainfo(await readFile(file));
          if (meta.infoHash !== entry.infoHash) throw new Error(`${file} holds another torrent (${meta.infoHash})`);
          const priorities = entry.filePriorities.length === meta.files.length ? Uint8Array.from(entry.filePriorities) : undefined;
          const torrent = this.session.add(meta, { directory: entry.directory, paused: true, filePriorities: priorities });
          // Paused or waiting in the queue, it shows the progress its resume data records, not 0%.
          if (await torrent.loadSavedProgress()) this.store.touch(meta.infoHash);
          const record = this.store.record(meta.infoHash);
          if (record) {
            record.addedAt = entry.addedAt;
            record.completedAt = entry.completedAt;
            record.downloadedBase = entry.downloaded;
            record.uploadedBase = entry.uploaded;
            record.priority = entry.priority;
            if (priorities) record.filePriorities = priorities;
            record.userPaused = entry.paused;
            // One queue pass after the loop, not one per torrent.
            if (!entry.paused) this.store.requestStart(meta.infoHash, { defer: true });
          } else if (!entry.paused) void torrent.start();
          restored++;
        } catch (error) {
          this.store.log('error', `cannot restore ${entry.infoHash}: ${describeError(error)}`);
        }
      }
    } finally {
      this.restoring = false;
    }
    this.store.applyQueue();
    this.store.refresh();
    return restored;
  }

  /** The unreadable session file moves aside (kept as it is), and saving waits for the user. */
  private async setAside(problem: string): Promise<void> {
    const text = await readFile(this.path, 'utf8').catch(() => '');
    const stamp = new Date().toISOString().replace(/:/g, '-');
    let aside = `${this.path}.bad-${stamp}`;
    for (let n = 1; existsSync(aside); n++) aside = `${this.path}.bad-${stamp}-${n}`;
    await rename(this.path, aside);
    this.salvaged = salvageDirectories(text);
    this.held = true;
    this.recovery = { problem: `${this.path} is ${problem}`, setAside: aside, torrentFiles: await this.torrentFiles() };
    this.store.log('error', `${this.path} is ${problem}; set aside as ${aside}`);
  }

  /** No session file, yet .torrent copies: a session lost before it was first saved (or set aside and not answered). */
  private async noticeOrphans(): Promise<void> {
    const files = await this.torrentFiles();
    if (files.length === 0) return;
    this.held = true;
    this.recovery = { problem: `${this.path} is missing, but the state directory holds saved .torrent files`, torrentFiles: files };
    this.store.log('warn', this.recovery.problem);
  }

  private async torrentFiles(): Promise<string[]> {
    const directory = join(this.stateDirectory, 'torrents');
    const names = await readdir(directory).catch(() => [] as string[]);
    return names.filter((n) => /^[0-9a-f]{40}\.torrent$/.test(n)).sort().map((n) => join(directory, n));
  }

  /**
   * The answer yes to the recovery question: every saved .torrent back in the list. A torrent
   * goes where the damaged file said, if that could be made out, else to `defaultDirectory`;
   * it runs again only if its resume data finds its data there, else it waits paused.
   * Then saving resumes. Returns how many came back.
   */
  async rebuild(defaultDirectory: string): Promise<number> {
    const files = this.recovery?.torrentFiles ?? [];
    let added = 0;
    this.restoring = true;
    try {
      for (const file of files) {
        try {
          const meta = parseMetainfo(await readFile(file));
          if (this.session.get(meta.infoHash)) continue;
          const directory = this.salvaged.get(meta.infoHash) ?? defaultDirectory;
          const torrent = this.session.add(meta, { directory, paused: true });
          const found = await torrent.loadSavedProgress();
          const record = this.store.record(meta.infoHash);
          if (record) record.userPaused = !found;
          if (found) this.store.requestStart(meta.infoHash, { defer: true });
          this.store.log('info', `rebuilt ${printable(meta.name)} in ${printable(directory)}${found ? '' : ' (paused: its data was not found there)'}`);
          added++;
        } catch (error) {
          this.store.log('error', `cannot rebuild from ${file}: ${describeError(error)}`);
        }
      }
    } finally {
      this.restoring = false;
    }
    this.release();
    this.store.applyQueue();
    this.store.refresh();
    await this.save();
    return added;
  }

  /** The answer no: the list stays as it is (the damaged file stays set aside); saving resumes. */
  async keepAsIs(): Promise<void> {
    this.release();
    this.store.log('info', `keeping the list as it is${this.recovery?.setAside ? `; the old session stays in ${this.recovery.setAside}` : ''}`);
    this.store.refresh();
    await this.save();
  }

  private release(): void {
    this.held = false;
    this.recovery = undefined;
    this.salvaged.clear();
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
