import { formatBytes } from './size.js';
import { displayWidth, printable } from './text.js';

export interface TreeFile {
  path: string[];
  length: number;
  padding?: boolean;
}

interface Dir {
  name: string;
  size: number;
  /** In the torrent's own order: each directory where its first file appears. */
  children: (Dir | TreeFile)[];
  dirs: Map<string, Dir>;
}

/**
 * The files as an indented tree, one line each (joined by newlines, none at the end), each
 * with its size right-aligned; directories show the size of what they hold. Padding files
 * read as one name and are marked:
 *   album/            44 KiB
 *     cover.jpg      4.9 KiB
 *     .pad/9152      8.9 KiB  padding
 * Torrents list tens of thousands of files, so this is written to do little per file: no
 * string is made per line, only the pieces of all lines joined once. `btui metainfo` runs it
 * cold, where what is kept per line is copied by each young-generation collection until the
 * end: the usual all-plain-ASCII tree keeps one slot per piece and a typed array of widths.
 */
export function fileTreeText(files: readonly TreeFile[], indentUnit = '  ', prefix = ''): string {
  const tree = buildTree(files);
  if (PLAIN.test(prefix) && PLAIN.test(indentUnit)) {
    // Nearly every name is plain ASCII: written as it is, each counted by its length, with no
    // check per line; one test of the whole text then says whether that held.
    const text = plainTreeText(tree.root, tree.rows, prefix, indentUnit);
    if (PLAIN_LINES.test(text) && lineCount(text) === tree.rows) return text;
  }
  const rows = new TreeRows();
  visit(tree.root, prefix, indentUnit, rows);
  return rows.text();
}

/** Lines in `text` (a name with a newline in it would add one). */
function lineCount(text: string): number {
  let lines = 1;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) lines++;
  return lines;
}

const PLAIN = /^[\u0020-\u007e]*$/;
const PLAIN_LINES = /^[\n\u0020-\u007e]*$/;

/**
 * fileTreeText where every name is plain ASCII (printable as it is, one column a character):
 * one walk that writes each line's pieces into one array, a blank where the gap goes, and the
 * line's width (label and size) into a typed array, outside the collected heap; the gaps are
 * filled in once the widest line is known.
 */
function plainTreeText(root: Dir, rowCount: number, prefix: string, indentUnit: string): string {
  const lines = new PlainLines(rowCount, prefix, indentUnit);
  lines.walk(root, 0);
  return lines.text();
}

class PlainLines {
  /** Five a line: indent (after a newline but on the first line), label, gap, size, note. */
  private readonly pieces: string[];
  private readonly widths: Int32Array;
  private readonly indents: string[] = [];
  private row = 0;
  private labelWidth = 0;
  private sizeWidth = 0;

  constructor(
    rows: number,
    private readonly prefix: string,
    private readonly indentUnit: string,
  ) {
    this.pieces = new Array<string>(rows * 5);
    this.widths = new Int32Array(rows);
  }

  walk(dir: Dir, depth: number): void {
    const indent = (this.indents[depth] ??= `\n${this.prefix}${this.indentUnit.repeat(depth)}`);
    const indentWidth = indent.length - 1;
    const { pieces, widths } = this;
    // Indexed loops here and below: in code not yet optimised (all of a one-shot command's, for a
    // while) for...of goes through the iterator protocol for every file.
    const children = dir.children;
    for (let i = 0; i < children.length; i++) {
      const child = children[i]!;
      const k = this.row * 5;
      let label: string;
      let size: string;
      let note = '';
      if ('children' in child) {
        label = `${child.name}/`;
        size = formatBytes(child.size);
      } else {
        label = fileLabel(child);
        size = formatBytes(child.length);
        if (child.padding) note = '  padding';
      }
      pieces[k] = indent;
      pieces[k + 1] = label;
      pieces[k + 3] = size;
      pieces[k + 4] = note;
      const labelWidth = indentWidth + label.length;
      widths[this.row++] = labelWidth + size.length;
      if (labelWidth > this.labelWidth) this.labelWidth = labelWidth;
      if (size.length > this.sizeWidth) this.sizeWidth = size.length;
      if ('children' in child) this.walk(child, depth + 1);
    }
  }

  text(): string {
    const { pieces, widths, row: rows } = this;
    if (rows === 0) return '';
    const lineWidth = this.labelWidth + 2 + this.sizeWidth;
    const blanks = spaces(lineWidth);
    for (let i = 0; i < rows; i++) pieces[i * 5 + 2] = blanks[lineWidth - widths[i]!]!;
    pieces[0] = pieces[0]!.slice(1);
    return pieces.join('');
  }
}

