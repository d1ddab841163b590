import type { Torrent } from '../engine/torrent/torrent.js';
import type { Entry } from './entry.js';

/**
 * A torrent asked to run whose pieces are not known yet (no resume data, never checked) is
 * checked before it queues if its data may be complete: every wanted file on disk at its full
 * length, from the sizes alone. The download queue then starts it seed-only instead of making it
 * wait for a download slot: it seeds if the check finds every piece, else it waits in the queue
 * with what the check found. (Transmission verifies a torrent with local data before queueing
 * it; libtorrent's checking torrents take no download slot either.)
 */
export async function noteDataOnDisk(entry: Entry, torrent: Torrent, changed: (hash: string) => void): Promise<void> {
  if (torrent.piecesKnown) return;
  const onDisk = await torrent.wantedFilesOnDisk().catch(() => false);
  if (!onDisk || entry.torrent !== torrent || torrent.piecesKnown) return;
  entry.dataOnDisk = true;
  changed(entry.hash);
}

/** See noteDataOnDisk: its data may be complete and is not checked yet. */
export function checksFirst(entry: Entry): boolean {
  return entry.dataOnDisk && entry.torrent !== undefined && !entry.torrent.piecesKnown;
}
