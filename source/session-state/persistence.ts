import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { parseMetainfo } from '../engine/metainfo/metainfo.js';
import type { Session } from '../engine/session/session.js';
import { describeError } from '../errors.js';
import type { MagnetAddOptions } from '../store/magnet-fetches.js';
import type { TorrentStore } from '../store/torrent-store.js';
import { readSessionFile, sessionFilePath, writeSessionFile, type SavedSession } from './session-file.js';

/** Where restored magnets go to fetch their metadata again (the controller). */
export interface MagnetRestorer {
  addMagnet(uri: string, options: MagnetAddOptions): string | undefined;
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
    if (this.restoring || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.save();
    }, this.debounceMs);
    this.timer.unref();
  }

  /** Saves now; saves never overlap (each waits for the one before). */
  save(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
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
      const { session: saved, problems } = await readSessionFile(this.path);
      for (const problem of problems) this.store.log('warn', problem);
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

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
