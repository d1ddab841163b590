import * as fsp from 'node:fs/promises';
import { join } from 'node:path';

export interface MoveFs {
  rename(from: string, to: string): Promise<void>;
  cp(
    from: string,
    to: string,
    options: { recursive: boolean; preserveTimestamps: boolean; errorOnExist: boolean; force: boolean },
  ): Promise<void>;
}

const realFs: MoveFs = { rename: fsp.rename, cp: fsp.cp };

export interface MoveResult {
  how: 'renamed' | 'copied' | 'nothing';
}

/**
 * Moves a torrent's data from `from` to `to` (its file or root directory) safely: a rename on
 * the same file system; across file systems (EXDEV) a copy, then every file's size checked
 * against the original, then the original deleted. Any error before the delete removes the
 * partial copy and leaves the original whole, and is thrown. `files` are the torrent's files
 * relative to the root ('' for a single-file torrent whose root is the file).
 */
export async function moveData(from: string, to: string, files: readonly string[], fs: MoveFs = realFs): Promise<MoveResult> {
  if (from === to) return { how: 'nothing' };
  if (!(await exists(from))) return { how: 'nothing' };
  if (await exists(to)) throw new Error(`${to} already exists`);
  try {
    await fs.rename(from, to);
    return { how: 'renamed' };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
  }
  try {
    await fs.cp(from, to, { recursive: true, preserveTimestamps: true, errorOnExist: true, force: false });
    for (const file of files) {
      const source = await sizeOf(file === '' ? from : join(from, file));
      if (source === undefined) continue;
      const copied = await sizeOf(file === '' ? to : join(to, file));
      if (copied !== source) throw new Error(`copy of ${file || to} is ${copied ?? 'missing'}, not ${source} bytes`);
    }
  } catch (error) {
    await fsp.rm(to, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
  await fsp.rm(from, { recursive: true, force: true });
  return { how: 'copied' };
}

async function exists(path: string): Promise<boolean> {
  try {
    await fsp.lstat(path);
    return true;
  } catch {
    return false;
  }
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    const s = await fsp.stat(path);
    return s.isFile() ? s.size : undefined;
  } catch {
    return undefined;
  }
}
