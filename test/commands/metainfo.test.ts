import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { encode, type BDict, type BValue } from '../../source/engine/codec/bencode.js';
import { CLI, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tools.js';

const PL = 16384;
const HEX = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';

function d(entries: Record<string, BValue | string | undefined>): BDict {
  const map: BDict = new Map();
  for (const [k, v] of Object.entries(entries)) if (v !== undefined) map.set(k, typeof v === 'string' ? Buffer.from(v) : v);
  return map;
}

function multiFile(): Buffer {
  const files = [
    d({ length: 40000, path: [Buffer.from('a.bin')] }),
    d({ length: 9152, path: [Buffer.from('.pad'), Buffer.from('9152')], attr: 'p' }),
    d({ length: 5000, path: [Buffer.from('sub'), Buffer.from('b.txt')] }),
  ];
  const info = d({ name: 'album', 'piece length': PL, pieces: Buffer.alloc(4 * 20, 1), files, private: 1, source: 'SRC' });
  return encode(
    d({
      info,
      announce: 'http://ignored/announce',
      'announce-list': [[Buffer.from('http://a/announce'), Buffer.from('http://b/announce')], [Buffer.from('udp://c:80')]],
      'url-list': [Buffer.from('http://seed/')],
      'creation date': 1700000000,
      'created by': 'test maker',
      comment: 'line one\nline two \x1b[31mred',
    }),
  );
}

before(() => {
  if (!existsSync(CLI)) throw new Error(`build first: ${CLI} is missing (npm run build)`);
});

test('human summary: aligned fields, tracker tiers, tree with padding marked, escapes neutralised', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'album.torrent');
  writeFileSync(file, multiFile());
  const r = await runCli(['metainfo', '-t', file]);
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0);
  const expected = [
    'Name        album',
    'Info hash   ',
    'Version     v1',
    'Size        43.9 KiB (45,000 bytes) in 2 files + 1 padding file',
    'Pieces      4 × 16 KiB',
    'Private     yes',
    'Trackers    tier 1  http://a/announce',
    '                    http://b/announce',
    '            tier 2  udp://c:80',
    'Web seeds   http://seed/',
    'Created     2023-11-14 22:13:20 UTC',
    'Created by  test maker',
    'Comment     line one',
    '            line two \\x1b[31mred',
    'Source      SRC',
    '',
    'Files',
    '  album/       43.9 KiB',
    '    a.bin      39.1 KiB',
    '    .pad/9152  8.94 KiB  padding',
    '    sub/       4.88 KiB',
    '      b.txt    4.88 KiB',
  ];
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.length, expected.length, r.stdout);
  expected.forEach((line, i) =>
    assert.ok(lines[i]!.startsWith(line), `line ${i + 1}: ${JSON.stringify(lines[i])} should start with ${JSON.stringify(line)}`),
  );
  assert.match(lines[1]!, /^Info hash {3}[0-9a-f]{40}$/);
  assert.ok(!r.stdout.includes('\x1b'), 'no raw escape reaches the terminal');
});

test('--json: the documented fields', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'album.torrent');
  writeFileSync(file, multiFile());
  const r = await runCli(['metainfo', '--json', '-t', file]);
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.match(json.infoHash, /^[0-9a-f]{40}$/);
  assert.equal('infoHashV2' in json, false);
  assert.deepEqual(
    { ...json, infoHash: undefined },
    {
      infoHash: undefined,
      name: 'album',
      length: 54152,
      contentLength: 45000,
      pieceLength: PL,
      pieceCount: 4,
      private: true,
      announce: [['http://a/announce', 'http://b/announce'], ['udp://c:80']],
      urlList: ['http://seed/'],
      files: [
        { path: 'album/a.bin', length: 40000 },
        { path: 'album/.pad/9152', length: 9152, padding: true },
        { path: 'album/sub/b.txt', length: 5000 },
      ],
      creationDate: 1700000000,
      createdBy: 'test maker',
      comment: 'line one\nline two \x1b[31mred',
      source: 'SRC',
      version: 1,
    },
  );
  // A lone .torrent argument works as -t.
  const positional = await runCli(['metainfo', file, '--json']);
  assert.equal(positional.stdout, r.stdout);
});

