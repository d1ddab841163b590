import type { FileTable } from '../engine/metainfo/file-table.js';
import { formatBytes } from './size.js';
import { displayWidth, printable } from './text.js';

export interface TreeFile {
  path: string[];
  length: number;
  padding?: boolean;
}

/**
 * Files as columns (a parsed torrent's FileTable is one): per file its length, padding flag,
 * directory and name; per directory its name and parent (-1 for the top of the tree; a parent
 * always comes before its children).
 */
export type FileColumns = Pick<FileTable, 'count' | 'lengths' | 'padding' | 'dirs' | 'names' | 'dirNames' | 'dirParents'>;

/**
 * The files as an indented tree, one line each (joined by newlines, none at the end), each
 * with its size right-aligned; directories show the size of what they hold. Padding files
 * read as one name and are marked:
 *   album/            44 KiB
 *     cover.jpg      4.9 KiB
 *     .pad/9152      8.9 KiB  padding
 */
export function fileTreeText(files: readonly TreeFile[], indentUnit = '  ', prefix = ''): string {
  return fileColumnsText(fileColumns(files), indentUnit, prefix);
}

/**
 * fileTreeText of columns. Torrents list tens of thousands of files, so this makes no object
 * per file: the tree is a list of row numbers (file i, or directory d as ~d), and the text the
 * pieces of all lines joined once.
 */
export function fileColumnsText(t: FileColumns, indentUnit = '  ', prefix = ''): string {
  const { count, lengths, padding, dirs, dirNames, dirParents } = t;
  const dirCount = dirNames.length;
  // Where each file is listed: a padding file `.pad/N` as one name in .pad's parent.
  const listedIn = new Int32Array(count);
  // Not a Float64Array, whose every read makes a heap number in V8's interpreter.
  const dirSizes: number[] = new Array<number>(dirCount).fill(0);
  for (let i = 0; i < count; i++) {
    let d = dirs[i]!;
    if (padding[i] === 0) {
      if (d >= 0) dirSizes[d] += lengths[i]!;
    } else if (d >= 0 && dirNames[d] === '.pad') d = dirParents[d]!;
    listedIn[i] = d;
  }
  for (let d = dirCount - 1; d >= 0; d--) {
    const parent = dirParents[d]!;
    if (parent >= 0) dirSizes[parent] += dirSizes[d]!;
  }
  const rows = listedRows(t, listedIn) ?? nestedRows(t, listedIn);
  return rowsText(t, rows, listedIn, dirSizes, indentUnit, prefix);
}

/**
 * The rows in one pass over the files, when each directory's files come together (as in nearly
 * every torrent): a directory is listed where the first file below it is. Undefined when a
 * directory is met again after the files moved on from it.
 */
function listedRows(t: FileColumns, listedIn: Int32Array): Int32Array | undefined {
  const { count, dirParents } = t;
  const dirCount = t.dirNames.length;
  const rows = new Int32Array(count + dirCount);
  const entered = new Uint8Array(dirCount);
  const open = new Uint8Array(dirCount);
  const chain: number[] = [];
  const entering: number[] = [];
  let current = -1;
  let r = 0;
  for (let i = 0; i < count; i++) {
    const dir = listedIn[i]!;
    if (dir !== current) {
      let d = dir;
      for (; d >= 0 && open[d] === 0; d = dirParents[d]!) entering.push(d);
      while (chain.length > 0 && chain[chain.length - 1] !== d) open[chain.pop()!] = 0;
      while (entering.length > 0) {
        const next = entering.pop()!;
        if (entered[next] === 1) return undefined;
        entered[next] = 1;
        open[next] = 1;
        chain.push(next);
        rows[r++] = ~next;
      }
      current = dir;
    }
    rows[r++] = i;
  }
  return rows.subarray(0, r);
}

/** The rows of any order of files: each directory's children listed in the order they first appear. */
function nestedRows(t: FileColumns, listedIn: Int32Array): Int32Array {
  const { count, dirParents } = t;
  const dirCount = t.dirNames.length;
  // children[d + 1]: directory d's (children[0]: the top's), as row numbers.
  const children: number[][] = [];
  for (let d = 0; d <= dirCount; d++) children.push([]);
  const listed = new Uint8Array(dirCount);
  const entering: number[] = [];
  for (let i = 0; i < count; i++) {
    const dir = listedIn[i]!;
    for (let d = dir; d >= 0 && listed[d] === 0; d = dirParents[d]!) entering.push(d);
    while (entering.length > 0) {
      const d = entering.pop()!;
      listed[d] = 1;
      children[dirParents[d]! + 1]!.push(~d);
    }
    children[dir + 1]!.push(i);
  }
  const rows: number[] = [];
  const walk = (list: number[]): void => {
    for (const row of list) {
      rows.push(row);
      if (row < 0) walk(children[~row + 1]!);
    }
  };
  walk(children[0]!);
  return Int32Array.from(rows);
}

