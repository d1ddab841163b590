/**
 * A multi-file torrent's files kept as a table (file-table.ts): `files` made from it on first
 * read must be what the straightforward reading of the `files` list gives, and the table must
 * give the same summary as the entries.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decode, encode, type BDict, type BValue } from '../../../source/engine/codec/bencode.js';
import {
  parseMetainfo as parseEager,
  parseMetainfoWhole as parseWholeEager,
  type ParseOptions,
  type TorrentFileEntry,
} from '../../../source/engine/metainfo/metainfo.js';
import { fileColumnsText, fileTreeText } from '../../../source/format/file-tree.js';
import { metainfoJson } from '../../../source/format/metainfo-json.js';
import { metainfoSummary, metainfoSummaryBytes } from '../../../source/format/metainfo-summary.js';

const PL = 4 * 1024 * 1024;
const lazy: ParseOptions = { lazyFiles: true };
const parseMetainfo = (data: Buffer) => parseEager(data, lazy);
const parseMetainfoWhole = (data: Buffer) => parseWholeEager(data, lazy);

interface Spec {
  path: (string | Buffer)[];
  length: number;
  attr?: string;
  utf8?: string[];
}

function torrentOf(name: string, specs: Spec[]): Buffer {
  const total = specs.reduce((sum, f) => sum + f.length, 0);
  const files = specs.map((f) => {
    const entry: BDict = new Map<string, BValue>([
      ['length', f.length],
      ['path', f.path.map((c) => (typeof c === 'string' ? Buffer.from(c) : c))],
    ]);
    if (f.attr) entry.set('attr', Buffer.from(f.attr));
    if (f.utf8)
      entry.set(
        'path.utf-8',
        f.utf8.map((c) => Buffer.from(c)),
      );
    return entry;
  });
  const info: BDict = new Map<string, BValue>([
    ['files', files],
    ['name', Buffer.from(name)],
    ['piece length', PL],
    ['pieces', Buffer.alloc(Math.ceil(total / PL) * 20, 1)],
  ]);
  return encode(new Map<string, BValue>([['info', info]]));
}

/** The plain reading of a `files` list: the entries as BEP 3 and 47 describe them. */
function referenceFiles(data: Buffer): TorrentFileEntry[] {
  const info = (decode(data) as BDict).get('info') as BDict;
  const name = new TextDecoder().decode(info.get('name') as Uint8Array);
  let offset = 0;
  return (info.get('files') as BDict[]).map((entry) => {
    const components = ((entry.get('path.utf-8') ?? entry.get('path')) as Uint8Array[]).map((c) => new TextDecoder().decode(c));
    const length = entry.get('length') as number;
    const attr = entry.get('attr') as Uint8Array | undefined;
    const last = components[components.length - 1]!;
    const padding =
      (attr !== undefined && attr.includes(0x70)) ||
      (components.length === 2 && components[0] === '.pad' && /^\d+$/.test(last)) ||
      last.startsWith('_____padding_file_');
    const file = { path: [name, ...components], length, offset, padding };
    offset += length;
    return file;
  });
}

const mixed: Spec[] = [
  { path: ['cd1', 'a.flac'], length: 40_000 },
  { path: ['.pad', '9152'], length: 9152, attr: 'p' },
  { path: ['cd1', 'sub', 'b\u0007.flac'], length: 1024 },
  { path: ['日本', '😀.png'], length: 5 * 2 ** 30 },
  { path: [Buffer.from([0x63, 0x61, 0x66, 0xe9])], length: 10 },
  { path: ['raw'], utf8: ['utf8', 'café'], length: 6 },
  { path: ['cd1', '_____padding_file_0_'], length: 100 },
  { path: ['cd2', 'x'], length: 0 },
  { path: ['cd1', 'late.txt'], length: 7 },
];

test('files made from the table are the plain reading of the list: paths, lengths, offsets, padding', () => {
  const data = torrentOf('album', mixed);
  for (const parse of [parseMetainfo, parseMetainfoWhole]) {
    const m = parse(data);
    assert.ok(m.fileTable, 'a multi-file torrent keeps its table');
    assert.deepEqual(m.files, referenceFiles(data));
  }
  let plain = 0;
  const many: Spec[] = [];
  for (let i = 0; i < 3000; i++)
    many.push({ path: [`dir-${i % 7}`, ...(i % 3 ? [`s${i % 5}`] : []), `file-${i}.dat`], length: (plain += 17) });
  const data2 = torrentOf('many', many);
  assert.deepEqual(parseMetainfo(data2).files, referenceFiles(data2));
});

