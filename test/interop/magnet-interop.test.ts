/**
 * Magnets against libtorrent: btui fetches metadata (ut_metadata) and downloads from a
 * libtorrent seeder found through x.pe or a loopback DHT alone, libtorrent does the same from
 * btui, and `metainfo -m` matches the .torrent. The DHT is a bittorrent-dht node on
 * 127.0.0.1 started by each test; nothing here knows any public router.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMetainfo } from '../../source/engine/metainfo/metainfo.js';
import { CLI, runCli } from '../helpers/cli.js';
import { startDhtNode } from '../helpers/dht-node.js';
import { startLibtorrentPeer } from '../helpers/libtorrent-peer.js';
import { needs, tempDir } from '../helpers/tools.js';
import { assertSameTree, makeDataDir, mktorrent } from '../helpers/torrent-files.js';

const TOOLS = { commands: ['mktorrent'], libtorrent: true };

function fixture(t: TestContext) {
  const dataParent = tempDir(t);
  // Enough files that the info dict spans several 16 KiB ut_metadata pieces.
  const sizes = [1_000_003, 7, 2_345_678, ...Array.from({ length: 600 }, (_, i) => 100 + i)];
  const expected = makeDataDir(join(dataParent, 'multi'), sizes);
  const torrent = join(tempDir(t), 'multi.torrent');
  const infoHash = mktorrent(join(dataParent, 'multi'), torrent, { pieceLengthLog2: 16 });
  return { dataParent, expected, torrent, infoHash };
}

async function download(t: TestContext, args: string[]) {
  const out = tempDir(t);
  const result = await runCli(['download', ...args, '-o', out, '--host', '127.0.0.1', '--port', '0'], {
    env: { BTUI_HOME: tempDir(t) },
    timeoutMs: 90_000,
  });
  return { out, result };
}

test('btui downloads from a libtorrent seeder given only magnet:?xt=urn:btih:HASH and a loopback DHT bootstrap node', async (t) => {
  if (!needs(t, TOOLS)) return;
  const f = fixture(t);
  const node = await startDhtNode(t);
  const seeder = await startLibtorrentPeer(t, {
    torrentPath: f.torrent,
    savePath: f.dataParent,
    mode: 'seed',
    listenHost: '127.0.0.2',
    dhtBootstrap: [node.address],
  });
  const announced = await node.announced(f.infoHash, 30_000).catch((e: Error) => {
    throw new Error(`${e.message}; libtorrent: ${seeder.log().slice(-800)}`);
  });
  assert.equal(announced.host, '127.0.0.2');
  const { out, result } = await download(t, [`magnet:?xt=urn:btih:${f.infoHash}`, '--dht-bootstrap', node.address]);
  assert.equal(result.code, 0, `btui download failed: ${result.stderr}`);
  assert.match(result.stderr, /fetching metadata/);
  assertSameTree(f.expected, join(out, 'multi'));
});

test('btui downloads a magnet with x.pe only (no DHT) and a bare info-hash with --peer from a libtorrent seeder', async (t) => {
  if (!needs(t, TOOLS)) return;
  const f = fixture(t);
  const seeder = await startLibtorrentPeer(t, { torrentPath: f.torrent, savePath: f.dataParent, mode: 'seed', listenHost: '127.0.0.2' });
  // Until its torrent is loaded, libtorrent closes connections for it.
  await seeder.waitFor('seeding', 15_000);
  const magnet = `magnet:?xt=urn:btih:${f.infoHash}&dn=multi&x.pe=127.0.0.2:${seeder.port}`;
  const { out, result } = await download(t, [magnet, '--no-dht']);
  assert.equal(result.code, 0, `btui download failed: ${result.stderr}`);
  assertSameTree(f.expected, join(out, 'multi'));
  // A bare info-hash plus --peer is the same thing without the magnet syntax.
  const bare = await download(t, [f.infoHash.toUpperCase(), '--no-dht', '--peer', `127.0.0.2:${seeder.port}`, '--json']);
  assert.equal(bare.result.code, 0, bare.result.stderr);
  assert.match(bare.result.stdout, /"event":"metadata"/);
  assertSameTree(f.expected, join(bare.out, 'multi'));
});

test('libtorrent downloads from `btui serve` given only the magnet, through the DHT', async (t) => {
  if (!needs(t, TOOLS)) return;
  const node = await startDhtNode(t);
  const dir = tempDir(t);
  const data = randomBytes(1_500_000);
  writeFileSync(join(dir, 'clip.mp4'), data);
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '-f', join(dir, 'clip.mp4'), '--host', '127.0.0.1', '--port', '0', '--dht-bootstrap', node.address, '--json'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, BTUI_HOME: tempDir(t) },
    },
  );
  t.after(() => child.kill('SIGKILL'));
  const served = await new Promise<{ infoHash: string; magnet: string }>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString().split('\n')[0]!)));
    child.on('close', (code) => reject(new Error(`serve exited ${code}`)));
  });
  await node.announced(served.infoHash, 15_000);
  const out = tempDir(t);
  const leecher = await startLibtorrentPeer(t, {
    magnet: `magnet:?xt=urn:btih:${served.infoHash}`,
    savePath: out,
    mode: 'leech',
    listenHost: '127.0.0.4',
    dhtBootstrap: [node.address],
  });
  await leecher.waitFor('finished', 60_000);
  assert.ok(leecher.gotMetadata, 'metadata came over ut_metadata');
  assert.ok(readFileSync(join(out, 'clip.mp4')).equals(data));
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  child.kill('SIGINT');
  assert.equal(await exited, 0);
});

test('`btui metainfo -m` fetches from a libtorrent seeder and shows what the .torrent shows; --save writes it', async (t) => {
  if (!needs(t, TOOLS)) return;
  const f = fixture(t);
  const seeder = await startLibtorrentPeer(t, { torrentPath: f.torrent, savePath: f.dataParent, mode: 'seed', listenHost: '127.0.0.2' });
  // Until its torrent is loaded, libtorrent closes connections for it.
  await seeder.waitFor('seeding', 15_000);
  const saved = join(tempDir(t), 'fetched.torrent');
  const magnet = `magnet:?xt=urn:btih:${f.infoHash}&tr=http%3A%2F%2F127.0.0.1%3A1%2Fannounce&x.pe=127.0.0.2:${seeder.port}`;
  const fetched = await runCli(['metainfo', '--json', '--no-dht', '--timeout', '30', '--save', saved, '-m', magnet], {
    env: { BTUI_HOME: tempDir(t) },
  });
  assert.equal(fetched.code, 0, fetched.stderr);
  const original = await runCli(['metainfo', '--json', '-t', f.torrent]);
  const pick = (json: string) => {
    const { infoHash, name, length, pieceLength, pieceCount, files, private: isPrivate } = JSON.parse(json) as Record<string, unknown>;
    return { infoHash, name, length, pieceLength, pieceCount, files, isPrivate };
  };
  assert.deepEqual(pick(fetched.stdout), pick(original.stdout));
  assert.deepEqual((JSON.parse(fetched.stdout) as { announce: string[][] }).announce, [['http://127.0.0.1:1/announce']]);
  // The saved .torrent carries the exact info bytes and the magnet's tracker.
  const meta = parseMetainfo(readFileSync(saved));
  assert.equal(meta.infoHash, f.infoHash);
  assert.ok(meta.infoBytes.equals(parseMetainfo(readFileSync(f.torrent)).infoBytes));
  assert.deepEqual(meta.announce, [['http://127.0.0.1:1/announce']]);
  // The human summary: same name, hash and sizes as for the .torrent.
  const human = await runCli(['metainfo', '--no-dht', '-m', magnet], { env: { BTUI_HOME: tempDir(t) } });
  const humanTorrent = await runCli(['metainfo', '-t', f.torrent]);
  assert.equal(human.code, 0, human.stderr);
  for (const label of ['Name', 'Info hash', 'Size', 'Pieces']) {
    // Values only: the label column's width depends on which other rows are shown.
    const value = (text: string) => new RegExp(`^${label} +(.+)$`, 'm').exec(text)?.[1];
    assert.ok(value(human.stdout), `${label} in ${human.stdout}`);
    assert.equal(value(human.stdout), value(humanTorrent.stdout), label);
  }
  assert.equal(human.stdout.split('\n\nFiles\n')[1], humanTorrent.stdout.split('\n\nFiles\n')[1]);
});