test('errors: one line naming the file, exit 1; usage errors exit 2', async (t) => {
  const dir = tempDir(t);
  const bad = join(dir, 'bad.torrent');
  writeFileSync(bad, encode(d({ info: d({ name: 'x', 'piece length': PL, pieces: Buffer.alloc(37), length: 10 }) })));
  const cases: [string[], number, RegExp][] = [
    [
      ['metainfo', '-t', bad],
      1,
      new RegExp(`^btui: ${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: pieces length 37 is not a multiple of 20\\n$`),
    ],
    [['metainfo', '-t', join(dir, 'none.torrent')], 1, /^btui: no such file: .*none\.torrent\n$/],
    [['metainfo', '-t', dir], 1, /^btui: .*(is a directory|EISDIR).*\n$/],
    [['metainfo'], 2, /^btui: metainfo: missing -t FILE\.torrent or -m MAGNET/],
    [['metainfo', '--bogus'], 2, /^btui: metainfo: unknown option --bogus/],
    [['metainfo', '-t', bad, '-m', `magnet:?xt=urn:btih:${HEX}`], 2, /not both/],
    [['metainfo', '-m', 'magnet:?dn=x'], 1, /^btui: metainfo: unusable magnet link: no info-hash \(xt=urn:btih:/],
    [
      ['metainfo', '-m', `magnet:?xt=urn:btih:${HEX}`, '--offline', '--save', join(dir, 'out.torrent')],
      2,
      /^btui: metainfo: --save needs the info dictionary from the swarm, not --offline/,
    ],
    [
      ['metainfo', '-m', `magnet:?xt=urn:btih:${HEX}`, '--no-dht', '--save', join(dir, 'out.torrent')],
      1,
      /^btui: metainfo: nothing to fetch the info dictionary from .* --offline shows/,
    ],
    [
      ['metainfo', '-m', `magnet:?xt=urn:btih:${HEX}&x.pe=127.0.0.1:1`, '--no-dht', '--timeout', '1'],
      1,
      /^btui: metainfo: no metadata for .* within 1 s \(1 peer found, 0 offered metadata; .*\); --offline shows/,
    ],
  ];
  for (const [args, code, pattern] of cases) {
    const r = await runCli(args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern, args.join(' '));
    assert.equal(r.stderr.split('\n').length, 2, `one line: ${r.stderr}`);
    assert.equal(r.stdout, '');
  }
  assert.equal(existsSync(join(dir, 'out.torrent')), false);
});

test('magnet --offline: human summary with a note, and --json', async () => {
  const uri = `magnet:?xt=urn:btih:${HEX}&dn=Big+Buck+Bunny&tr=http%3A%2F%2Fa%2Fannounce&tr=udp://b:80&ws=http://seed/&x.pe=127.0.0.1:6881&x.pe=[::1]:6882&xl=1048576`;
  const r = await runCli(['metainfo', '--offline', '-m', uri]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    r.stdout.split('\n\n')[0],
    [
      'Name       Big Buck Bunny',
      `Info hash  ${HEX}`,
      'Size       1 MiB (1,048,576 bytes)',
      'Trackers   http://a/announce',
      '           udp://b:80',
      'Web seeds  http://seed/',
      'Peers      127.0.0.1:6881',
      '           [::1]:6882',
    ].join('\n'),
  );
  assert.match(r.stdout, /this is what the magnet link itself holds \(--offline\)/);
  const j = await runCli(['metainfo', '--offline', '--json', uri]);
  assert.equal(j.code, 0, j.stderr);
  assert.deepEqual(JSON.parse(j.stdout), {
    infoHash: HEX,
    name: 'Big Buck Bunny',
    length: 1048576,
    trackers: ['http://a/announce', 'udp://b:80'],
    webSeeds: ['http://seed/'],
    peers: [
      { host: '127.0.0.1', port: 6881 },
      { host: '::1', port: 6882 },
    ],
  });
});

test('--help shows the options', async () => {
  const r = await runCli(['metainfo', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /btui metainfo -t FILE\.torrent/);
  assert.match(r.stdout, /--json/);
});
