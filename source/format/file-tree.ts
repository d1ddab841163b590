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
 * per file: the tree is a list of row numbers (file i, or directory d as ~d), and the text is
 * written once the columns' widths are known.
 */
export function fileColumnsText(t: FileColumns, indentUnit = '  ', prefix = ''): string {
  const text = treeOutput(t, indentUnit, prefix);
  return typeof text === 'string' ? text : text.toString('latin1');
}

/** The tree's text, or (printable ASCII only) its bytes. */
function treeOutput(t: FileColumns, indentUnit: string, prefix: string): string | Buffer {
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

/** fileColumnsText as UTF-8 bytes, for a tree that is only written out (`btui metainfo`): no string of it is made. */
export function fileColumnsBytes(t: FileColumns, indentUnit = '  ', prefix = ''): Uint8Array {
  const text = treeOutput(t, indentUnit, prefix);
  return typeof text === 'string' ? Buffer.from(text) : text;
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
 * Label, size and note columns; the labels padded to the widest, the sizes right-aligned. One
 * pass finds each row's label, size and indent, and the widest; the text is then written at
 * once (one-shot code runs in V8's interpreter: every array a row is written to and read back
 * costs).
 */
function rowsText(
  t: FileColumns,
  rows: Int32Array,
  listedIn: Int32Array,
  dirSizes: readonly number[],
  indentUnit: string,
  prefix: string,
): string | Buffer {
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
  const labels: string[] = new Array(rowCount);
  const sizes: string[] = new Array(rowCount);
  const rowDepths = new Int32Array(rowCount);
  // Per row: the label's width plus the size's length, what its gap is found from.
  const used = new Int32Array(rowCount);
  const noted = new Uint8Array(rowCount);
  let notes = 0;
  let labelWidth = 0;
  let sizeWidth = 0;
  for (let r = 0; r < rowCount; r++) {
    const row = rows[r]!;
    let label: string;
    let depth: number;
    let size: string;
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
        noted[r] = 1;
        notes++;
      }
      size = formatBytes(lengths[row]!);
    }
    const width = indentWidths[depth]! + (plain ? label.length : displayWidth(label));
    if (width > labelWidth) labelWidth = width;
    const sizeLength = size.length;
    if (sizeLength > sizeWidth) sizeWidth = sizeLength;
    used[r] = width + sizeLength;
    labels[r] = label;
    sizes[r] = size;
    rowDepths[r] = depth;
  }
  // Every row's size ends at this column.
  const full = labelWidth + 2 + sizeWidth;
  if (plain && hasLatin1Write) return plainRowsBytes(labels, sizes, rowDepths, noted, notes, indents, indentWidths, full);
  const lines: string[] = new Array(rowCount);
  for (let r = 0; r < rowCount; r++) {
    lines[r] = `${indents[rowDepths[r]!]!}${labels[r]!}${' '.repeat(full - used[r]!)}${sizes[r]!}${noted[r] === 1 ? NOTE : ''}`;
  }
  return lines.join('\n');
}

const NOTE = '  padding';

/**
 * The rows of a tree whose every character is printable ASCII, written into one buffer laid with
 * spaces (each line's indent and gap): two writes a row, where joining the rows' pieces cost
 * more than the rest of the summary (a join of 60,000 strings: 4-9 ms in a fresh process).
 */
function plainRowsBytes(
  labels: readonly string[],
  sizes: readonly string[],
  rowDepths: Int32Array,
  noted: Uint8Array,
  notes: number,
  indents: readonly string[],
  indentWidths: readonly number[],
  full: number,
): Buffer {
  const rowCount = labels.length;
  const out = Buffer.alloc(Math.max(0, rowCount * (full + 1) - 1 + notes * NOTE.length), 0x20) as Latin1Writing;
  const blankIndents = /^ *$/.test(indents[indents.length - 1]!);
  let o = 0;
  for (let r = 0; r < rowCount; r++) {
    const depth = rowDepths[r]!;
    if (!blankIndents) out.latin1Write(indents[depth]!, o);
    out.latin1Write(labels[r]!, o + indentWidths[depth]!);
    const size = sizes[r]!;
    out.latin1Write(size, o + full - size.length);
    o += full;
    if (noted[r] === 1) o += out.latin1Write(NOTE, o);
    if (o < out.length) out[o++] = 0x0a;
  }
  return out;
}

interface Latin1Writing extends Buffer {
  latin1Write(text: string, offset: number): number;
}

/**
 * Buffer's own latin1 writer, which write(text, offset, 'latin1') calls after checking its
 * arguments (checks that cost as much as the write in V8's interpreter). Not documented, but on
 * Buffer.prototype in every Node; should it ever go, the rows are joined instead.
 */
const hasLatin1Write = typeof (Buffer.prototype as Partial<Latin1Writing>).latin1Write === 'function';

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