/** Every run of spaces up to `n`, made once. */
function spaces(n: number): string[] {
  const blanks: string[] = [];
  for (let i = 0, run = ''; i <= n; i++, run += ' ') blanks.push(run);
  return blanks;
}

/** A file's label: its name, or a padding file's `.pad/N`. */
function fileLabel(file: TreeFile): string {
  const path = file.path;
  if (file.padding) {
    const pad = path.length - 2;
    if (pad >= 0 && path[pad] === '.pad') return `.pad/${path[pad + 1]}`;
  }
  return path[path.length - 1]!;
}

/** The tree, and how many lines it takes (files and directories). */
function buildTree(files: readonly TreeFile[]): { root: Dir; rows: number } {
  const root: Dir = { name: '', size: 0, children: [], dirs: new Map() };
  let rows = files.length;
  // Files of one directory usually arrive together: the previous file's directories
  // (`chain`, one per component of `chainParts`) are reused as far as they match.
  let chainParts: readonly string[] = [];
  const chain: Dir[] = [];
  for (let f = 0; f < files.length; f++) {
    const file = files[f]!;
    const parts = file.padding ? paddingParts(file.path) : file.path;
    const depth = parts.length - 1;
    let same = 0;
    const shared = Math.min(depth, chain.length);
    while (same < shared && parts[same] === chainParts[same]) same++;
    chain.length = same;
    let dir = same === 0 ? root : chain[same - 1]!;
    for (let i = same; i < depth; i++) {
      let next = dir.dirs.get(parts[i]!);
      if (!next) {
        next = { name: parts[i]!, size: 0, children: [], dirs: new Map() };
        dir.dirs.set(next.name, next);
        dir.children.push(next);
        rows++;
      }
      chain.push(next);
      dir = next;
    }
    chainParts = parts;
    if (!file.padding) for (let i = 0; i < depth; i++) chain[i]!.size += file.length;
    dir.children.push(file);
  }
  return { root, rows };
}

function visit(dir: Dir, indent: string, indentUnit: string, rows: TreeRows): void {
  const indentWidth = displayWidth(indent);
  for (const child of dir.children) {
    if ('children' in child) {
      const label = `${printable(child.name)}/`;
      rows.add(indent, label, indentWidth + displayWidth(label), formatBytes(child.size), '');
      visit(child, indent + indentUnit, indentUnit, rows);
    } else {
      const parts = child.padding ? paddingParts(child.path) : child.path;
      const label = printable(parts[parts.length - 1]!);
      rows.add(indent, label, indentWidth + displayWidth(label), formatBytes(child.length), child.padding ? '  padding' : '');
    }
  }
}

/** Label, size and note columns; the labels padded to the widest, the sizes right-aligned. */
class TreeRows {
  private readonly indents: string[] = [];
  private readonly labels: string[] = [];
  private readonly widths: number[] = [];
  private readonly sizes: string[] = [];
  private readonly notes: string[] = [];
  private labelWidth = 0;
  private sizeWidth = 0;

  add(indent: string, label: string, width: number, size: string, note: string): void {
    this.indents.push(indent);
    this.labels.push(label);
    this.widths.push(width);
    this.sizes.push(size);
    this.notes.push(note);
    if (width > this.labelWidth) this.labelWidth = width;
    if (size.length > this.sizeWidth) this.sizeWidth = size.length;
  }

  text(): string {
    const { indents, labels, widths, sizes, notes, labelWidth, sizeWidth } = this;
    // Every run of spaces a line can need, made once.
    const blanks: string[] = [];
    for (let n = 0, run = ''; n <= labelWidth + 2 + sizeWidth; n++, run += ' ') blanks.push(run);
    const pieces: string[] = new Array(labels.length * 6);
    for (let i = 0, k = 0; i < labels.length; i++) {
      const size = sizes[i]!;
      pieces[k++] = indents[i]!;
      pieces[k++] = labels[i]!;
      pieces[k++] = blanks[labelWidth - widths[i]! + 2 + sizeWidth - size.length]!;
      pieces[k++] = size;
      pieces[k++] = notes[i]!;
      pieces[k++] = '\n';
    }
    return pieces.join('').slice(0, -1);
  }
}

function paddingParts(path: string[]): string[] {
  const pad = path.length - 2;
  if (pad >= 0 && path[pad] === '.pad') return [...path.slice(0, pad), `.pad/${path[pad + 1]}`];
  return path;
}
