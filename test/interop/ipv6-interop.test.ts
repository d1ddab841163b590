/**
 * IPv6 against libtorrent, on ::1 only: btui downloads from a libtorrent seeder on [::1] and
 * libtorrent downloads from `btui serve --host ::1` (its magnet's x.pe=[::1]:port), and
 * magnets with nothing but the info-hash go through the IPv6 DHT (BEP 32) both ways, bootstrapped
 * from a btui IPv6 DHT node on ::1.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Dht } from '../../source/engine/discovery/dht.js';
import { CLI, runCli } from '../helpers/cli.js';
import { startLibtorrentPeer } from '../helpers/libtorrent-peer.js';
import { needs, tempDir } from '../helpers/tools.js';
import { assertSameTree, makeDataDir, mktorrent } from '../helpers/torrent-files.js';

const TOOLS = { commands: ['mktorrent'], libtorrent: true };

function fixture(t: TestContext) {
  const dataParent = tempDir(t);
  const expected = makeDataDir(join(dataParent, 'v6'), [3_000_001, 17, 250_000]);
  const torrent = join(tempDir(t), 'v6.torrent');
  const infoHash = mktorrent(join(dataParent, 'v6'), torrent, { pieceLengthLog2: 16 });
  return { dataParent, expected, torrent, infoHash };
}

async function ipv6DhtNode(t: TestContext): Promise<string> {
  const node = await Dht.create({ bootstrap: [], family: 6 });
  t.after(() => node.close());
  await node.listen(0, '::1');
  return `[::1]:${node.port}`;
}

function download(t: TestContext, args: string[]) {
  const out = tempDir(t);
  return runCli(['download', ...args, '-o', out, '--host', '::1', '--port', '0'], {
    env: { BTUI_HOME: tempDir(t) },
    timeoutMs: 90_000,
  }).then((result) => ({ out, result }));
}

function serve(t: TestContext, file: string, extra: string[]) {
  const child = spawn(process.execPath, [CLI, 'serve', '-f', file, '--host', '::1', '--port', '0', '--json', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, BTUI_HOME: tempDir(t) },
  });
  t.after(() => child.kill('SIGKILL'));
  const served = new Promise<{ infoHash: string; magnet: string }>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString().split('\n')[0]!)));
    child.on('close', (code) => reject(new Error(`serve exited ${code}`)));
  });
  return { child, served };
}

test('btui downloads from a libtorrent seeder on [::1] (a magnet with x.pe=[::1]:port)', async (t) => {
  if (!needs(t, TOOLS)) return;
  const f = fixture(t);
  const seeder = await startLibtorrentPeer(t, { torrentPath: f.torrent, savePath: f.dataParent, mode: 'seed', listenHost: '::1' });
  await seeder.waitFor('seeding', 15_000);
  const started = Date.now();
  const { out, result } = await download(t, [`magnet:?xt=urn:btih:${f.infoHash}&x.pe=[::1]:${seeder.port}`, '--no-dht']);
  assert.equal(result.code, 0, `btui download failed: ${result.stderr}`);
  t.diagnostic(`3.2 MB over [::1] from libtorrent in ${Date.now() - started} ms (metadata included)`);
  assertSameTree(f.expected, join(out, 'v6'));
});

test('libtorrent on [::1] downloads from `btui serve --host ::1`, whose magnet carries x.pe=[::1]:port', async (t) => {
  if (!needs(t, TOOLS)) return;
  const dir = tempDir(t);
  const data = randomBytes(2_000_000);
  writeFileSync(join(dir, 'clip.mp4'), data);
  const { child, served } = serve(t, join(dir, 'clip.mp4'), ['--no-dht']);
  const { magnet } = await served;
  assert.match(magnet, /x\.pe=\[::1\]:\d+/);
  const out = tempDir(t);
  const leecher = await startLibtorrentPeer(t, { magnet, savePath: out, mode: 'leech', listenHost: '::1' });
  await leecher.waitFor('finished', 60_000);
  assert.ok(readFileSync(join(out, 'clip.mp4')).equals(data));
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  child.kill('SIGINT');
  assert.equal(await exited, 0);
});

test('btui downloads a bare-info-hash magnet from a libtorrent seeder on [::1] found through the IPv6 DHT alone', async (t) => {
  if (!needs(t, TOOLS)) return;
  const f = fixture(t);
  const node = await ipv6DhtNode(t);
  const seeder = await startLibtorrentPeer(t, {
    torrentPath: f.torrent,
    savePath: f.dataParent,
    mode: 'seed',
    listenHost: '::1',
    dhtBootstrap: [node],
  });
  await seeder.waitFor('seeding', 15_000);
  const { out, result } = await download(t, [`magnet:?xt=urn:btih:${f.infoHash}`, '--dht-bootstrap', node, '--metadata-timeout', '60']);
  assert.equal(result.code, 0, `btui download failed: ${result.stderr}; libtorrent: ${seeder.log().slice(-600)}`);
  assertSameTree(f.expected, join(out, 'v6'));
});

test('libtorrent on [::1] downloads from `btui serve --host ::1` given only the info-hash, through the IPv6 DHT', async (t) => {
  if (!needs(t, TOOLS)) return;
  const node = await ipv6DhtNode(t);
  const dir = tempDir(t);
  const data = randomBytes(1_500_000);
  writeFileSync(join(dir, 'clip.mp4'), data);
  const { child, served } = serve(t, join(dir, 'clip.mp4'), ['--dht-bootstrap', node]);
  const { infoHash } = await served;
  const out = tempDir(t);
  const leecher = await startLibtorrentPeer(t, {
    magnet: `magnet:?xt=urn:btih:${infoHash}`,
    savePath: out,
    mode: 'leech',
    listenHost: '::1',
    dhtBootstrap: [node],
  });
  await leecher.waitFor('finished', 60_000);
  assert.ok(leecher.gotMetadata, 'metadata came over ut_metadata');
  assert.ok(readFileSync(join(out, 'clip.mp4')).equals(data));
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  child.kill('SIGINT');
  assert.equal(await exited, 0);
});
