/**
 * Peer exchange with libtorrent: a btui leecher told about one libtorrent peer reaches the
 * seeders that peer names in its ut_pex messages, and a libtorrent leecher told about one
 * btui peer reaches the seeders btui names.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMetainfo } from '../../source/engine/metainfo/metainfo.js';
import { needs, tempDir, until } from '../helpers/tools.js';
import { startLibtorrentPeer } from '../helpers/libtorrent-peer.js';
import { assertSameTree, makeDataDir, mktorrent } from '../helpers/torrent-files.js';
import { startSession as session, trackDownloads, waitForDone } from '../helpers/swarm.js';

const TOOLS = { commands: ['mktorrent'], libtorrent: true };

function fixture(t: import('node:test').TestContext) {
  const dataParent = tempDir(t);
  const expected = makeDataDir(join(dataParent, 'pex'), [2_500_000, 1_000_003]);
  const torrentPath = join(tempDir(t), 'pex.torrent');
  mktorrent(join(dataParent, 'pex'), torrentPath, { pieceLengthLog2: 16 });
  return { dataParent, expected, torrentPath, meta: parseMetainfo(readFileSync(torrentPath)) };
}

test('PEX: btui learns the swarm from a libtorrent peer', async (t) => {
  if (!needs(t, TOOLS)) return;
  const f = fixture(t);
  // Seeders limited to the same rate, so no one of them serves it all before the others are found.
  const seeders = await Promise.all(['127.0.0.2', '127.0.0.3'].map((host) => session(t, { host, uploadLimit: 400_000 })));
  for (const s of seeders) await s.add(f.meta, { directory: f.dataParent, seedMode: true }).start();
  const ltSeeder = await startLibtorrentPeer(t, {
    torrentPath: f.torrentPath,
    savePath: f.dataParent,
    mode: 'seed',
    listenHost: '127.0.0.4',
    uploadLimit: 400_000,
  });
  const sources = [...seeders.map((s, i) => ({ host: `127.0.0.${i + 2}`, port: s.port })), { host: ltSeeder.host, port: ltSeeder.port }];
  // A slow libtorrent leecher that knows every seeder: the only peer btui is told about.
  const teller = await startLibtorrentPeer(t, {
    torrentPath: f.torrentPath,
    savePath: tempDir(t),
    mode: 'leech',
    listenHost: '127.0.0.5',
    downloadLimit: 40_000,
    extraPeers: sources,
  });
  await until('libtorrent to connect to the seeders', () => (teller.lastStatus?.num_peers ?? 0) >= 3, 15_000);

  const leecher = await session(t, { host: '127.0.0.1' });
  const out = tempDir(t);
  const torrent = leecher.add(f.meta, { directory: out });
  const fromPeer = trackDownloads(torrent);
  const done = waitForDone(torrent, 45_000);
  torrent.addPeers([{ host: teller.host, port: teller.port }]);
  await done;
  assertSameTree(f.expected, join(out, 'pex'));
  // By host: btui seeders dial leechers they hear of (from the same address: --host binds dials
  // too), so a seeder's bytes may come over a connection it made, from another port.
  const fromHost = (host: string) => Math.max(0, ...[...fromPeer].filter(([id]) => id.startsWith(`${host}:`)).map(([, n]) => n));
  const fromSeeders = sources.map((s) => fromHost(s.host));
  assert.ok(fromSeeders.filter((n) => n > 0).length >= 2, `bytes from the seeders libtorrent named: ${fromSeeders.join(', ')}`);
});

test('PEX: libtorrent learns the swarm from a btui peer', async (t) => {
  if (!needs(t, TOOLS)) return;
  const f = fixture(t);
  const seeders = await Promise.all(['127.0.0.2', '127.0.0.3'].map((host) => session(t, { host })));
  for (const s of seeders) await s.add(f.meta, { directory: f.dataParent, seedMode: true }).start();
  const tellerSession = await session(t, { host: '127.0.0.4', downloadLimit: 40_000 });
  const teller = tellerSession.add(f.meta, { directory: tempDir(t) });
  await teller.start();
  teller.addPeers(seeders.map((s, i) => ({ host: `127.0.0.${i + 2}`, port: s.port })));
  await until('btui to connect to the seeders', () => teller.stats().peers === 2, 10_000);

  const out = tempDir(t);
  const leecher = await startLibtorrentPeer(t, {
    torrentPath: f.torrentPath,
    savePath: out,
    mode: 'leech',
    listenHost: '127.0.0.5',
    extraPeers: [{ host: '127.0.0.4', port: tellerSession.port }],
  });
  let most = 0;
  const watch = setInterval(() => (most = Math.max(most, leecher.lastStatus?.num_peers ?? 0)), 50);
  t.after(() => clearInterval(watch));
  await leecher.waitFor('finished', 45_000);
  assertSameTree(f.expected, join(out, 'pex'));
  assert.ok(most >= 3, `libtorrent was connected to at most ${most} peers`);
});
