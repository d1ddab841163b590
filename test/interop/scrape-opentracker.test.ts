import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { decodeDetailed, encode, isDict, type BDict } from '../../source/engine/codec/bencode.js';
import { announce, scrape } from '../../source/engine/discovery/tracker/index.js';
import { runCli } from '../helpers/cli.js';
import { startLibtorrentPeer } from '../helpers/libtorrent-peer.js';
import { startOpentracker } from '../helpers/opentracker.js';
import { needs, tempDir } from '../helpers/tools.js';

/** mktorrent's torrent of a small random file; its info-hash does not depend on the announce URL. */
function makeTorrent(dir: string): { dataDir: string; bytes: Buffer; infoHash: string } {
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  writeFileSync(join(dataDir, 'file.bin'), randomBytes(100_000));
  const out = join(dir, 'made.torrent');
  execFileSync('mktorrent', ['-a', 'http://127.0.0.1:1/announce', '-l', '15', '-o', out, join(dataDir, 'file.bin')], { stdio: 'ignore' });
  const bytes = readFileSync(out);
  const decoded = decodeDetailed(bytes);
  const info = (decoded.value as BDict).get('info');
  assert.ok(isDict(info));
  const [start, end] = decoded.spans.get(info)!;
  return { dataDir, bytes, infoHash: createHash('sha1').update(bytes.subarray(start, end)).digest('hex') };
}

function withAnnounce(torrent: Buffer, url: string): Buffer {
  const root = decodeDetailed(torrent).value as BDict;
  root.set('announce', Buffer.from(url));
  return encode(root);
}

async function swarm(t: TestContext) {
  const dir = tempDir(t);
  const { dataDir, bytes, infoHash } = makeTorrent(dir);
  const idleHash = randomBytes(20).toString('hex');
  const tracker = await startOpentracker(t, [infoHash, idleHash]);
  const torrentPath = join(dir, 'swarm.torrent');
  writeFileSync(torrentPath, withAnnounce(bytes, tracker.httpAnnounce));
  const seeder = await startLibtorrentPeer(t, { torrentPath, savePath: dataDir, mode: 'seed' });
  await seeder.waitForTrackerReply(20_000);
  return { tracker, seeder, infoHash, idleHash, torrentPath, dataDir };
}

type Row = { infoHash: string; seeders: number | null; leechers: number | null; completed: number | null };

async function scrapeJson(tracker: string, hashes: string[]): Promise<Row[]> {
  const result = await runCli(['scrape', '-t', tracker, '-i', hashes.join(','), '--json', '--timeout', '5']);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as Row[];
}

test('btui scrape over HTTP and UDP sees the libtorrent seeder on opentracker', async (t) => {
  if (!needs(t, { commands: ['opentracker', 'mktorrent'], libtorrent: true })) return;
  const { tracker, infoHash, idleHash } = await swarm(t);

  const http = await scrapeJson(tracker.httpAnnounce, [infoHash, idleHash]);
  assert.deepEqual(http[0], { infoHash, seeders: 1, leechers: 0, completed: 0 });
  // opentracker's HTTP scrape leaves out hashes nobody announced; btui says so.
  assert.deepEqual(http[1], { infoHash: idleHash, seeders: null, leechers: null, completed: null });

  const udp = await scrapeJson(tracker.udpAnnounce, [infoHash, idleHash]);
  assert.deepEqual(udp, [
    { infoHash, seeders: 1, leechers: 0, completed: 0 },
    { infoHash: idleHash, seeders: 0, leechers: 0, completed: 0 },
  ]);

  const table = await runCli(['scrape', '-t', tracker.httpAnnounce, '-i', `${infoHash},${idleHash}`]);
  assert.equal(table.code, 0, table.stderr);
  const lines = table.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^info-hash\s+seeders\s+leechers\s+completed$/);
  assert.match(lines[1]!, new RegExp(`^${infoHash}\\s+1\\s+0\\s+0$`));
  assert.match(lines[2]!, new RegExp(`^${idleHash}\\s+not reported by the tracker$`));
});

