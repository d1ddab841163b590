import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Session } from '../../../source/engine/session/session.js';
import { parseMagnet, magnetURI } from '../../../source/engine/metainfo/magnet.js';
import { MetadataFetcher } from '../../../source/engine/session/metadata-fetcher.js';
import { makePeerId } from '../../../source/engine/wire/peer-id.js';
import { randomTorrent, writeTorrentFiles, waitForDone } from '../../helpers/swarm.js';
import { tempDir } from '../../helpers/tools.js';
import { startFakePeer } from './fake-metadata-peer.js';

/** An info dict spanning several 16 KiB metadata pieces (many small files make a long file list). */
function bigTorrent() {
  return randomTorrent({ sizes: Array.from({ length: 900 }, (_, i) => 10 + (i % 7)), pieceLength: 16 * 1024 });
}

test('a magnet with x.pe resolves from a btui seeder (ut_metadata installed by Session.add) and downloads', async (t) => {
  const { meta, data } = bigTorrent();
  assert.ok(meta.infoBytes.length > 2 * 16 * 1024, `info dict is ${meta.infoBytes.length} bytes`);
  const dir = tempDir(t);
  writeTorrentFiles(dir, meta, data);
  const seeder = new Session({ host: '127.0.0.1', port: 0 });
  const leecher = new Session({ host: '127.0.0.1', port: 0 });
  t.after(() => Promise.all([seeder.close(), leecher.close()]));
  await seeder.listen();
  await leecher.listen();
  await seeder.add(meta, { directory: dir, seedMode: true }).start();

  const magnet = parseMagnet(
    magnetURI({
      infoHash: meta.infoHash,
      trackers: ['http://127.0.0.1:1/announce'],
      webSeeds: ['http://127.0.0.1:1/ws/'],
      peers: [{ host: '127.0.0.1', port: seeder.port }],
    }),
  );
  const { meta: fetched, peers } = await leecher.resolveMagnet(magnet, { timeoutMs: 10_000 });
  assert.equal(fetched.infoHash, meta.infoHash);
  assert.ok(fetched.infoBytes.equals(meta.infoBytes));
  assert.deepEqual(fetched.announce, [['http://127.0.0.1:1/announce']]);
  assert.deepEqual(fetched.urlList, ['http://127.0.0.1:1/ws/']);
  assert.deepEqual(peers, [{ host: '127.0.0.1', port: seeder.port, explicit: true }], 'the magnet named it: explicit');

  const torrent = leecher.add(fetched, { directory: tempDir(t) });
  torrent.addPeers(peers);
  await waitForDone(torrent, 20_000);
});

test('the fetcher spreads pieces over several peers and assembles them', async (t) => {
  const { meta } = bigTorrent();
  const a = await startFakePeer(t, meta.infoBytes);
  const b = await startFakePeer(t, meta.infoBytes);
  const fetcher = new MetadataFetcher({ infoHash: meta.infoHashBuffer, peerId: makePeerId() });
  t.after(() => fetcher.close());
  fetcher.addPeers([
    { host: '127.0.0.1', port: a.port },
    { host: '127.0.0.1', port: b.port },
  ]);
  const info = await fetcher.result;
  assert.ok(info.equals(meta.infoBytes));
  assert.ok(a.requests.length > 0 && b.requests.length > 0, `requests: ${a.requests} / ${b.requests}`);
});

test('hostile metadata peers are dropped and honest ones still deliver', async (t) => {
  const { meta } = bigTorrent();
  const info = meta.infoBytes;
  const huge = await startFakePeer(t, info, { metadataSize: 1 << 30 });
  const wrongTotal = await startFakePeer(t, info, { answer: (_, truth) => ({ data: truth, totalSize: info.length + 1 }) });
  const shortPieces = await startFakePeer(t, info, { answer: (_, truth) => ({ data: truth.subarray(1) }) });
  const garbage = await startFakePeer(t, info, { answer: (_, truth) => ({ data: Buffer.alloc(truth.length, 0x41) }) });
  const silent = await startFakePeer(t, info, { answer: () => 'silence' });
  const rejecting = await startFakePeer(t, info, { answer: () => 'reject' });
  const fetcher = new MetadataFetcher({ infoHash: meta.infoHashBuffer, peerId: makePeerId(), requestTimeoutMs: 500 });
  t.after(() => fetcher.close());
  const banned: string[] = [];
  fetcher.on('banned', (key: string) => banned.push(key));
  const hostile = [huge, wrongTotal, shortPieces, garbage, silent, rejecting];
  fetcher.addPeers(hostile.map((p) => ({ host: '127.0.0.1', port: p.port })));
  // Let the hostile ones do their worst before the honest peer shows up.
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(fetcher.stats().pieces < fetcher.stats().pieceCount || fetcher.stats().pieceCount === 0, true);
  const honest = await startFakePeer(t, info);
  fetcher.addPeers([{ host: '127.0.0.1', port: honest.port }]);
  const result = await fetcher.result;
  assert.ok(result.equals(info));
  for (const p of [huge, wrongTotal, shortPieces, garbage])
    assert.ok(banned.includes(`127.0.0.1:${p.port}`), `banned ${banned}; expected ${p.port}`);
  assert.equal(huge.requests.length, 0, 'nothing asked of a peer claiming 1 GiB of metadata');
});

test('resolving with no reachable peers ends with a clear error at the deadline', async (t) => {
  const session = new Session({ host: '127.0.0.1', port: 0 });
  t.after(() => session.close());
  await session.listen();
  const magnet = parseMagnet(`magnet:?xt=urn:btih:${'ab'.repeat(20)}&x.pe=127.0.0.1:1`);
  const started = Date.now();
  await assert.rejects(
    session.resolveMagnet(magnet, { timeoutMs: 800 }),
    /no metadata for abab.* within 1 s \(1 peer found, 0 offered metadata; sources: 1 x\.pe, 0 trackers, no DHT\)/,
  );
  assert.ok(Date.now() - started < 3000);
});
