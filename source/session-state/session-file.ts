import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

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
  completedAt?: number;
  downloaded: number;
  uploaded: number;
}

export interface SavedSession {
  version: 1;
  torrents: SavedTorrent[];
}

export function sessionFilePath(stateDirectory: string): string {
  return join(stateDirectory, 'session.json');
}

/** Written to a temporary file, then renamed over the old one: a crash leaves either the old or the new file. */
export async function writeSessionFile(path: string, session: SavedSession): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(session, null, 1)}\n`);
  await rename(temporary, path);
}

/** A missing file is an empty session; entries that do not make sense are skipped, not fatal. */
export async function readSessionFile(path: string): Promise<{ session: SavedSession; problems: string[] }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { session: { version: 1, torrents: [] }, problems: [] };
    throw error;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { session: { version: 1, torrents: [] }, problems: [`${path} is not valid JSON; starting with an empty session`] };
  }
  const problems: string[] = [];
  const list = (raw as { torrents?: unknown }).torrents;
  const torrents: SavedTorrent[] = [];
  if (Array.isArray(list)) {
    for (const item of list) {
      const t = item as Partial<SavedTorrent>;
      if (typeof t?.infoHash !== 'string' || !/^[0-9a-f]{40}$/.test(t.infoHash) || (typeof t.torrentFile !== 'string' && typeof t.magnet !== 'string') || typeof t.directory !== 'string') {
        problems.push(`skipped a malformed session entry: ${JSON.stringify(item).slice(0, 80)}`);
        continue;
      }
      const num = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : fallback);
      torrents.push({
        infoHash: t.infoHash,
        ...(typeof t.torrentFile === 'string' ? { torrentFile: t.torrentFile } : { magnet: t.magnet }),
        directory: t.directory,
        paused: t.paused === true,
        // Priorities are 1-3 (low, normal, high); older sessions had 0 for "off".
        priority: Math.max(1, Math.min(3, num(t.priority, 2))),
        filePriorities: Array.isArray(t.filePriorities) ? t.filePriorities.map((p) => Math.min(2, num(p, 1))) : [],
        addedAt: num(t.addedAt, Date.now()),
        completedAt: typeof t.completedAt === 'number' ? t.completedAt : undefined,
        downloaded: num(t.downloaded, 0),
        uploaded: num(t.uploaded, 0),
      });
    }
  }
  return { session: { version: 1, torrents }, problems };
}
