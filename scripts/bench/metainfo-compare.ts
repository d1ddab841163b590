/**
 * `btui metainfo` of two builds on a corpus of torrents, compared byte for byte (stdout, stderr,
 * exit code) for `-t`, `--json`, and the summary of a lone argument:
 *
 *   node --import tsx scripts/bench/metainfo-compare.ts /tmp/before/cli.js distribution/cli.js
 *
 * The corpus: single-file, multi-file, 10,000 files, nested folders, non-UTF-8, control, CJK and
 * emoji names, padding files (BEP 47 and BitComet), duplicates and collisions, broken bencode,
 * and v1, v2 and hybrid torrents made by libtorrent (when Debian's python3-libtorrent is there).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode, type BDict, type BValue } from '../../source/engine/codec/bencode.js';
import { manyFilesTorrent } from './swarm-setup.js';

const [before, after] = process.argv.slice(2);
if (!before || !after) {
  console.error('usage: metainfo-compare.ts BEFORE/cli.js AFTER/cli.js');
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'metainfo-compare-'));
const PL = 16384;

function d(entries: Record<string, BValue | string | undefined>): BDict {
  const map: BDict = new Map();
  for (const [k, v] of Object.entries(entries)) if (v !== undefined) map.set(k, typeof v === 'string' ? Buffer.from(v) : v);
  return map;
}

type FileSpec = { path: (string | Buffer)[]; length: number; attr?: string; utf8?: (string | Buffer)[] };

function v1(name: string | Buffer, files: FileSpec[], extra: Record<string, BValue | string> = {}): Buffer {
  const total = files.reduce((sum, f) => sum + f.length, 0);
  const list = files.map((f) =>
    d({
      length: f.length,
      path: f.path.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)),
      attr: f.attr,
      'path.utf-8': f.utf8?.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)),
    }),
  );
  const info = d({
    name: typeof name === 'string' ? name : undefined,
    'piece length': PL,
    pieces: Buffer.alloc(Math.ceil(total / PL) * 20, 7),
    files: list,
  });
  if (typeof name !== 'string') info.set('name', name);
  return encode(d({ info, announce: 'http://127.0.0.1:1/announce', ...extra }));
}

const corpus = new Map<string, Buffer>();
corpus.set(
  'single',
  encode(d({ info: d({ name: 'one.iso', length: 123_456_789, 'piece length': 4 * 1024 * 1024, pieces: Buffer.alloc(30 * 20, 3) }) })),
);
corpus.set(
  'multi',
  v1(
    'album',
    [
      { path: ['a.bin'], length: 40000 },
      { path: ['.pad', '9152'], length: 9152, attr: 'p' },
      { path: ['sub', 'b.txt'], length: 5000 },
      { path: ['sub', '_____padding_file_0_'], length: 100 },
      { path: ['c'], length: 0 },
    ],
    { comment: 'line one\nline two \x1b[31mred', 'created by': 'x', 'creation date': 1700000000 },
  ),
);
const nested: FileSpec[] = [];
for (let i = 0; i < 3000; i++)
  nested.push({ path: [`d${i % 5}`, `e${i % 3}`, ...(i % 2 ? ['f'] : []), `n${i}`], length: (i * 7919) % 3_000_000 });
nested.push({ path: ['d1', 'e1', 'late'], length: 5 });
corpus.set('nested-unsorted', v1('nest', nested));
const sorted: FileSpec[] = [];
for (let a = 0; a < 4; a++)
  for (let b = 0; b < 3; b++) for (let c = 0; c < 50; c++) sorted.push({ path: [`a${a}`, `b${b}`, `c${c}.txt`], length: a * 1000 + c });
sorted.push({ path: ['top.txt'], length: 10 });
corpus.set('nested-sorted', v1('tree', sorted));
corpus.set(
  'odd-names',
  v1('odd', [
    { path: ['日本語', 'ファイル.txt'], length: 1000 },
    { path: ['emoji', '😀 smile.png'], length: 2000 },
    { path: ['ctl', 'bell\u0007.txt'], length: 3000 },
    { path: ['ctl', 'new\nline'], length: 3000 },
    { path: ['ctl', 'esc\u001b[31m'], length: 3000 },
    { path: ['latin1', Buffer.from([0x63, 0x61, 0x66, 0xe9])], length: 4000 },
    { path: ['bad', Buffer.from([0xff, 0xfe, 0x41])], length: 5000 },
    { path: ['utf8', 'raw'], utf8: ['utf8', 'café'], length: 6000 },
    { path: ['del\u007f', 'x'], length: 1 },
    { path: ['wide', 'ｆｕｌｌ'], length: 7 },
  ]),
);
corpus.set('odd-torrent-name', v1(Buffer.from([0x6e, 0xe9, 0xff]), [{ path: ['a'], length: 1 }]));
corpus.set(
  'duplicate',
  v1('dup', [
    { path: ['a', 'b'], length: 1 },
    { path: ['a', 'b'], length: 2 },
  ]),
);
corpus.set(
  'file-and-dir',
  v1('fd', [
    { path: ['a'], length: 1 },
    { path: ['a', 'b'], length: 2 },
  ]),
);
corpus.set(
  'dir-and-file',
  v1('df', [
    { path: ['a', 'b'], length: 1 },
    { path: ['a'], length: 2 },
  ]),
);
corpus.set('dotdot', v1('dd', [{ path: ['..', 'b'], length: 1 }]));
corpus.set('empty-component', v1('ec', [{ path: ['a', ''], length: 1 }]));
corpus.set('slash', v1('sl', [{ path: ['a/b'], length: 1 }]));
corpus.set(
  'padding-dup',
  v1('pd', [
    { path: ['a'], length: PL - 1 },
    { path: ['.pad', '1'], length: 1, attr: 'p' },
    { path: ['b'], length: PL },
    { path: ['.pad', '1'], length: 1, attr: 'p' },
  ]),
);
corpus.set('long-path', v1('lp', [{ path: Array.from({ length: 30 }, () => 'x'.repeat(200)), length: 1 }]));
corpus.set('all-empty', v1('z', [{ path: ['a'], length: 0 }]));
corpus.set('truncated', (corpus.get('multi') as Buffer).subarray(0, 200));
corpus.set('not-bencode', Buffer.from('hello world\n'));
corpus.set('random', randomBytes(3000));

for (const [name, bytes] of corpus) writeFileSync(join(dir, `${name}.torrent`), bytes);
const many = join(dir, 'many.torrent');
manyFilesTorrent(many);
const torrents = [...corpus.keys()].map((name) => join(dir, `${name}.torrent`));
torrents.push(many, join(dir, 'missing.torrent'));

// libtorrent's own v1, v2 and hybrid torrents of a small tree.
const source = join(dir, 'lt-source');
mkdirSync(join(source, 'sub', 'deeper'), { recursive: true });
writeFileSync(join(source, 'a.bin'), randomBytes(70_000));
writeFileSync(join(source, 'sub', 'b.txt'), randomBytes(5000));
writeFileSync(join(source, 'sub', 'deeper', 'c'), randomBytes(40_000));
for (const mode of ['v1', 'v2', 'hybrid']) {
  const out = join(dir, `lt-${mode}.torrent`);
  const made = spawnSync('/usr/bin/python3', ['test/helpers/lt-torrent.py', 'create', '--mode', mode, '--out', out, source], {
    encoding: 'utf8',
  });
  if (made.status === 0) torrents.push(out);
  else console.error(`(no libtorrent ${mode} torrent: ${made.stderr.trim().split('\n').at(-1)})`);
}
const single = join(dir, 'lt-single');
writeFileSync(single, randomBytes(100_000));
const ltSingle = join(dir, 'lt-single-v2.torrent');
if (spawnSync('/usr/bin/python3', ['test/helpers/lt-torrent.py', 'create', '--mode', 'hybrid', '--out', ltSingle, single]).status === 0)
  torrents.push(ltSingle);

const env = { ...process.env, XDG_CONFIG_HOME: join(dir, 'config'), XDG_DATA_HOME: join(dir, 'data') };
let differences = 0;
let runs = 0;
for (const torrent of torrents) {
  for (const args of [
    ['metainfo', '-t', torrent],
    ['metainfo', '--json', '-t', torrent],
    ['metainfo', torrent],
  ]) {
    const [a, b] = [before, after].map((cli) => spawnSync(process.execPath, [cli, ...args], { env }));
    runs++;
    const same = a.status === b.status && a.stdout.equals(b.stdout) && a.stderr.equals(b.stderr);
    if (!same) {
      differences++;
      console.log(`DIFFERS: ${args.join(' ')} (exit ${a.status} vs ${b.status}, stdout ${a.stdout.length} vs ${b.stdout.length} bytes)`);
      if (!a.stderr.equals(b.stderr))
        console.log(`  stderr: ${JSON.stringify(a.stderr.toString())} vs ${JSON.stringify(b.stderr.toString())}`);
    }
  }
}
console.log(`${runs - differences} of ${runs} runs identical (${torrents.length} torrents)`);
rmSync(dir, { recursive: true, force: true });
process.exit(differences === 0 ? 0 : 1);
