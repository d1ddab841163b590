/** uTP inside btui's own swarms: mixed with TCP, and on the UDP port it shares with the DHT. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMagnet } from '../../../source/engine/metainfo/magnet.js';
import { Session } from '../../../source/engine/session/session.js';
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
    both: await startSession(t, { utp: true }),
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
  for (const tor of torrents) tor.addPeers([{ host: '127.0.0.1', port: seeder.port }]);
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
  for (const tr of transports(leechers.both)) assert.equal(tr, 'utp', 'uTP is tried first');
});

test('a dual leecher dials uTP first, and falls back to TCP for a peer that does not answer over uTP', async (t) => {
  const { meta, data } = randomTorrent({ sizes: [500_000] });
  const seedDir = tempDir(t);
  writeTorrentFiles(seedDir, meta, data);
  for (const seederUtp of [true, false]) {
    const seeder = await startSession(t, { utp: seederUtp });
    const seed = seeder.add(meta, { directory: seedDir, seedMode: true });
    await seed.start();
    const leecher = await startSession(t, { utp: true });
    const torrent = leecher.add(meta, { directory: tempDir(t) });
    const transports = new Set<string>();
    torrent.on('tick', () => torrent.peerStats().forEach((p) => transports.add(p.transport)));
    torrent.on('piece', () => torrent.peerStats().forEach((p) => transports.add(p.transport)));
    const done = waitForDone(torrent, 30_000);
    torrent.addPeers([{ host: '127.0.0.1', port: seeder.port }]);
    await done;
    assert.deepEqual([...transports], [seederUtp ? 'utp' : 'tcp']);
  }
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
