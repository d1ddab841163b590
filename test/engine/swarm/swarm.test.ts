import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from '../../../source/engine/session.js';
import { tempDir } from '../../helpers/tools.js';
import { randomTorrent, waitForDone, writeTorrentFiles } from '../../helpers/swarm.js';

async function session(t: import('node:test').TestContext): Promise<Session> {
  const s = new Session({ host: '127.0.0.1', port: 0 });
  await s.listen();
  t.after(() => s.close());
  return s;
}

function assertSameFiles(meta: import('../../../source/engine/metainfo.js').Metainfo, data: Buffer, directory: string): void {
  for (const f of meta.files) {
    const got = readFileSync(join(directory, ...f.path));
    assert.ok(got.equals(data.subarray(f.offset, f.offset + f.length)), `${f.path.join('/')} differs`);
  }
}

test('a leecher downloads a multi-file torrent from an in-process seeder, byte-identical', async (t) => {
  const { meta, data } = randomTorrent();
  const seedDir = tempDir(t);
  const leechDir = tempDir(t);
  writeTorrentFiles(seedDir, meta, data);
  const seeder = await session(t);
  const seed = seeder.add(meta, { directory: seedDir });
  await seed.start();
  assert.equal(seed.state, 'seeding');

  const leecher = await session(t);
  const leech = leecher.add(meta, { directory: leechDir });
  const done = waitForDone(leech);
  leech.addPeers([{ host: '127.0.0.1', port: seeder.port }]);
  await done;
  assertSameFiles(meta, data, leechDir);
  assert.equal(leech.stats().progress, 1);
  assert.ok(seed.stats().uploaded >= meta.length, 'seeder uploaded the data');
});

test('leechers trade pieces among themselves, not only with the seeder', async (t) => {
  const { meta, data } = randomTorrent({ sizes: [2_000_003, 1_500_000], pieceLength: 64 * 1024 });
  const seedDir = tempDir(t);
  writeTorrentFiles(seedDir, meta, data);
  const seeder = await session(t);
  const seed = seeder.add(meta, { directory: seedDir, seedMode: true });
  await seed.start();
  // A slow seeder forces the leechers to fetch from each other.
  seeder.setLimits({ upload: 1024 * 1024 });

  const leechers = await Promise.all([0, 1, 2].map(() => session(t)));
  const dirs = leechers.map(() => tempDir(t));
  const torrents = leechers.map((s, i) => s.add(meta, { directory: dirs[i]! }));
  const done = Promise.all(torrents.map((tor) => waitForDone(tor, 60_000)));
  for (const tor of torrents) {
    tor.addPeers([{ host: '127.0.0.1', port: seeder.port }, ...leechers.map((s) => ({ host: '127.0.0.1', port: s.port }))]);
  }
  await done;
  for (const dir of dirs) assertSameFiles(meta, data, dir);
  const uploadedByLeechers = torrents.reduce((sum, tor) => sum + tor.stats().uploaded, 0);
  assert.ok(uploadedByLeechers > meta.length / 4, `leechers uploaded ${uploadedByLeechers} bytes to each other`);
});
