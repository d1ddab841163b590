import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import type { Session } from '../engine/session/session.js';
import { describeError } from '../errors.js';
import { printable } from '../format/text.js';
import type { Entry } from './entry.js';
import { moveData, type MoveFs } from './move-data.js';
import type { SessionPersistence } from './persistence.js';
import type { QueueManager } from './queue-manager.js';
import type { TorrentRegistry } from './registry.js';
import type { LogLevel } from './types.js';

export interface MoveHost {
  readonly session: Pick<Session, 'add' | 'remove' | 'get'>;
  readonly registry: Pick<TorrentRegistry, 'touch'>;
  readonly queue: Pick<QueueManager, 'request' | 'withdraw'>;
  readonly persistence: Pick<SessionPersistence, 'committed'>;
  /** The engine's resume file of a torrent, kept across the move. */
  readonly resumePath?: (hash: string) => string;
  readonly moveFs?: MoveFs;
  log(level: LogLevel, text: string): void;
}

/**
 * Moves a torrent's data to another directory: the torrent is stopped, its data renamed
 * (or, across file systems, copied, checked and then deleted), and it restarts there if it
 * was running. On any error the old copy stays whole and the torrent keeps pointing at it.
 * With `moveData: false` the data is not touched: the torrent looks for it in the new
 * directory (Transmission's set-location without move; its resume data decides whether
 * it is checked). Returns whether it moved.
 */
export async function moveTorrent(host: MoveHost, entry: Entry, directory: string, options: { moveData?: boolean } = {}): Promise<boolean> {
  if (entry.moving) {
    host.log('warn', `${printable(entry.torrent?.meta.name ?? entry.hash)} is being moved already; wait for that move to end`);
    return false;
  }
  const target = resolve(directory);
  if (entry.pending) {
    entry.pending = { ...entry.pending, directory: target };
    host.registry.touch(entry, 'settings');
    await host.persistence.committed(entry);
    return true;
  }
  const torrent = entry.torrent!;
  const meta = torrent.meta;
  const name = printable(meta.name);
  const wasRunning = torrent.isRunning || entry.queued;
  const oldRoot = torrent.root;
  const oldDirectory = torrent.stats().directory;
  if (resolve(oldDirectory) === target) return true;
  const newRoot = join(target, relative(resolve(oldDirectory), oldRoot));
  entry.moving = true;
  let moved = false;
  try {
    host.queue.withdraw(entry);
    await torrent.stop();
    const resumePath = host.resumePath?.(entry.hash);
    const resume = resumePath ? await readFile(resumePath).catch(() => undefined) : undefined;
    const files = meta.files.flatMap((f, i) => (f.padding ? [] : [relative(oldRoot, torrent.storage.filePath(i))]));
    await mkdir(target, { recursive: true });
    const result = options.moveData === false ? { how: 'nothing' as const } : await moveData(oldRoot, newRoot, files, host.moveFs);
    moved = true;
    // The engine keeps one directory per torrent: the torrent is added again there, with its resume data
    // (without it, it is checked at start). It goes back into the session whatever happens on the way.
    const run = torrent.stats();
    try {
      await host.session.remove(entry.hash);
      // This run's transfer totals leave with the engine's torrent: they stay the entry's.
      entry.downloadedBase += run.downloaded;
      entry.uploadedBase += run.uploaded;
      entry.corruptBase += torrent.transferred.corrupt;
      entry.completedAt ??= run.completedAt;
    } finally {
      if (resume && resumePath)
        await mkdir(dirname(resumePath), { recursive: true })
          .then(() => writeFile(resumePath, resume))
          .catch(() => undefined);
      const again =
        host.session.get(entry.hash) ?? host.session.add(meta, { directory: target, paused: true, filePriorities: entry.filePriorities });
      await again.loadSavedProgress();
    }
    if (options.moveData === false) host.log('info', `${name} now looks for its data in ${printable(target)}`);
    else host.log('info', `moved ${name} to ${printable(target)}${result.how === 'copied' ? ' (copied across file systems)' : ''}`);
  } catch (error) {
    host.log('error', `cannot move ${name} to ${printable(target)}: ${describeError(error)}${moved ? '' : '; it stays where it was'}`);
  } finally {
    entry.moving = false;
  }
  if (wasRunning && !entry.userPaused && entry.torrent) host.queue.request(entry);
  host.registry.touch(entry, 'settings');
  await host.persistence.committed(entry);
  return moved;
}