test('files: made once, each path its own array; the table is not enumerable; an assigned list replaces it', () => {
  const m = parseMetainfo(torrentOf('album', mixed));
  assert.equal(Object.keys(m).includes('fileTable'), false);
  assert.ok(Object.keys(m).includes('files'));
  assert.ok(m.fileTable);
  const files = m.files;
  assert.equal(m.files, files, 'the same array on every read');
  assert.equal(m.fileTable, undefined, 'once the entries are made, they are all that is kept');
  files[0]!.path.push('changed');
  assert.deepEqual(files[2]!.path, ['album', 'cd1', 'sub', 'b\u0007.flac'], 'files of one directory share no path array');
  const spread = { ...m };
  assert.equal(spread.files, files);

  const other = parseMetainfo(torrentOf('album', mixed));
  const replaced = [{ path: ['album', 'only.bin'], length: 3, offset: 0, padding: false }];
  other.files = replaced;
  assert.equal(other.files, replaced);
  assert.equal(other.fileTable, undefined, 'the table no longer describes the files');
  assert.match(metainfoSummary(other), /only\.bin +3 B/);
});

test('the tree from the table is the tree from the entries (plain names, escapes, wide names, padding, nested)', () => {
  const plainSpecs: Spec[] = [];
  for (let i = 0; i < 500; i++) plainSpecs.push({ path: [`d${i % 4}`, `e${i % 3}`, `f${i}`], length: i * 1013 });
  plainSpecs.push({ path: ['.pad', '77'], length: 77, attr: 'p' });
  for (const specs of [mixed, plainSpecs]) {
    const m = parseMetainfo(torrentOf('album', specs));
    const table = m.fileTable!;
    const fromTable = fileColumnsText(table, '  ', '  ');
    assert.equal(fromTable, fileTreeText(referenceFiles(torrentOf('album', specs)), '  ', '  '));
  }
});

test('the summary as bytes (what btui metainfo writes) is the summary as text, plain names or not', () => {
  const plainSpecs: Spec[] = [];
  for (let i = 0; i < 300; i++) plainSpecs.push({ path: [`d${i % 3}`, `f${i}.dat`], length: i * 977 });
  plainSpecs.push({ path: ['.pad', '77'], length: 77, attr: 'p' });
  for (const specs of [plainSpecs, mixed]) {
    const m = parseMetainfo(torrentOf('album', specs));
    assert.equal(Buffer.concat(metainfoSummaryBytes(m)).toString('utf8'), metainfoSummary(m));
  }
});

test('collisions: padding files take no names, in any order of files', () => {
  /** PathSet's rule: every file that is not padding, and each directory above it, in two sets. */
  const firstClash = (files: { path: string[]; padding: boolean }[]): string | undefined => {
    const names = new Set<string>();
    const dirs = new Set<string>();
    for (const [i, { path, padding }] of files.entries()) {
      if (padding) continue;
      const key = path.join('/');
      if (names.has(key)) return `file ${i + 1}: duplicate path ${JSON.stringify(key)}`;
      if (dirs.has(key)) return `file ${i + 1}: ${JSON.stringify(key)} is both a file and a directory`;
      for (let k = 1; k < path.length; k++) {
        const dir = path.slice(0, k).join('/');
        if (names.has(dir)) return `file ${i + 1}: ${JSON.stringify(dir)} is both a file and a directory`;
      }
      names.add(key);
      for (let k = 1; k < path.length; k++) dirs.add(path.slice(0, k).join('/'));
    }
    return undefined;
  };
  const file = fc.record({
    path: fc.array(fc.constantFrom('a', 'b', '.pad', '1'), { minLength: 1, maxLength: 3 }),
    padding: fc.boolean(),
  });
  fc.assert(
    fc.property(fc.array(file, { minLength: 1, maxLength: 8 }), (files) => {
      const specs = files.map((f) => ({ path: f.path, length: 1, attr: f.padding ? 'p' : undefined }));
      const data = torrentOf('root', specs);
      // A `.pad/<digits>` path is padding without the flag too.
      const padding = referenceFiles(data).map((f) => f.padding);
      const expected = firstClash(files.map((f, i) => ({ path: f.path, padding: padding[i]! })));
      for (const parse of [parseMetainfo, parseMetainfoWhole]) {
        let actual: string | undefined;
        try {
          parse(data);
        } catch (error) {
          actual = (error as Error).message;
        }
        assert.equal(actual, expected, JSON.stringify(files));
      }
    }),
    { numRuns: 2000 },
  );
});

test('without lazyFiles, files is a plain property made at once, the same entries, and no table is kept', () => {
  const data = torrentOf('album', mixed);
  const m = parseEager(data);
  const descriptor = Object.getOwnPropertyDescriptor(m, 'files')!;
  assert.equal(descriptor.get, undefined, 'a data property, as the engine reads it per block');
  assert.equal(m.fileTable, undefined);
  assert.deepEqual(m.files, parseMetainfo(data).files);
  const lazyOne = parseMetainfo(data);
  assert.equal(typeof Object.getOwnPropertyDescriptor(lazyOne, 'files')!.get, 'function');
  assert.equal(metainfoSummary(lazyOne), metainfoSummary(m));
  assert.deepEqual(metainfoJson(lazyOne), metainfoJson(m), '--json from the table');
  assert.ok(lazyOne.fileTable, '--json needs no entries either');
});
