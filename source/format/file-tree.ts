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
  children: Map<string, Dir | TreeFile>;
}

/**
 * The files as an indented tree, directories first seen first (the torrent's own order),
 * each line with its size right-aligned; directories show the size of what they hold.
 *   album/            44 KiB
 *     cover.jpg      4.9 KiB
 *     .pad/9152      8.9 KiB  padding
 */
export function fileTree(files: TreeFile[], indentUnit = '  '): string[] {
  const root: Dir = { name: '', size: 0, children: new Map() };
  for (const file of files) {
    let dir = root;
    root.size += file.padding ? 0 : file.length;
    // Padding files read as one name ('.pad/9152'), not as a directory of their own.
    const parts = file.padding ? paddingParts(file.path) : file.path;
    for (let i = 0; i < parts.length - 1; i++) {
      let next = dir.children.get(`${parts[i]}/`);
      if (!next || !('children' in next)) {
        next = { name: parts[i]!, size: 0, children: new Map() };
        dir.children.set(`${parts[i]}/`, next);
      }
      dir = next;
      if (!file.padding) dir.size += file.length;
    }
    // A file key never ends in '/', so it cannot collide with a directory key.
    dir.children.set(`${parts[parts.length - 1]}#${dir.children.size}`, file);
  }

  const rows: { label: string; size: string; note: string }[] = [];
  const visit = (dir: Dir, depth: number): void => {
    for (const child of dir.children.values()) {
      const indent = indentUnit.repeat(depth);
      if ('children' in child) {
        rows.push({ label: `${indent}${printable(child.name)}/`, size: formatBytes(child.size), note: '' });
        visit(child, depth + 1);
      } else {
        const name = child.padding ? paddingParts(child.path).at(-1)! : child.path.at(-1)!;
        rows.push({ label: `${indent}${printable(name)}`, size: formatBytes(child.length), note: child.padding ? '  padding' : '' });
      }
    }
  };
  visit(root, 0);
  let labelWidth = 0;
  let sizeWidth = 0;
  for (const r of rows) {
    labelWidth = Math.max(labelWidth, displayWidth(r.label));
    sizeWidth = Math.max(sizeWidth, r.size.length);
  }
  return rows.map((r) => `${r.label}${' '.repeat(labelWidth - displayWidth(r.label) + 2)}${r.size.padStart(sizeWidth)}${r.note}`);
}

function paddingParts(path: string[]): string[] {
  const pad = path.lastIndexOf('.pad');
  if (pad >= 0 && pad === path.length - 2) return [...path.slice(0, pad), `.pad/${path[pad + 1]}`];
  return path;
}
