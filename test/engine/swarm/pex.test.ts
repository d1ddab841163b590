import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session, type SessionOptions } from '../../../source/engine/session.js';
import type { ExtensionHandshake } from '../../../source/engine/wire/extension.js';
import type { Torrent } from '../../../source/engine/torrent.js';
import { tempDir } from '../../helpers/tools.js';
import { randomTorrent, waitForDone, writeTorrentFiles } from '../../helpers/swarm.js';

async function session(t: import('node:test').TestContext, options: SessionOptions = {}): Promise<Session> {
  const s = new Session({ host: '127.0.0.1', port: 0, ...options });
  await s.listen();
  t.after(() => s.close());
  return s;
}

async function until(what: string, done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Bytes this torrent received from each peer, as its peer list showed them last. */
function trackDownloads(torrent: Torrent): Map<string, number> {
  const seen = new Map<string, number>();
  const sample = () => {
    for (const p of torrent.peerStats()) seen.set(`${p.host}:${p.port}`, Math.max(seen.get(`${p.host}:${p.port}`) ?? 0, p.downloaded));
  };
  torrent.on('piece', sample);
  torrent.on('tick', sample);
  return seen;
}

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
  const fromSeeders = seeders.map((s) => fromPeer.get(`127.0.0.1:${s.port}`) ?? 0);
  assert.ok(fromSeeders.filter((n) => n > 0).length >= 2, `downloaded from seeders learned by PEX: ${fromSeeders.join(', ')}`);
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
