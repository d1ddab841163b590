/**
 * A multi-file torrent's files as columns: lengths and padding flags in typed arrays, each
 * file's name and the index of its directory, the directories as names and parents. What a
 * list of ten thousand files costs to parse is then about one string per file; the per-file
 * objects of `Metainfo.files` are made from it on first use (files()).
 *
 * While it is filled (add()), it also checks that no two paths collide: a duplicate, or a name
 * that is a file in one path and a directory in another. Padding files are not part of that
 * check (two `.pad/1` are fine). A v2 file tree's paths are checked by the same table.
 */
import { UnsafePathError } from './safe-path.js';
import type { TorrentFileEntry } from './types.js';

/** Directory 0 is the torrent's top directory (its name); every other directory's parent comes before it. */
const TOP = 0;

export class FileTable {
  count = 0;
  /**
   * A plain array, not a Float64Array: one-shot code runs in V8's interpreter, where each read of
   * a Float64Array makes a heap number, and this array keeps small integers unboxed.
   */
  readonly lengths: number[] = [];
  /** 1 for a padding file. */
  padding = new Uint8Array(16);
  /** Each file's directory. */
  dirs = new Int32Array(16);
  /** Each file's own name (its path's last component). */
  readonly names: string[] = [];
  /** Per directory; directory 0's name is the torrent's, set by named(). */
  readonly dirNames: string[] = [''];
  readonly dirParents: number[] = [-1];
  /** Per directory: how many components below the top it is. */
  readonly dirDepths: number[] = [0];
  /** The collision check's state, dropped by done(). */
  private checks: PathChecks | undefined = new PathChecks();
  private lastDir = TOP;
  private made: TorrentFileEntry[] | undefined;
  /** Without columns: the entries, made as files are added (each directory's path made once). */
  private readonly entries: TorrentFileEntry[] = [];
  private readonly dirPaths: (string[] | undefined)[] = [];
  private offset = 0;

  /**
   * `columns`: keep the files as columns, their entries made on the first files() (a summary
   * needs none). Otherwise each entry is made as its file is added, as the engine wants them all:
   * making columns first and entries from them would cost a parse ~12% more.
   */
  constructor(readonly columns = true) {}

  /**
   * Adds a file whose path below the torrent's name is `components[0..count)`; throws
   * UnsafePathError (the caller names the file) if it collides with an earlier one. The
   * components are not kept: the caller may reuse the array.
   */
  add(components: readonly string[], count: number, length: number, padding: boolean): void {
    // The last file's directory when the path is the same (files of one directory usually come
    // together), tested here: a method call per file costs in V8's interpreter.
    let dir = this.lastDir;
    if (this.dirDepths[dir] === count - 1) {
      for (let k = count - 2, d = dir; k >= 0; k--, d = this.dirParents[d]!) {
        if (this.dirNames[d] !== components[k]) {
          dir = this.directory(components, count);
          break;
        }
      }
    } else {
      dir = this.directory(components, count);
    }
    const name = components[count - 1]!;
    if (!padding) this.checks!.file(this, dir, name, components, count);
    this.lastDir = dir;
    const i = this.count;
    if (!this.columns) {
      this.entries.push({ path: withName((this.dirPaths[dir] ??= this.dirPath(dir)), name), length, offset: this.offset, padding });
      this.offset += length;
      this.count = i + 1;
      return;
    }
    if (i === this.padding.length) this.grow();
    // Stores by index, not push(): a method call fewer per file in V8's interpreter.
    this.lengths[i] = length;
    this.padding[i] = padding ? 1 : 0;
    this.dirs[i] = dir;
    this.names[i] = name;
    this.count = i + 1;
  }

  /** Names directory 0 (the torrent's name is known only after its files when streamed). */
  named(name: string): void {
    if (!this.columns && name !== this.dirNames[TOP]) {
      const entries = this.entries;
      for (let i = 0; i < entries.length; i++) entries[i]!.path[0] = name;
    }
    this.dirNames[TOP] = name;
  }

  /** The columns at their final size; the collision check's sets are let go. */
  done(): void {
    this.checks = undefined;
    this.padding = this.padding.slice(0, this.count);
    this.dirs = this.dirs.slice(0, this.count);
  }

  /** File i's path, the torrent's name first (as in TorrentFileEntry). */
  path(i: number): string[] {
    if (!this.columns) return this.entries[i]!.path;
    const path = this.dirPath(this.dirs[i]!);
    path.push(this.names[i]!);
    return path;
  }

  /** The file entries, made on the first call (each path its own array: callers may keep or change them). */
  files(): TorrentFileEntry[] {
    if (!this.columns) return this.entries;
    if (this.made) return this.made;
    const dirPaths: (string[] | undefined)[] = new Array(this.dirNames.length);
    const files: TorrentFileEntry[] = new Array(this.count);
    let offset = 0;
    for (let i = 0; i < this.count; i++) {
      const d = this.dirs[i]!;
      const path = withName((dirPaths[d] ??= this.dirPath(d)), this.names[i]!);
      const length = this.lengths[i]!;
      files[i] = { path, length, offset, padding: this.padding[i] === 1 };
      offset += length;
    }
    return (this.made = files);
  }

