import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExtensionHandshake } from '../../../source/engine/wire/extension.js';
import { tempDir, until } from '../../helpers/tools.js';
import { randomTorrent, startSession as session, trackDownloads, waitForDone, writeTorrentFiles } from '../../helpers/swarm.js';

test('PEX: a leecher told about one peer reaches the seeders that peer is connected to', async (t) => {
  const { meta, data } = randomTorrent({ sizes: [3_000_000, 1_000_001], pieceLength: 64 * 1024 });
  const seedDir = tempDir(t);
  writeTorrentFiles(seedDir, meta, data);
  const seeders = await Promise.all([0, 1, 2].map(() => session(t)));
  for (const s of seeders) await s.add(meta, { directory: seedDir, seedMode: true }).start();

  // The teller downloads slowly, so it cannot be the one that serves the leecher.
  const tellerSession = await session(t, { downloadLimit: 64 * 1024 });
  const teller = tellerSession.add(meta, { directory: tempDir(t) });
  await teller.start();
  teller.addPeers(seeders.map((s) => ({ host: '127.0.0.1', port: s.port })));
  await until('the teller to connect to every seeder', () => teller.stats().peers === 3);

  const leecherSession = await session(t);
  const leechDir = tempDir(t);
  const leech = leecherSession.add(meta, { directory: leechDir });
  const fromPeer = trackDownloads(leech);
  const done = waitForDone(leech, 30_000);
  leech.addPeers([{ host: '127.0.0.1', port: tellerSession.port }]);
  await done;

  for (const f of meta.files) assert.ok(readFileSync(join(leechDir, ...f.path)).equals(data.subarray(f.offset, f.offset + f.length)));
  // The leecher dials the seeders it learned of, and the seeders (which dial leechers) may reach
  // it first through the teller's PEX: either way the data came over connections PEX made.
  const fromOthers = [...fromPeer].filter(([id]) => id !== `127.0.0.1:${tellerSession.port}`).map(([, n]) => n);
  assert.ok(fromOthers.filter((n) => n > 0).length >= 2, `downloaded from peers learned by PEX: ${fromOthers.join(', ')}`);
  assert.ok(leech.stats().knownPeers >= 4, `known peers ${leech.stats().knownPeers}`);
});

test('PEX: a private torrent does not offer ut_pex', async (t) => {
  const { meta, data } = randomTorrent({ sizes: [40_000] });
  const privateMeta = { ...meta, private: true };
  const dir = tempDir(t);
  writeTorrentFiles(dir, meta, data);
  const seen: ExtensionHandshake[] = [];
  const probe = { name: 'x_probe', onPeer: (p: { remote: ExtensionHandshake }) => seen.push(p.remote), onMessage: () => undefined };
  const a = await session(t);
  const b = await session(t);
  await a.add(privateMeta, { directory: dir, seedMode: true, extensions: [probe] }).start();
  const leech = b.add(privateMeta, { directory: tempDir(t), extensions: [probe] });
  await leech.start();
  leech.addPeers([{ host: '127.0.0.1', port: a.port }]);
  await until('both extension handshakes', () => seen.length === 2);
  for (const h of seen) {
    assert.ok(h.m.x_probe, 'the other extension is negotiated');
    assert.equal(h.m.ut_pex, undefined, 'no ut_pex in a private torrent');
  }
});
