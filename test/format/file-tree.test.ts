import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fileTreeText, type TreeFile } from '../../source/format/file-tree.js';
import { formatBytes } from '../../source/format/size.js';
import { displayWidth, printable } from '../../source/format/text.js';

test('a small tree: directories first seen where their first file is, sizes summed, padding marked', () => {
  const files: TreeFile[] = [
    { path: ['album', 'cover.jpg'], length: 5000 },
    { path: ['album', '.pad', '9152'], length: 9152, padding: true },
    { path: ['album', 'cd1', 'a.flac'], length: 40_000 },
    { path: ['album', 'notes.txt'], length: 100 },
    { path: ['album', 'cd1', 'b\u001b.flac'], length: 1024 },
  ];
  assert.deepEqual(fileTreeText(files, '  ', '> ').split('\n'), [
    '> album/          45.0 KiB',
    '>   cover.jpg     4.88 KiB',
    '>   .pad/9152     8.94 KiB  padding',
    '>   cd1/          40.1 KiB',
    '>     a.flac      39.1 KiB',
    '>     b\\x1b.flac     1 KiB',
    '>   notes.txt        100 B',
  ]);
});

/** The straightforward way (a tree of maps, then four columns): what fileTreeText must equal. */
function referenceTree(files: TreeFile[], indentUnit: string, prefix: string): string[] {
  type Dir = { name: string; size: number; children: (Dir | TreeFile)[]; dirs: Map<string, Dir> };
  const parts = (f: TreeFile) => {
    const pad = f.path.length - 2;
    return f.padding && pad >= 0 && f.path[pad] === '.pad' ? [...f.path.slice(0, pad), `.pad/${f.path[pad + 1]}`] : f.path;
  };
  const root: Dir = { name: '', size: 0, children: [], dirs: new Map() };
  for (const file of files) {
    const p = parts(file);
    let dir = root;
    for (const name of p.slice(0, -1)) {
      let next = dir.dirs.get(name);
      if (!next) {
        next = { name, size: 0, children: [], dirs: new Map() };
        dir.dirs.set(name, next);
        dir.children.push(next);
      }
      dir = next;
      if (!file.padding) dir.size += file.length;
    }
    dir.children.push(file);
  }
  const rows: [string, string, string][] = [];
  const visit = (dir: Dir, indent: string): void => {
    for (const child of dir.children) {
      if ('children' in child) {
        rows.push([`${indent}${printable(child.name)}/`, formatBytes(child.size), '']);
        visit(child, indent + indentUnit);
      } else {
        rows.push([indent + printable(parts(child).at(-1)!), formatBytes(child.length), child.padding ? '  padding' : '']);
      }
    }
  };
  visit(root, prefix);
  const labelWidth = Math.max(0, ...rows.map(([label]) => displayWidth(label)));
  const sizeWidth = Math.max(0, ...rows.map(([, size]) => size.length));
  return rows.map(([label, size, note]) => label + ' '.repeat(labelWidth - displayWidth(label) + 2) + size.padStart(sizeWidth) + note);
}

test('fileTreeText equals the straightforward tree for any list of files', () => {
  const name = fc.oneof(
    fc.constantFrom('a', 'b', 'dir', '.pad', '9152', '日本', 'x\u0007y', 'é', '_'),
    fc.string({ minLength: 1, maxLength: 4 }),
  );
  const file = fc.record({
    path: fc.array(name, { minLength: 1, maxLength: 4 }),
    length: fc.oneof(fc.nat(5000), fc.nat(2 ** 40)),
    padding: fc.boolean(),
  });
  fc.assert(
    fc.property(
      fc.array(file, { maxLength: 30 }),
      fc.constantFrom('  ', '\t', '│ '),
      fc.constantFrom('', '  ', '» ', '> '),
      (files, unit, prefix) => {
        assert.equal(fileTreeText(files, unit, prefix), referenceTree(files, unit, prefix).join('\n'));
      },
    ),
    { numRuns: 2000 },
  );
});

test('a name with a newline, a control character or a wide character is shown escaped and aligned as before', () => {
  for (const odd of ['new\nline', 'bell\u0007', '日本', 'tab\there', 'del\u007f']) {
    const files: TreeFile[] = [
      { path: ['dir', 'plain.txt'], length: 1000 },
      { path: ['dir', odd], length: 2048 },
    ];
    assert.equal(fileTreeText(files, '  ', '  '), referenceTree(files, '  ', '  ').join('\n'), JSON.stringify(odd));
  }
});

test('10,000 plain names in nested folders, with padding files: the same as the straightforward tree', () => {
  const files: TreeFile[] = [];
  for (let i = 0; i < 10_000; i++) {
    files.push({ path: ['top', `dir-${i % 7}`, `sub-${i % 3}`, `file-${i}.dat`], length: (i * 7919) % 3_000_000 });
    if (i % 1000 === 0) files.push({ path: ['top', '.pad', String(i)], length: 100, padding: true });
  }
  assert.equal(fileTreeText(files, '  ', '  '), referenceTree(files, '  ', '  ').join('\n'));
});