/**
 * Label, size and note columns; the labels padded to the widest, the sizes right-aligned. The
 * pieces of every line go straight into one array, the gaps filled in once the widest is known
 * (one-shot code runs in V8's interpreter: every array a row is written to and read back costs).
 */
function rowsText(
  t: FileColumns,
  rows: Int32Array,
  listedIn: Int32Array,
  dirSizes: readonly number[],
  indentUnit: string,
  prefix: string,
): string {
  const { lengths, padding, dirs, names, dirNames, dirParents } = t;
  // Printable ASCII only (nearly every torrent): no escapes, one column a character. One test of
  // all names joined, in native code, where a test per name ran from the interpreter.
  const plain = PRINTABLE_ASCII.test(names.join('')) && PRINTABLE_ASCII.test(dirNames.join('') + prefix + indentUnit);
  // Per directory its depth, from which each row's indent; a file is one deeper than where it is listed.
  const depths = new Int32Array(dirNames.length);
  let deepest = 0;
  for (let d = 0; d < depths.length; d++) {
    const depth = dirParents[d]! < 0 ? 0 : depths[dirParents[d]!]! + 1;
    depths[d] = depth;
    if (depth > deepest) deepest = depth;
  }
  // Each depth's indent, a file one deeper than the deepest directory (or at the top, with none).
  const indents: string[] = [prefix];
  const indentWidths: number[] = [displayWidth(prefix)];
  const unitWidth = displayWidth(indentUnit);
  for (let depth = 1; depth <= deepest + 1; depth++) {
    indents.push(indents[depth - 1]! + indentUnit);
    indentWidths.push(indentWidths[depth - 1]! + unitWidth);
  }
  // The loops below read no property they need not: each read is an inline-cache call in V8's interpreter.
  const rowCount = rows.length;
  // Per row: the label's width plus the size's length, what its gap is found from.
  const used = new Int32Array(rowCount);
  const pieces: string[] = new Array(Math.max(0, rowCount * 6 - 1));
  let labelWidth = 0;
  let sizeWidth = 0;
  for (let r = 0, k = 0; r < rowCount; r++, k += 6) {
    const row = rows[r]!;
    let label: string;
    let depth: number;
    let size: string;
    let note = '';
    if (row < 0) {
      const d = ~row;
      depth = depths[d]!;
      label = `${plain ? dirNames[d]! : printable(dirNames[d]!)}/`;
      size = formatBytes(dirSizes[d]!);
    } else {
      const dir = listedIn[row]!;
      depth = dir < 0 ? 0 : depths[dir]! + 1;
      label = plain ? names[row]! : printable(names[row]!);
      if (padding[row] === 1) {
        if (dir !== dirs[row]) label = `.pad/${label}`;
        note = '  padding';
      }
      size = formatBytes(lengths[row]!);
    }
    const width = indentWidths[depth]! + (plain ? label.length : displayWidth(label));
    if (width > labelWidth) labelWidth = width;
    const sizeLength = size.length;
    if (sizeLength > sizeWidth) sizeWidth = sizeLength;
    used[r] = width + sizeLength;
    // k is where this row's pieces start: a newline before each but the first.
    if (r > 0) pieces[k - 1] = '\n';
    pieces[k] = indents[depth]!;
    pieces[k + 1] = label;
    pieces[k + 3] = size;
    pieces[k + 4] = note;
  }
  // Every run of spaces a line can need, made once.
  const full = labelWidth + 2 + sizeWidth;
  const blanks: string[] = [];
  for (let n = 0, run = ''; n <= full; n++, run += ' ') blanks.push(run);
  for (let r = 0, k = 2; r < rowCount; r++, k += 6) pieces[k] = blanks[full - used[r]!]!;
  return pieces.join('');
}

const PRINTABLE_ASCII = /^[\u0020-\u007e]*$/;

/** Columns of a list of paths (a single-file or v2 torrent, a test's files). */
export function fileColumns(files: readonly TreeFile[]): FileColumns {
  const count = files.length;
  const lengths: number[] = new Array<number>(count);
  const padding = new Uint8Array(count);
  const dirs = new Int32Array(count);
  const names: string[] = new Array(count);
  const dirNames: string[] = [];
  const dirParents: number[] = [];
  // Per directory (and the top, at 0) its subdirectories by name.
  const subdirs: Map<string, number>[] = [new Map()];
  for (let i = 0; i < count; i++) {
    const { path, length } = files[i]!;
    let dir = -1;
    for (let k = 0; k < path.length - 1; k++) {
      const children = subdirs[dir + 1]!;
      let next = children.get(path[k]!);
      if (next === undefined) {
        next = dirNames.length;
        dirNames.push(path[k]!);
        dirParents.push(dir);
        subdirs.push(new Map());
        children.set(path[k]!, next);
      }
      dir = next;
    }
    lengths[i] = length;
    padding[i] = files[i]!.padding ? 1 : 0;
    dirs[i] = dir;
    names[i] = path[path.length - 1]!;
  }
  return { count, lengths, padding, dirs, names, dirNames, dirParents };
}
