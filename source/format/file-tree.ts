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
 * string is made per line, only the pieces of all lines joined once.
 */
export function fileTreeText(files: readonly TreeFile[], indentUnit = '  ', prefix = ''): string {
  const rows = new TreeRows();
  visit(buildTree(files), prefix, indentUnit, rows);
  return rows.text();
}

function buildTree(files: readonly TreeFile[]): Dir {
  const root: Dir = { name: '', size: 0, children: [], dirs: new Map() };
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
      }
      chain.push(next);
      dir = next;
    }
    chainParts = parts;
    if (!file.padding) for (let i = 0; i < depth; i++) chain[i]!.size += file.length;
    dir.children.push(file);
  }
  return root;
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
