import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode } from '../../source/engine/codec/bencode.js';
import { selectedFiles } from '../../source/commands/download.js';
import { spawn } from 'node:child_process';
import { CLI, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tools.js';
import { randomTorrent, startSeeder } from '../helpers/swarm.js';

test('selectedFiles reads aria2c-style 1-based lists', () => {
  assert.deepEqual([...selectedFiles('1,3-4', 5)], [1, 0, 1, 1, 0]);
  assert.throws(() => selectedFiles('0', 3), /files 1 to 3/);
  assert.throws(() => selectedFiles('2-9', 3), /files 1 to 3/);
  assert.throws(() => selectedFiles('x', 3), /bad --select-file/);
});

test('download --select-file fetches only the chosen files, runs --on-done with the path, exits 0', async (t) => {
  const { meta, data } = randomTorrent({ sizes: [200_000, 300_000, 100_000], pieceLength: 16 * 1024 });
  const seeder = await startSeeder(t, meta, data, tempDir(t));
  const torrentPath = join(tempDir(t), 'sel.torrent');
  writeFileSync(torrentPath, encode(meta.raw));
  const out = tempDir(t);
  const marker = join(tempDir(t), 'done.txt');
  const result = await runCli(
    [
      'download',
      '-t',
      torrentPath,
      '-o',
      out,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--peer',
      `127.0.0.1:${seeder.port}`,
      '--select-file',
      '1,3',
      '--on-done',
      `echo >${marker}`,
    ],
    { env: { BTUI_HOME: tempDir(t) } },
  );
  assert.equal(result.code, 0, result.stderr);
  const [a, b, c] = meta.files;
  for (const f of [a!, c!]) assert.ok(readFileSync(join(out, ...f.path)).equals(data.subarray(f.offset, f.offset + f.length)));
  assert.equal(existsSync(join(out, ...b!.path)), false);
  assert.equal(readFileSync(marker, 'utf8').trim(), join(out, meta.name));
});

test('download errors are one line: missing torrent, magnet without metadata, bad peer', async (t) => {
  const missing = await runCli(['download', '-t', join(tempDir(t), 'nope.torrent'), '--port', '0']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^btui: no such file: .*nope\.torrent\n$/);
  const magnet = await runCli([
    'download',
    'magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567',
    '--no-dht',
    '--metadata-timeout',
    '1',
    '--port',
    '0',
    '-o',
    tempDir(t),
  ]);
  assert.equal(magnet.code, 1);
  // After the "fetching metadata" progress line, one line saying why.
  assert.match(
    magnet.stderr,
    /\nbtui: no metadata for 0123456789abcdef0123456789abcdef01234567 within 1 s \(no peers found; sources: 0 x\.pe, 0 trackers, no DHT\)\n$/,
  );
  const torrentPath = join(tempDir(t), 'x.torrent');
  writeFileSync(torrentPath, encode(randomTorrent({ sizes: [10] }).meta.raw));
  const badPeer = await runCli(['download', '-t', torrentPath, '--peer', 'nowhere', '--port', '0']);
  assert.equal(badPeer.code, 2);
  assert.match(badPeer.stderr, /^btui: bad --peer 'nowhere': expected HOST:PORT\n$/);
  const nothing = await runCli(['download']);
  assert.equal(nothing.code, 2);
  assert.match(nothing.stderr, /^btui: nothing to download/);
});

test('download of complete data with no resume data checks it, saves the resume data and exits 0 at once', async (t) => {
  // 17 MiB: a check this size hashes on the command's one-shot pool, whose worker ends its own thread.
  const dir = tempDir(t);
  const data = join(dir, 'payload.bin');
  writeFileSync(data, randomBytes(17 * 1024 * 1024));
  const torrentPath = join(tempDir(t), 'payload.torrent');
  const made = await runCli(['create', data, '-o', torrentPath, '-l', '256K', '-a', 'http://127.0.0.1:1/announce']);
  assert.equal(made.code, 0, made.stderr);
  const home = tempDir(t);
  const result = await runCli(['download', '-t', torrentPath, '-o', dir, '--port', '0', '--host', '127.0.0.1', '--no-dht'], {
    env: { BTUI_HOME: home },
  });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /verified/);
  // It exits as soon as its run is done: what that run awaited (the resume data) is on disk.
  const resumeFiles = readdirSync(home, { recursive: true }).filter((name) => String(name).endsWith('.resume'));
  assert.equal(resumeFiles.length, 1, `resume data in ${home}`);
});

test('download --json whose reader goes away stops with exit 141 and no stack trace', async (t) => {
  const dir = tempDir(t);
  const data = join(dir, 'small.bin');
  writeFileSync(data, randomBytes(100_000));
  const torrentPath = join(tempDir(t), 'small.torrent');
  const made = await runCli(['create', data, '-o', torrentPath, '-a', 'http://127.0.0.1:1/announce']);
  assert.equal(made.code, 0, made.stderr);
  // No peers: it reports progress every second until stopped.
  const child = spawn(
    process.execPath,
    [CLI, 'download', '-t', torrentPath, '-o', tempDir(t), '--port', '0', '--host', '127.0.0.1', '--no-dht', '--json'],
    {
      env: { ...process.env, BTUI_HOME: tempDir(t) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  t.after(() => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  await new Promise((resolve) => child.stdout.once('data', resolve));
  child.stdout.destroy();
  assert.equal(await exited, 141, stderr);
  assert.doesNotMatch(stderr, /\n\s+at /);
});
