import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeDetailed, type BDict, type BValue } from '../../source/engine/codec/bencode.js';
import { CLI, runCli, type CliResult } from '../helpers/cli.js';
import { needs, tempDir } from '../helpers/tools.js';

const text = (v: BValue | undefined) => Buffer.from(v as Uint8Array).toString('utf8');

function readTorrent(path: string): { top: BDict; info: BDict; infoHash: string } {
  const bytes = readFileSync(path);
  const decoded = decodeDetailed(bytes, { strictKeyOrder: true });
  const top = decoded.value as BDict;
  const info = top.get('info') as BDict;
  const [start, end] = decoded.spans.get(info)!;
  return { top, info, infoHash: createHash('sha1').update(bytes.subarray(start, end)).digest('hex') };
}

function makeTree(t: import('node:test').TestContext): { root: string; data: string } {
  const root = tempDir(t);
  const data = join(root, 'data');
  mkdirSync(join(data, 'sub'), { recursive: true });
  writeFileSync(join(data, 'one.bin'), randomBytes(50_001));
  writeFileSync(join(data, 'sub', 'two.bin'), randomBytes(20_003));
  return { root, data };
}

function assertOneLineError(result: CliResult, pattern: RegExp): void {
  assert.notEqual(result.code, 0, 'non-zero exit');
  assert.equal(result.stdout, '');
  assert.match(result.stderr, pattern);
  assert.equal(result.stderr.trimEnd().split('\n').length, 1, `one line: ${result.stderr}`);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
}

test('create writes every flag into the torrent and prints a summary', async (t) => {
  const { root, data } = makeTree(t);
  const out = join(root, 'out.torrent');
  const result = await runCli([
    'create',
    data,
    '-o',
    out,
    '-l',
    '32K',
    '-a',
    'http://t1.example/announce,udp://t2.example:6969',
    '-a',
    'http://t3.example/announce',
    '-w',
    'http://ws1.example/',
    '-w',
    'http://ws2.example/,http://ws3.example/',
    '--private',
    '-c',
    'a comment',
    '--source',
    'SRC',
    '--no-date',
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, '', 'no progress output when stderr is not a TTY');
  const { top, info, infoHash } = readTorrent(out);
  assert.match(result.stdout, new RegExp(`Info hash\\s+${infoHash}`));
  assert.match(result.stdout, /Name\s+data/);
  assert.match(result.stdout, /Files\s+2/);
  assert.match(result.stdout, /Pieces\s+3 × 32 KiB/);
  assert.ok(result.stdout.includes(out));
  assert.equal(info.get('piece length'), 32_768);
  assert.equal(info.get('private'), 1);
  assert.equal(text(info.get('source')), 'SRC');
  assert.equal(text(top.get('announce')), 'http://t1.example/announce');
  assert.deepEqual(
    (top.get('announce-list') as BValue[][]).map((tier) => tier.map(text)),
    [['http://t1.example/announce', 'udp://t2.example:6969'], ['http://t3.example/announce']],
  );
  assert.deepEqual((top.get('url-list') as BValue[]).map(text), ['http://ws1.example/', 'http://ws2.example/', 'http://ws3.example/']);
  assert.equal(text(top.get('comment')), 'a comment');
  assert.equal(top.has('creation date'), false);
});

test('--json reports the result; -l takes mktorrent exponents; default output is NAME.torrent', async (t) => {
  const { root, data } = makeTree(t);
  const result = await runCli(['create', data, '-l', '20', '--json'], { cwd: root });
  assert.equal(result.code, 0, result.stderr);
  const json = JSON.parse(result.stdout);
  const out = join(root, 'data.torrent');
  assert.equal(json.output, out);
  const { top, infoHash } = readTorrent(out);
  assert.equal(json.infoHash, infoHash);
  assert.equal(json.pieceLength, 1024 * 1024);
  assert.equal(json.pieceCount, 1);
  assert.equal(json.length, 70_004);
  assert.equal(json.files, 2);
  assert.equal(json.private, false);
  assert.match(json.magnet, new RegExp(`^magnet:\\?xt=urn:btih:${infoHash}&dn=data`));
  assert.equal(typeof top.get('creation date'), 'number');
});

test('an output written inside the directory is not part of the torrent', async (t) => {
  const { data } = makeTree(t);
  const out = join(data, 'self.torrent');
  assert.equal((await runCli(['create', data, '-o', out, '--json'])).code, 0);
  const again = await runCli(['create', data, '-o', out, '--json', '--force']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout).files, 2);
});

