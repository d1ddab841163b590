/**
 * Where each file of a torrent lives on disk, and the checks that keep every write inside the
 * download directory. The metainfo parser already sanitises paths; this is defence in depth
 * against hand-made metainfo and against symlinks planted in the download directory.
 */
import { lstat, mkdir, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Metainfo } from '../metainfo/metainfo.js';
import { StorageError } from './errors.js';

export interface FileLocation {
  /** Absolute path. */
  path: string;
  /** Relative to the download directory, '/'-separated, for messages. */
  relative: string;
}

export interface Layout {
  /** Absolute path of the torrent's data: the file itself or the top directory. */
  root: string;
  files: FileLocation[];
}

export function checkComponent(component: string): void {
  if (
    component === '' ||
    component === '.' ||
    component === '..' ||
    component.includes('/') ||
    component.includes('\0') ||
    (process.platform === 'win32' && /[\\:]/.test(component))
  ) {
    throw new StorageError(`unsafe path component ${JSON.stringify(component)}`, 'EUNSAFEPATH');
  }
}

export function isInside(parent: string, child: string): boolean {
  if (child === parent) return true;
  const rel = relative(parent, child);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/**
 * Resolves every file's absolute path; throws StorageError for any unsafe component.
 * Metainfo paths already start with the torrent's name (single-file: [name]).
 */
export function layout(meta: Pick<Metainfo, 'files' | 'name'>, directory: string): Layout {
  const base = resolve(directory);
  checkComponent(meta.name);
  const root = join(base, meta.name);
  const files = meta.files.map((file) => {
    if (file.path.length === 0) throw new StorageError('empty file path', 'EUNSAFEPATH');
    for (const c of file.path) checkComponent(c);
    const path = join(base, ...file.path);
    if (!isInside(base, path) || path === base) {
      throw new StorageError(`path escapes the download directory: ${file.path.join('/')}`, 'EUNSAFEPATH');
    }
    return { path, relative: file.path.join('/') };
  });
  return { root, files };
}

/**
 * Creates the directories leading to `file`, one component at a time, so that a symlink
 * pointing outside `realBase` is noticed before anything is created through it.
 * `verified` memoises directories already known to be safe.
 */
export async function ensureParentDirs(base: string, realBase: string, file: FileLocation, verified: Set<string>): Promise<void> {
  const parts = relative(base, dirname(file.path))
    .split(sep)
    .filter((p) => p !== '');
  let current = base;
  for (const part of parts) {
    current = join(current, part);
    if (verified.has(current)) continue;
    await ensureDir(current, realBase, file.relative);
    verified.add(current);
  }
}

async function ensureDir(path: string, realBase: string, relativeFile: string): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    let stats;
    try {
      stats = await lstat(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      try {
        await mkdir(path);
        return;
      } catch (mkdirError) {
        if ((mkdirError as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw mkdirError;
      }
    }
    if (stats.isDirectory()) return;
    if (stats.isSymbolicLink()) {
      const target = await realpath(path);
      if (!isInside(realBase, target)) {
        throw new StorageError(`symlink leads outside the download directory: ${relativeFile}`, 'EUNSAFEPATH', relativeFile);
      }
      if (!(await lstat(target)).isDirectory()) {
        throw new StorageError(`a file is in the way creating ${relativeFile}`, 'ENOTDIR', relativeFile);
      }
      return;
    }
    throw new StorageError(`a file is in the way creating ${relativeFile}`, 'ENOTDIR', relativeFile);
  }
  throw new StorageError(`could not create the directory for ${relativeFile}`, 'EEXIST', relativeFile);
}

/** Before each open: the file's directory, symlinks resolved, must still be inside `realBase`. */
export async function checkParentInside(realBase: string, file: FileLocation): Promise<void> {
  const parent = await realpath(dirname(file.path));
  if (!isInside(realBase, parent)) {
    throw new StorageError(`symlink leads outside the download directory: ${file.relative}`, 'EUNSAFEPATH', file.relative);
  }
}
