/** uTP inside btui's own swarms: mixed with TCP, and on the UDP port it shares with the DHT. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { parseMagnet } from '../../../source/engine/metainfo/magnet.js';
import { Session } from '../../../source/engine/session/session.js';
import type { Transport } from '../../../source/engine/transport/transport.js';
import { startDhtNode } from '../../helpers/dht-node.js';
import { assertSameFiles, randomTorrent, startSession, waitForDone, writeTorrentFiles } from '../../helpers/swarm.js';
import { tempDir } from '../../helpers/tools.js';

test('uTP and TCP in one swarm: a uTP-only, a TCP-only and a dual leecher all finish; each connection is over the transport expected', async (t) => {
  const { meta, data } = randomTorrent({ sizes: [3_000_000, 777_777] });
  const seedDir = tempDir(t);
  writeTorrentFiles(seedDir, meta, data);
  const seeder = await startSession(t, { utp: true });
  const seed = seeder.add(meta, { directory: seedDir, seedMode: true });
  await seed.start();
  const leechers = {
    utpOnly: await startSession(t, { utp: true, tcp: false }),
    tcpOnly: await startSession(t),
    // A long race delay: this test is about which transport is chosen, not how fast (a loaded machine may answer slowly).
    both: await startSession(t, { utp: true, transportRaceDelayMs: 10_000 }),
  };
  // Which transport the seeder saw each leecher's connection arrive over, by the leecher's listen port.
  const seen = new Map<number, Set<string>>();
  const sample = () => {
    for (const p of seed.peerStats()) {
      const set = seen.get(p.port) ?? new Set();
      set.add(p.transport);
      seen.set(p.port, set);
    }
  };
  const timer = setInterval(sample, 20);
  t.after(() => clearInterval(timer));
  const dirs = Object.values(leechers).map(() => tempDir(t));
  const torrents = Object.values(leechers).map((s, i) => s.add(meta, { directory: dirs[i]! }));
  const done = Promise.all(torrents.map((tor) => waitForDone(tor, 60_000)));
  // The dual leecher hears of the seed as peer exchange's flag 0x04 names it: speaking uTP.
  torrents.forEach((tor, i) => tor.addPeers([{ host: '127.0.0.1', port: seeder.port, utp: i === 2 }]));
  await done;
  for (const dir of dirs) assertSameFiles(meta, data, dir);
  // The seeder lists incoming peers by their source port; the leechers' connections to it are outgoing.
  const transports = (s: Session) =>
    torrents[Object.values(leechers).indexOf(s)]!.peerStats()
      .filter((p) => p.port === seeder.port)
      .map((p) => p.transport);
  sample();
  const all = [...seen.values()].flatMap((s) => [...s]);
  assert.ok(all.includes('utp') && all.includes('tcp'), `the seeder served over both: ${JSON.stringify([...seen])}`);
  // Leechers that finished may have dropped the seed already; what they list now, if anything, must fit.
  for (const tr of transports(leechers.utpOnly)) assert.equal(tr, 'utp');
  for (const tr of transports(leechers.tcpOnly)) assert.equal(tr, 'tcp');
  for (const tr of transports(leechers.both)) assert.equal(tr, 'utp', 'uTP is tried first for a peer known to speak it');
});

/** A dual leecher's download from a seeder on 127.0.0.1; what transports its connections were over, and how soon the first came. */
async function dualLeech(
  t: import('node:test').TestContext,
  seederOptions: { utp?: boolean; tcp?: boolean },
  peer: { utp?: boolean },
  leecherOptions: { transportRaceDelayMs?: number } = {},
): Promise<{ transports: string[]; firstPeerMs: number }> {
  const { meta, data } = randomTorrent({ sizes: [500_000] });
  const seedDir = tempDir(t);
  writeTorrentFiles(seedDir, meta, data);
  const seeder = await startSession(t, seederOptions);
  const seed = seeder.add(meta, { directory: seedDir, seedMode: true });
  await seed.start();
  const leecher = await startSession(t, { utp: true, ...leecherOptions });
  const dir = tempDir(t);
  const torrent = leecher.add(meta, { directory: dir });
  const transports = new Set<string>();
  const note = () => torrent.peerStats().forEach((p) => transports.add(p.transport));
  torrent.on('tick', note);
  torrent.on('piece', note);
  const started = performance.now();
  const firstPeer = new Promise<number>((resolve) => torrent.once('peer', () => resolve(performance.now() - started)));
  torrent.on('peer', note);
  const done = waitForDone(torrent, 30_000);
  torrent.addPeers([{ host: '127.0.0.1', port: seeder.port, ...peer }]);
  const firstPeerMs = await firstPeer;
  await done;
  assertSameFiles(meta, data, dir);
  return { transports: [...transports], firstPeerMs };
}

test('a dual leecher dials TCP first to a peer not known to speak uTP', async (t) => {
  const { transports } = await dualLeech(t, { utp: true }, {}, { transportRaceDelayMs: 10_000 });
  assert.deepEqual(transports, ['tcp']);
});

test('a dual leecher dials uTP first to a peer known to speak it (PEX flag 0x04)', async (t) => {
  const { transports } = await dualLeech(t, { utp: true }, { utp: true }, { transportRaceDelayMs: 10_000 });
  assert.deepEqual(transports, ['utp']);
});