test('refuses to overwrite the output unless --force', async (t) => {
  const { root, data } = makeTree(t);
  const out = join(root, 'taken.torrent');
  writeFileSync(out, 'precious');
  assertOneLineError(await runCli(['create', data, '-o', out]), /already exists.*--force/);
  assert.equal(readFileSync(out, 'utf8'), 'precious');
  const forced = await runCli(['create', data, '-o', out, '--force']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(readTorrent(out).info.get('name') instanceof Uint8Array, true);
});

test('bad input gives one line on stderr and a non-zero exit', async (t) => {
  const { root, data } = makeTree(t);
  const out = join(root, 'x.torrent');
  mkdirSync(join(root, 'hollow', 'inner'), { recursive: true });
  assertOneLineError(await runCli(['create']), /missing PATH/);
  assertOneLineError(await runCli(['create', join(root, 'nope'), '-o', out]), /no such file/);
  assertOneLineError(await runCli(['create', join(root, 'hollow'), '-o', out]), /empty directory/);
  assertOneLineError(await runCli(['create', data, '-o', out, '-l', '3M']), /bad piece length '3M'/);
  assertOneLineError(await runCli(['create', data, '-o', out, '-l', 'big']), /bad piece length 'big'/);
  assertOneLineError(await runCli(['create', data, '-o', out, '-a', 'nonsense']), /bad tracker URL/);
  assertOneLineError(await runCli(['create', data, '-o', out, '--bogus']), /unknown option --bogus/);
  // -t is download's and metainfo's; here it would have been a torrent without its tracker.
  assertOneLineError(await runCli(['create', data, '-o', out, '-t', 'http://127.0.0.1:1/announce']), /unknown option -t\b/);
  assert.equal(existsSync(out), false, 'no torrent is written for a line with an unknown option');
  assertOneLineError(await runCli(['create', data, 'extra', '-o', out]), /unexpected argument 'extra'/);
  assertOneLineError(
    await runCli(['create', data, '-o', join(root, 'no-dir', 'x.torrent')]),
    /cannot write .*x\.torrent: no such directory .*no-dir$/m,
  );
});

test('an unreadable file is a one-line error', async (t) => {
  const { root, data } = makeTree(t);
  chmodSync(join(data, 'one.bin'), 0o000);
  const args = [CLI, 'create', data, '-o', join(root, 'x.torrent')];
  // Root reads any file, so as root the CLI runs as nobody (the tree must then be traversable).
  const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  if ('uid' in asNobody) chmodSync(root, 0o755);
  const child = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 30_000, ...asNobody });
  assertOneLineError(
    { code: child.status, stdout: child.stdout, stderr: child.stderr, stdoutBytes: Buffer.from(child.stdout) },
    /permission denied: .*one\.bin/,
  );
});

test('--help documents the piece length forms', async () => {
  const result = await runCli(['create', '--help']);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /btui create PATH/);
  for (const form of ['auto', '256K', '262144', 'exponent']) assert.ok(result.stdout.includes(form), form);
});

test('draws a progress bar on stderr when it is a terminal', async (t) => {
  if (!needs(t, { commands: ['script'] })) return;
  const { root, data } = makeTree(t);
  const out = join(root, 'tty.torrent');
  const command = [process.execPath, CLI, 'create', data, '-o', out].map((a) => `'${a}'`).join(' ');
  const result = spawnSync('script', ['-q', '-e', '-c', command, '/dev/null'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(result.status, 0, result.stdout);
  assert.match(result.stdout, /hashing \[#+\] 100%/);
  assert.match(result.stdout, /Info hash\s+[0-9a-f]{40}/);
});
