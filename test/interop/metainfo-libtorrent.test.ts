/**
 * `btui metainfo --json` against libtorrent's reading of the same .torrent files, made by
 * mktorrent, by `btui create` and by libtorrent itself (v1, v1 with padding, v2-only, hybrid).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { decode, encode, type BDict, type BValue } from '../../source/engine/codec/bencode.js';
import { runCli } from '../helpers/cli.js';
import { needs, SYSTEM_PYTHON, tempDir } from '../helpers/tools.js';

const LT_TORRENT = fileURLToPath(new URL('../helpers/lt-torrent.py', import.meta.url));

interface LtView {
  error?: string;
  infoHashV1: string | null;
  infoHashV2: string | null;
  name: string;
  totalSize: number;
  pieceLength: number;
  numPieces: number;
  private: boolean;
  files: { path: string; size: number; offset: number; pad: boolean }[];
  trackers: { url: string; tier: number }[];
  webSeeds: string[];
  comment: string;
}

function run(command: string, args: string[]): string {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${r.stderr || r.error}`);
  return r.stdout;
}

function libtorrentView(files: string[]): LtView[] {
  return JSON.parse(run(SYSTEM_PYTHON, [LT_TORRENT, 'dump', ...files])) as LtView[];
}

/** Deterministic filler so runs are reproducible. */
function bytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed * 2654435761;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

function makePayload(dir: string): { single: string; multi: string } {
  const single = join(dir, 'payload', 'single.bin');
  const multi = join(dir, 'payload', 'album');
  mkdirSync(join(multi, 'disc 1'), { recursive: true });
  mkdirSync(join(multi, 'über'), { recursive: true });
  writeFileSync(single, bytes(70_000, 1));
  writeFileSync(join(multi, 'a.bin'), bytes(40_000, 2));
  writeFileSync(join(multi, 'disc 1', 'track 01.flac'), bytes(33_000, 3));
  writeFileSync(join(multi, 'disc 1', 'track 02.flac'), bytes(16_384, 4));
  writeFileSync(join(multi, 'über', 'notes.txt'), bytes(123, 5));
  writeFileSync(join(multi, 'empty'), '');
  return { single, multi };
}