  /** The path of directory d, the torrent's name first. */
  private dirPath(d: number): string[] {
    const path: string[] = new Array(this.dirDepths[d]! + 1);
    for (let k = path.length - 1; d >= 0; d = this.dirParents[d]!, k--) path[k] = this.dirNames[d]!;
    return path;
  }

  /** The directory of a file with these components, made as needed. */
  private directory(components: readonly string[], count: number): number {
    let dir = TOP;
    for (let k = 0; k < count - 1; k++) {
      const name = components[k]!;
      const children = this.checks!.children(dir);
      let next = children.get(name);
      if (next === undefined) {
        next = this.dirNames.length;
        this.dirNames.push(name);
        this.dirParents.push(dir);
        this.dirDepths.push(k + 1);
        children.set(name, next);
      }
      dir = next;
    }
    return dir;
  }

  private grow(): void {
    const size = this.padding.length * 4;
    const padding = new Uint8Array(size);
    padding.set(this.padding);
    this.padding = padding;
    const dirs = new Int32Array(size);
    dirs.set(this.dirs);
    this.dirs = dirs;
  }
}

/** A directory's path and a name as a new list, at its final size (literals for the usual depths: a loop costs more in the interpreter). */
function withName(dir: readonly string[], name: string): string[] {
  if (dir.length === 1) return [dir[0]!, name];
  if (dir.length === 2) return [dir[0]!, dir[1]!, name];
  if (dir.length === 3) return [dir[0]!, dir[1]!, dir[2]!, name];
  const path = new Array<string>(dir.length + 1);
  for (let k = 0; k < dir.length; k++) path[k] = dir[k]!;
  path[dir.length] = name;
  return path;
}

/**
 * Which names are taken in each directory. A directory counts once a file that is not padding
 * is in it (or below it): a directory only padding files made does not collide with a file.
 *
 * A directory's file names are a list while they come in ascending order (as mktorrent,
 * libtorrent and most tools write them): a name above the last cannot repeat an earlier one,
 * one compare where a set took a lookup and an insert (~4 ms of a 10,000-file parse). The first
 * name out of order turns that directory's list into a set.
 */
class PathChecks {
  /** Per directory: its subdirectories by name. */
  private readonly subdirs: Map<string, number>[] = [];
  /** Per directory its file names so far, ascending: until one comes out of order. */
  private readonly ascending: (string[] | undefined)[] = [];
  /** Per directory its file names, once they were not in order. */
  private readonly fileNames: (Set<string> | undefined)[] = [];
  private readonly counted: boolean[] = [true];

  children(dir: number): Map<string, number> {
    return (this.subdirs[dir] ??= new Map());
  }

  /** Adds a file (not padding) named `name` in `dir`; throws UnsafePathError on a collision. */
  file(table: FileTable, dir: number, name: string, components: readonly string[], count: number): void {
    if (this.counted[dir] !== true) this.count(table, dir, components);
    const sub = this.subdirs[dir]?.get(name);
    if (sub !== undefined && this.counted[sub] === true)
      throw new UnsafePathError(`${JSON.stringify(joined(components, count))} is both a file and a directory`);
    const ascending = this.ascending[dir];
    if (ascending !== undefined) {
      if (name > ascending[ascending.length - 1]!) {
        ascending.push(name);
        return;
      }
      this.ascending[dir] = undefined;
      this.fileNames[dir] = new Set(ascending);
    }
    const names = this.fileNames[dir];
    if (names === undefined) {
      this.ascending[dir] = [name];
      return;
    }
    if (names.has(name)) throw new UnsafePathError(`duplicate path ${JSON.stringify(joined(components, count))}`);
    names.add(name);
  }

  /** Whether `dir` holds a file (not padding) named `name`. */
  private hasFile(dir: number, name: string): boolean {
    const ascending = this.ascending[dir];
    if (ascending === undefined) return this.fileNames[dir]?.has(name) === true;
    let low = 0;
    let high = ascending.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const at = ascending[middle]!;
      if (at === name) return true;
      if (at < name) low = middle + 1;
      else high = middle - 1;
    }
    return false;
  }

  /** Counts `dir` and the directories above it, from the top, each checked against its parent's files. */
  private count(table: FileTable, dir: number, components: readonly string[]): void {
    const uncounted: number[] = [];
    for (let d = dir; this.counted[d] !== true; d = table.dirParents[d]!) uncounted.push(d);
    for (let j = uncounted.length - 1; j >= 0; j--) {
      const d = uncounted[j]!;
      if (this.hasFile(table.dirParents[d]!, table.dirNames[d]!))
        throw new UnsafePathError(`${JSON.stringify(joined(components, table.dirDepths[d]!))} is both a file and a directory`);
      this.counted[d] = true;
    }
  }
}

function joined(components: readonly string[], count: number): string {
  return components.slice(0, count).join('/');
}