test('a peer said to speak uTP that does not answer it is reached over TCP in well under a second of uTP silence', async (t) => {
  // The seeder has no UDP socket: the uTP SYNs go unanswered (Linux reports no error to an unconnected UDP socket).
  const { transports, firstPeerMs } = await dualLeech(t, { utp: false }, { utp: true });
  assert.deepEqual(transports, ['tcp']);
  // The race delay is 500 ms; uTP's own give-up (3 s) is no longer waited for.
  assert.ok(firstPeerMs < 2500, `connected after ${Math.round(firstPeerMs)} ms`);
});

test('a peer that refuses TCP is dialled over uTP at once', async (t) => {
  const { transports, firstPeerMs } = await dualLeech(t, { utp: true, tcp: false }, {}, { transportRaceDelayMs: 10_000 });
  assert.deepEqual(transports, ['utp']);
  assert.ok(firstPeerMs < 5000, `connected after ${Math.round(firstPeerMs)} ms, not after the race delay`);
});

test('the DHT and uTP share the listen port: a magnet resolves through the DHT and downloads over uTP only', async (t) => {
  const node = await startDhtNode(t);
  const { meta, data } = randomTorrent({ sizes: [400_000, 5] });
  const dir = tempDir(t);
  writeTorrentFiles(dir, meta, data);
  const seeder = new Session({ host: '127.0.0.1', port: 0, utp: true, dht: { bootstrap: [node.address] } });
  const leecher = new Session({ host: '127.0.0.1', port: 0, utp: true, tcp: false, dht: { bootstrap: [node.address] } });
  t.after(() => Promise.all([seeder.close(), leecher.close()]));
  await seeder.listen();
  await leecher.listen();
  assert.equal(seeder.dht?.port, seeder.port, 'DHT on the listen port');
  seeder.add(meta, { directory: dir, seedMode: true });
  await node.announced(meta.infoHash, 10_000);
  const { meta: fetched, peers } = await leecher.resolveMagnet(parseMagnet(`magnet:?xt=urn:btih:${meta.infoHash}`), { timeoutMs: 15_000 });
  const out = tempDir(t);
  const torrent = leecher.add(fetched, { directory: out });
  torrent.addPeers(peers);
  await waitForDone(torrent, 20_000);
  assertSameFiles(meta, data, out);
  assert.ok((leecher.stats().dhtNodes ?? 0) >= 1);
});

test('a session on every address (::) takes uTP on both families: a leecher on [::1] and one on 127.0.0.1, uTP only, each finish', async (t) => {
  const { meta, data } = randomTorrent({ sizes: [700_000] });
  const seedDir = tempDir(t);
  writeTorrentFiles(seedDir, meta, data);
  const seeder = await startSession(t, { host: '::', utp: true, tcp: false });
  const seed = seeder.add(meta, { directory: seedDir, seedMode: true });
  await seed.start();
  const families = new Set<string>();
  const leechers = [
    { session: await startSession(t, { host: '::1', utp: true, tcp: false }), seedHost: '::1' },
    { session: await startSession(t, { host: '127.0.0.1', utp: true, tcp: false }), seedHost: '127.0.0.1' },
  ];
  seed.on('peer', () => seed.peerStats().forEach((p) => families.add(`${p.transport} ${p.host.includes(':') ? 'IPv6' : 'IPv4'}`)));
  await Promise.all(
    leechers.map(async ({ session, seedHost }) => {
      const dir = tempDir(t);
      const torrent = session.add(meta, { directory: dir });
      const done = waitForDone(torrent, 30_000);
      torrent.addPeers([{ host: seedHost, port: seeder.port }]);
      await done;
      assertSameFiles(meta, data, dir);
    }),
  );
  assert.deepEqual([...families].sort(), ['utp IPv4', 'utp IPv6']);
});

test('PEX flag 0x04 both ways: a seed flags its uTP leecher when it tells a TCP leecher of it, and that leecher marks it for uTP first', async (t) => {
  const { meta, data } = randomTorrent({ sizes: [4_000_000] });
  const seedDir = tempDir(t);
  writeTorrentFiles(seedDir, meta, data);
  // Slow enough that the first leecher is still downloading (and connected) when the second arrives.
  const seeder = await startSession(t, { utp: true, uploadLimit: 200_000 });
  const seed = seeder.add(meta, { directory: seedDir, seedMode: true });
  await seed.start();
  const overUtp = await startSession(t, { utp: true, transportRaceDelayMs: 10_000 });
  const overTcp = await startSession(t, { utp: true, transportRaceDelayMs: 10_000 });
  const first = overUtp.add(meta, { directory: tempDir(t) });
  const second = overTcp.add(meta, { directory: tempDir(t) });
  const firstIn = new Promise((resolve) => seed.once('peer', resolve));
  first.addPeers([{ host: '127.0.0.1', port: seeder.port, utp: true }]);
  await firstIn;
  // What the second leecher's dials go by (whichever of the two leechers then dials the other).
  const transport = (overTcp as unknown as { connector: { transport: Transport } }).connector.transport;
  assert.equal(transport.speaksUtp?.('127.0.0.1', overUtp.port), undefined, 'not known before the seed says so');
  second.addPeers([{ host: '127.0.0.1', port: seeder.port }]);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the seed never told of the first leecher with flag 0x04')), 30_000);
    const poll = setInterval(() => {
      if (transport.speaksUtp?.('127.0.0.1', overUtp.port) !== true) return;
      clearTimeout(timer);
      clearInterval(poll);
      resolve();
    }, 50);
  });
  assert.equal(second.peerStats().find((s) => s.port === seeder.port)?.transport, 'tcp', 'the seed itself was dialled over TCP');
  assert.equal(transport.speaksUtp?.('127.0.0.1', seeder.port), undefined);
});