async function btuiJson(file: string) {
  const r = await runCli(['metainfo', '--json', '-t', file]);
  assert.equal(r.code, 0, `btui metainfo ${file}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

test('btui metainfo agrees with libtorrent on torrents made by mktorrent, btui create and libtorrent', async (t) => {
  if (!needs(t, { commands: ['mktorrent'], libtorrent: true })) return;
  const dir = tempDir(t);
  const { single, multi } = makePayload(dir);
  const out = (name: string) => join(dir, `${name}.torrent`);
  const made: { name: string; kind: 'v1' | 'v2' | 'hybrid' }[] = [];

  run('mktorrent', ['-l', '15', '-t', '1', '-a', 'http://a.example/announce', '-a', 'udp://b.example:80', '-o', out('mk-single'), single]);
  made.push({ name: 'mk-single', kind: 'v1' });
  run('mktorrent', [
    '-l',
    '15',
    '-t',
    '1',
    '-p',
    '-c',
    'a comment',
    '-s',
    'SRC',
    '-w',
    'http://seed.example/',
    '-a',
    'http://a.example/announce,http://a2.example/announce',
    '-o',
    out('mk-multi'),
    multi,
  ]);
  made.push({ name: 'mk-multi', kind: 'v1' });
  const btuiMade: [string, string, string[]][] = [
    ['btui-single', single, ['-l', '15']],
    [
      'btui-multi',
      multi,
      [
        '-l',
        '15',
        '-a',
        'http://a.example/announce,http://a2.example/announce',
        '-a',
        'udp://b.example:80',
        '-w',
        'http://seed.example/',
        '-p',
        '-c',
        'made by btui',
      ],
    ],
  ];
  for (const [name, source, args] of btuiMade) {
    const r = await runCli(['create', source, '-o', out(name), ...args]);
    assert.equal(r.code, 0, `btui create ${name}: ${r.stderr}`);
    made.push({ name, kind: 'v1' });
  }
  const lt = (name: string, source: string, args: string[], kind: 'v1' | 'v2' | 'hybrid') => {
    run(SYSTEM_PYTHON, [LT_TORRENT, 'create', ...args, '--out', out(name), source]);
    made.push({ name, kind });
  };
  lt('lt-v1', multi, ['--mode', 'v1', '--tracker', 'http://t1/', '--tracker', 'http://t2/', '--web-seed', 'http://ws/'], 'v1');
  lt('lt-v1-pad', multi, ['--mode', 'v1', '--pad', '--piece-length', '32768'], 'v1');
  lt('lt-v2', multi, ['--mode', 'v2', '--private', '--comment', 'v2 only'], 'v2');
  lt('lt-v2-single', single, ['--mode', 'v2', '--piece-length', '32768'], 'v2');
  lt('lt-hybrid', multi, ['--mode', 'hybrid', '--tracker', 'udp://h:6969'], 'hybrid');
  lt('lt-hybrid-single', single, ['--mode', 'hybrid'], 'hybrid');

  const views = libtorrentView(made.map((m) => out(m.name)));
  for (const [i, { name, kind }] of made.entries()) {
    const ltv = views[i]!;
    assert.equal(ltv.error, undefined, `${name}: libtorrent refused it: ${ltv.error}`);
    const ours = await btuiJson(out(name));
    const where = `${name}: `;
    assert.equal(ours.version, kind === 'v1' ? 1 : kind === 'v2' ? 2 : 'hybrid', where + 'version');
    if (kind !== 'v2') assert.equal(ours.infoHash, ltv.infoHashV1, where + 'v1 info-hash');
    else assert.equal(ours.infoHash, ltv.infoHashV2!.slice(0, 40), where + 'truncated v2 info-hash');
    assert.equal(ours.infoHashV2, ltv.infoHashV2 ?? undefined, where + 'v2 info-hash');
    assert.equal(ours.name, ltv.name, where + 'name');
    assert.equal(ours.pieceLength, ltv.pieceLength, where + 'piece length');
    assert.equal(ours.pieceCount, ltv.numPieces, where + 'piece count');
    assert.equal(ours.private, ltv.private, where + 'private');
    assert.equal(ours.comment ?? '', ltv.comment, where + 'comment');
    assert.deepEqual(ours.urlList, ltv.webSeeds, where + 'web seeds');
    // libtorrent shuffles the URLs within a tier (as BEP 12 suggests), so compare sorted.
    const byTier = (list: { url: string; tier: number }[]) => list.map((x) => `${x.tier} ${x.url}`).sort();
    assert.deepEqual(
      byTier(ours.announce.flatMap((tier: string[], n: number) => tier.map((url) => ({ url, tier: n })))),
      byTier(ltv.trackers),
      where + 'trackers',
    );
    const theirs = ltv.files.map((f) => ({ path: f.path, length: f.size, ...(f.pad ? { padding: true } : {}) }));
    if (kind === 'v2') {
      // libtorrent 2.0 also pads after a v2 torrent's last file; btui does not (the tail
      // is not part of any piece), so compare the real files and the content size.
      const real = (files: { padding?: boolean }[]) => files.filter((f) => !f.padding);
      assert.deepEqual(real(ours.files), real(theirs), where + 'files');
      assert.equal(
        ours.contentLength,
        real(theirs).reduce((s, f) => s + (f as { length: number }).length, 0),
        where + 'content length',
      );
      assert.ok(ours.length <= ltv.totalSize && ltv.totalSize - ours.length < ltv.pieceLength, where + 'length within the last piece');
    } else {
      assert.deepEqual(ours.files, theirs, where + 'files');
      assert.equal(ours.length, ltv.totalSize, where + 'total size');
    }
  }
  // Sanity: the cases really cover padding, several tiers and a non-ASCII path.
  const all = await Promise.all(made.map((m) => btuiJson(out(m.name))));
  const mkMulti = all[made.findIndex((m) => m.name === 'mk-multi')]!;
  assert.equal(mkMulti.source, 'SRC');
  assert.match(mkMulti.createdBy, /^mktorrent/);
  assert.equal(typeof mkMulti.creationDate, 'number');
  assert.ok(all.some((j) => j.files.some((f: { padding?: boolean }) => f.padding)));
  assert.ok(all.some((j) => j.announce.length > 1));
  assert.ok(all.some((j) => j.files.some((f: { path: string }) => f.path.includes('über'))));
});

test('what libtorrent refuses, btui refuses too', async (t) => {
  if (!needs(t, { commands: ['mktorrent'], libtorrent: true })) return;
  const dir = tempDir(t);
  const { multi } = makePayload(dir);
  const v1 = join(dir, 'v1.torrent');
  const v2 = join(dir, 'v2.torrent');
  const hybrid = join(dir, 'hybrid.torrent');
  run('mktorrent', ['-l', '15', '-t', '1', '-a', 'http://a/', '-o', v1, multi]);
  run(SYSTEM_PYTHON, [LT_TORRENT, 'create', '--mode', 'v2', '--out', v2, multi]);
  run(SYSTEM_PYTHON, [LT_TORRENT, 'create', '--mode', 'hybrid', '--out', hybrid, multi]);

  const mutate = (source: string, change: (info: BDict) => void): Buffer => {
    const root = decode(readFileSync(source)) as BDict;
    change(root.get('info') as BDict);
    return encode(root);
  };
  const files = (info: BDict) => info.get('files') as BDict[];
  const cases: [string, string, (info: BDict) => void][] = [
    ['piece-length-0', v1, (i) => i.set('piece length', 0)],
    ['piece-length-negative', v1, (i) => i.set('piece length', -16384)],
    ['piece-length-1g', v1, (i) => i.set('piece length', 2 ** 30)],
    ['pieces-short', v1, (i) => i.set('pieces', (i.get('pieces') as Buffer).subarray(0, 40))],
    ['pieces-odd', v1, (i) => i.set('pieces', (i.get('pieces') as Buffer).subarray(1))],
    ['pieces-extra', v1, (i) => i.set('pieces', Buffer.concat([i.get('pieces') as Buffer, Buffer.alloc(20)]))],
    ['negative-length', v1, (i) => files(i)[0]!.set('length', -5)],
    ['huge-length', v1, (i) => files(i)[0]!.set('length', 2n ** 62n)],
    ['no-files', v1, (i) => i.set('files', [])],
    ['no-name', v1, (i) => i.delete('name')],
    ['no-piece-length', v1, (i) => i.delete('piece length')],
    ['meta-version-3', v2, (i) => i.set('meta version', 3)],
    ['v2-piece-length-48k', v2, (i) => i.set('piece length', 49152)],
    ['v2-piece-length-8k', v2, (i) => i.set('piece length', 8192)],
    ['hybrid-mismatch', hybrid, (i) => files(i)[0]!.set('length', 39999)],
  ];
  const paths = cases.map(([name, source, change]) => {
    const path = join(dir, `${name}.torrent`);
    writeFileSync(path, mutate(source, change as (info: BDict) => void));
    return path;
  });
  const views = libtorrentView(paths);
  for (const [k, [name]] of cases.entries()) {
    assert.ok(views[k]!.error, `${name}: libtorrent was expected to refuse this (the case is wrong otherwise)`);
    const r = await runCli(['metainfo', '-t', paths[k]!]);
    assert.equal(r.code, 1, `${name}: btui accepted what libtorrent refuses (${views[k]!.error})`);
    assert.match(r.stderr, new RegExp(`^btui: .*${name}\\.torrent: .+\\n$`), name);
  }
});

export type { BValue };
