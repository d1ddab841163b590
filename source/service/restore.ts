// Restoring the saved session into the service, and rebuilding it from the .torrent copies.
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { parseMetainfo } from '../engine/metainfo/metainfo.js';
import { readWholeFile } from '../engine/storage/read-whole-file.js';
import type { Session } from '../engine/session/session.js';
import { describeError } from '../errors.js';
import { printable } from '../format/text.js';
import type { SavedTorrent } from '../session-state/session-file.js';
import { newClock } from './activity-clock.js';
import { applySaved, newEntry } from './entry.js';
import type { SessionPersistence } from './persistence.js';
import { noteDataOnDisk } from './check-first.js';
import type { QueueManager } from './queue-manager.js';
import { readAhead, TaskLimit } from './read-ahead.js';
import type { TorrentRegistry } from './registry.js';
import type { AddOptions, LogLevel } from './types.js';

/** What restoring and rebuilding need of the service. */
export interface RestoreHost {
  readonly stateDirectory: string;
  readonly session: Pick<Session, 'add'>;
  readonly registry: Pick<TorrentRegistry, 'entry' | 'get' | 'newId' | 'register' | 'touch'>;
  readonly queue: Pick<QueueManager, 'request' | 'apply' | 'noteChange'>;
  addMagnet(uri: string, options: AddOptions): Promise<string | undefined>;
  log(level: LogLevel, text: string): void;
}

/** .torrent files read ahead of the one being added, and resume files read at once, while restoring. */
const RESTORE_CONCURRENCY = 32;
/** Torrents opened between two turns of the event loop (each is parsed and hashed, ~0.1-0.3 ms). */
const RESTORE_BATCH = 32;

/**
 * Adds the saved torrents back, paused ones paused (the others through the download queue);
 * magnets still without metadata fetch it again. Returns how many came back. An unusable
 * session file leaves `recovery` set: nothing is saved until rebuild() or keepAsIs().
 */
export async function restoreSession(persistence: SessionPersistence, host: RestoreHost, alreadyRead?: SavedTorrent[]): Promise<number> {
  let restored = 0;
  await persistence.whileRestoring(async () => {
    const saved = alreadyRead ?? (await persistence.read());
    const torrentFile = readAhead(saved, RESTORE_CONCURRENCY, (s) =>
      s.torrentFile === undefined ? Promise.resolve(undefined) : readWholeFile(torrentFilePath(host, s.torrentFile)),
    );
    const progress = new TaskLimit(RESTORE_CONCURRENCY);
    for (let i = 0; i < saved.length; i++) {
      // The TUI lists the session while it is restored: keys and frames get their turn every few torrents.
      if (i % RESTORE_BATCH === RESTORE_BATCH - 1) await new Promise((resolve) => setImmediate(resolve));
      try {
        await restoreOne(host, saved[i]!, () => torrentFile(i), progress);
        restored++;
      } catch (error) {
        host.log('error', `cannot restore ${saved[i]!.infoHash}: ${describeError(error)}`);
      }
    }
    await progress.drain();
  });
  host.queue.apply();
  return restored;
}

function torrentFilePath(host: RestoreHost, torrentFile: string): string {
  return isAbsolute(torrentFile) ? torrentFile : join(host.stateDirectory, torrentFile);
}

async function restoreOne(
  host: RestoreHost,
  saved: SavedTorrent,
  torrentBytes: () => Promise<Buffer | undefined>,
  progress: TaskLimit,
): Promise<void> {
  if (host.registry.entry(saved.infoHash)) throw new Error('listed twice in the session file');
  const options: AddOptions = {
    directory: saved.directory,
    paused: saved.paused,
    addedAt: saved.addedAt,
    priority: saved.priority,
    labels: saved.labels,
  };
  if (saved.torrentFile === undefined) {
    if (!saved.magnet) throw new Error('a magnet without its link');
    if ((await host.addMagnet(saved.magnet, options)) !== saved.infoHash) throw new Error('its magnet names another torrent');
    applySaved(host.registry.get(saved.infoHash)!, saved);
    return;
  }
  const file = torrentFilePath(host, saved.torrentFile);
  const meta = parseMetainfo((await torrentBytes())!);
  if (meta.infoHash !== saved.infoHash) throw new Error(`${file} holds another torrent (${meta.infoHash})`);
  const priorities = saved.filePriorities.length === meta.files.length ? Uint8Array.from(saved.filePriorities) : undefined;
  const entry = newEntry(host.registry.newId(), meta.infoHash, meta.files.length, { ...options, filePriorities: priorities });
  entry.completedAt = saved.completedAt;
  entry.downloadedBase = saved.downloaded;
  entry.uploadedBase = saved.uploaded;
  entry.corruptBase = saved.corrupt;
  entry.clock = newClock({ downloading: saved.secondsDownloading, seeding: saved.secondsSeeding });
  entry.userPaused = saved.paused;
  applySaved(entry, saved);
  host.registry.register(entry);
  const torrent = host.session.add(meta, { directory: saved.directory, paused: true, filePriorities: priorities });
  // Paused or waiting in the queue, it shows the progress its resume data records, not 0%; the
  // resume files are read several at once, the queue is asked once each is known.
  await progress.add(async () => {
    let found = false;
    try {
      found = await torrent.loadSavedProgress();
      if (found) host.registry.touch(entry, 'progress');
    } catch (error) {
      host.log('warn', `cannot read the resume data of ${saved.infoHash}: ${describeError(error)}`);
    }
    if (saved.paused) return;
    // One queue pass after the loop, not one per torrent.
    host.queue.request(entry, { defer: true });
    if (!found) await noteDataOnDisk(entry, torrent, (hash) => host.queue.noteChange(hash));
  });
}

/**
 * The answer yes to the recovery question: every saved .torrent back in the list, where the
 * damaged file said its data was if that can be made out, else in `defaultDirectory`; each
 * runs again only if its resume data finds its data there. Then saving resumes.
 */
export async function rebuildSession(persistence: SessionPersistence, host: RestoreHost, defaultDirectory: string): Promise<number> {
  const files = persistence.recovery?.torrentFiles ?? [];
  let added = 0;
  await persistence.whileRestoring(async () => {
    for (const file of files) {
      try {
        const meta = parseMetainfo(await readFile(file));
        if (host.registry.get(meta.infoHash)?.torrent) continue;
        const directory = persistence.salvagedDirectory(meta.infoHash) ?? defaultDirectory;
        const entry = newEntry(host.registry.newId(), meta.infoHash, meta.files.length, {});
        host.registry.register(entry);
        const torrent = host.session.add(meta, { directory, paused: true });
        const found = await torrent.loadSavedProgress();
        entry.userPaused = !found;
        if (found) host.queue.request(entry, { defer: true });
        host.log(
          'info',
          `rebuilt ${printable(meta.name)} in ${printable(directory)}${found ? '' : ' (paused: its data was not found there)'}`,
        );
        added++;
      } catch (error) {
        host.log('error', `cannot rebuild from ${file}: ${describeError(error)}`);
      }
    }
  });
  persistence.release();
  host.queue.apply();
  await persistence.save();
  return added;
}
