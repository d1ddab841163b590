/** Checks of a torrent's paths: each safe on its own (safe-path.ts), and no two colliding (PathSet). */
import { safePathComponents, UnsafePathError } from './safe-path.js';
import { MetainfoError, type ParseOptions } from './types.js';

/** Detects duplicate paths and a file whose path is another file's directory. */
export class PathSet {
  private readonly root = new PathDir();
  /** The last file's directory and its components: files arrive grouped by directory. */
  private lastDir = this.root;
  private lastComponents: readonly string[] = [];
  private lastFrom = 0;

  /** Throws UnsafePathError on a collision (the caller names the file); components before `from` are skipped. */
  add(components: readonly string[], from = 0): void {
    const last = components.length - 1;
    const dir = this.sameDirAsLast(components, from) ? this.lastDir : this.directory(components, from);
    const name = components[last]!;
    if (dir.files.has(name)) throw new UnsafePathError(`duplicate path ${JSON.stringify(components.slice(from).join('/'))}`);
    if (dir.dirs?.has(name))
      throw new UnsafePathError(`${JSON.stringify(components.slice(from).join('/'))} is both a file and a directory`);
    dir.files.add(name);
    this.lastDir = dir;
    this.lastComponents = components;
    this.lastFrom = from;
  }

  private sameDirAsLast(components: readonly string[], from: number): boolean {
    const previous = this.lastComponents;
    if (components.length - from !== previous.length - this.lastFrom) return false;
    for (let i = from, k = this.lastFrom; i < components.length - 1; i++, k++) if (components[i] !== previous[k]) return false;
    return true;
  }

  /** The directory holding `components`' file, made as needed; a file in its way is a collision. */
  private directory(components: readonly string[], from: number): PathDir {
    let dir = this.root;
    for (let i = from; i < components.length - 1; i++) {
      const name = components[i]!;
      let next = dir.dirs?.get(name);
      if (next === undefined) {
        if (dir.files.has(name))
          throw new UnsafePathError(`${JSON.stringify(components.slice(from, i + 1).join('/'))} is both a file and a directory`);
        next = new PathDir();
        (dir.dirs ??= new Map()).set(name, next);
      }
      dir = next;
    }
    return dir;
  }
}

class PathDir {
  readonly files = new Set<string>();
  dirs: Map<string, PathDir> | undefined;
}

export function checkPath(components: string[], label: string, options: ParseOptions, paths?: PathSet): void {
  try {
    safePathComponents(components, options);
    paths?.add(components);
  } catch (error) {
    if (error instanceof UnsafePathError) throw new MetainfoError(`${label}: ${error.message}`);
    throw error;
  }
}

export function checkComponent(component: string, label: string, options: ParseOptions): void {
  try {
    safePathComponents([component], options);
  } catch (error) {
    if (error instanceof UnsafePathError) throw new MetainfoError(`${label}: ${error.message}`);
    throw error;
  }
}
