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
 * The files as an indented tree, each line with its size right-aligned; directories show
 * the size of what they hold. Padding files read as one name and are marked:
 *   album/            44 KiB
 *     cover.jpg      4.9 KiB
 *     .pad/9152      8.9 KiB  padding
 */
export function fileTree(files: TreeFile[], indentUnit = '  ', prefix = ''): string[] {
  const root: Dir = { name: '', size: 0, children: [], dirs: new Map() };
  for (const file of files) {
    const parts = file.padding ? paddingParts(file.path) : file.path;
    let dir = root;
    for (let i = 0; i < parts.length - 1; i++) {
      let next = dir.dirs.get(parts[i]!);
      if (!next) {
        next = { name: parts[i]!, size: 0, children: [], dirs: new Map() };
        dir.dirs.set(next.name, next);
        dir.children.push(next);
      }
      dir = next;
      if (!file.padding) dir.size += file.length;
    }
    dir.children.push(file);
  }

  const labels: string[] = [];
  const sizes: string[] = [];
  const notes: string[] = [];
  const visit = (dir: Dir, indent: string): void => {
    for (const child of dir.children) {
      if ('children' in child) {
        labels.push(`${indent}${printable(child.name)}/`);
        sizes.push(formatBytes(child.size));
        notes.push('');
        visit(child, indent + indentUnit);
      } else {
        const parts = child.padding ? paddingParts(child.path) : child.path;
        labels.push(indent + printable(parts[parts.length - 1]!));
        sizes.push(formatBytes(child.length));
        notes.push(child.padding ? '  padding' : '');
      }
    }
  };
  visit(root, prefix);

  const widths = labels.map((label) => displayWidth(label));
  let labelWidth = 0;
  let sizeWidth = 0;
  for (let i = 0; i < labels.length; i++) {
    if (widths[i]! > labelWidth) labelWidth = widths[i]!;
    if (sizes[i]!.length > sizeWidth) sizeWidth = sizes[i]!.length;
  }
  const lines: string[] = new Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    lines[i] = labels[i]! + ' '.repeat(labelWidth - widths[i]! + 2) + sizes[i]!.padStart(sizeWidth) + notes[i]!;
  }
  return lines;
}

function paddingParts(path: string[]): string[] {
  const pad = path.length - 2;
  if (pad >= 0 && path[pad] === '.pad') return [...path.slice(0, pad), `.pad/${path[pad + 1]}`];
  return path;
}