test('announce() to opentracker returns the libtorrent seeder, over HTTP and UDP; scrape() agrees', async (t) => {
  if (!needs(t, { commands: ['opentracker', 'mktorrent'], libtorrent: true })) return;
  const { tracker, seeder, infoHash } = await swarm(t);
  const params = {
    infoHash: Buffer.from(infoHash, 'hex'),
    peerId: Buffer.from('-BT0001-' + randomBytes(6).toString('hex')),
    port: 40000,
    uploaded: 0,
    downloaded: 0,
    left: 100_000,
    event: 'started' as const,
    numwant: 50,
  };
  const viaHttp = await announce(tracker.httpAnnounce, params, { timeoutMs: 5000 });
  assert.ok(viaHttp.interval > 0);
  assert.equal(viaHttp.complete, 1);
  // opentracker does not leave the asking peer out of its own peer list.
  const isSeeder = (p: { host: string; port: number }) => p.host === '127.0.0.1' && p.port === seeder.port;
  assert.ok(viaHttp.peers.some(isSeeder), JSON.stringify(viaHttp.peers));

  const viaUdp = await announce(tracker.udpAnnounce, { ...params, event: undefined }, { udpBaseTimeoutMs: 500, udpMaxTries: 3 });
  assert.equal(viaUdp.complete, 1);
  assert.ok(viaUdp.peers.some(isSeeder), JSON.stringify(viaUdp.peers));

  // We announced ourselves as a leecher: the tracker now counts one.
  const stats = await scrape(tracker.udpAnnounce, [params.infoHash], { udpBaseTimeoutMs: 500, udpMaxTries: 3 });
  assert.deepEqual(stats.get(infoHash), { complete: 1, incomplete: 1, downloaded: 0 });

  await announce(tracker.httpAnnounce, { ...params, event: 'stopped' }, { timeoutMs: 5000 });
  assert.equal((await scrape(tracker.httpAnnounce, [params.infoHash], { timeoutMs: 5000 })).get(infoHash)?.incomplete, 0);
});

test('opentracker refuses a hash that is not whitelisted, and btui shows its reason', async (t) => {
  if (!needs(t, { commands: ['opentracker'] })) return;
  const tracker = await startOpentracker(t, [randomBytes(20).toString('hex')]);
  const params = { infoHash: randomBytes(20), peerId: randomBytes(20), port: 40001, uploaded: 0, downloaded: 0, left: 1 };
  await assert.rejects(announce(tracker.httpAnnounce, params, { timeoutMs: 5000 }), /not authorized/);
});

test('test helpers: a libtorrent leecher on 127.0.0.2 finds the seeder through opentracker and finishes', async (t) => {
  if (!needs(t, { commands: ['opentracker', 'mktorrent'], libtorrent: true })) return;
  const { infoHash, tracker, torrentPath, dataDir } = await swarm(t);
  const saveDir = tempDir(t);
  const leecher = await startLibtorrentPeer(t, { torrentPath, savePath: saveDir, mode: 'leech', listenHost: '127.0.0.2' });
  await leecher.waitFor('seeding', 30_000);
  assert.equal(leecher.lastStatus?.progress, 1);
  assert.deepEqual(readFileSync(join(saveDir, 'file.bin')), readFileSync(join(dataDir, 'file.bin')));
  await leecher.waitForTrackerReply(10_000);
  const stats = await scrape(tracker.httpAnnounce, [Buffer.from(infoHash, 'hex')], { timeoutMs: 5000 });
  assert.ok((stats.get(infoHash)?.complete ?? 0) >= 1);
});

test('test helpers: a libtorrent leecher given the seeder directly (extraPeers) needs no tracker', async (t) => {
  if (!needs(t, { commands: ['mktorrent'], libtorrent: true })) return;
  const dir = tempDir(t);
  const { dataDir, bytes } = makeTorrent(dir);
  const torrentPath = join(dir, 'dead-tracker.torrent');
  writeFileSync(torrentPath, bytes); // announces to 127.0.0.1:1, where nothing listens
  const seeder = await startLibtorrentPeer(t, { torrentPath, savePath: dataDir, mode: 'seed', listenHost: '127.0.0.3' });
  const saveDir = tempDir(t);
  const leecher = await startLibtorrentPeer(t, {
    torrentPath,
    savePath: saveDir,
    mode: 'leech',
    listenHost: '127.0.0.4',
    extraPeers: [{ host: seeder.host, port: seeder.port }],
  });
  await leecher.waitFor('finished', 30_000);
  assert.deepEqual(readFileSync(join(saveDir, 'file.bin')), readFileSync(join(dataDir, 'file.bin')));
  await seeder.stop();
  assert.equal(seeder.lastStatus?.state, 'seeding');
});
