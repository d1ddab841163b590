import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeSeedFiles } from '../../helpers/seed-files.js';
import type { Torrent } from '../../../source/engine/torrent/torrent.js';
import { tempDir } from '../../helpers/tools.js';
import { startSession } from '../../helpers/swarm.js';
import { heapUsedAfterGc } from '../../helpers/gc.js';

const seeding = (torrent: Torrent) =>
  new Promise<void>((resolve, reject) => {
    if (torrent.state === 'seeding') return resolve();
    torrent.on('state', (state) => (state === 'seeding' ? resolve() : state === 'error' ? reject(new Error(torrent.error)) : undefined));
  });

/**
 * Measured (scripts/soak/seeding-memory.mjs, bundled): 19.4 KB of heap per seeding torrent over a
 * paused one when every running torrent made its picker, peer set and working parts; 5.2 KB once
 * those wait for a first peer. Under tsx (closures cost more) this test saw ~24 KB before and ~6 KB after.
 */
const MAX_HEAP_BYTES_PER_SEEDING_TORRENT = 12 * 1024;

test('a running seeding torrent with no peers costs little more memory than a paused one, and makes its peer parts for its first peer', async (t) => {
  const count = 300;
  const data = tempDir(t);
  const metas = writeSeedFiles(data, count);
  const resumeDir = tempDir(t);
  const s = await startSession(t, { resumePath: (hash) => join(resumeDir, `${hash}.resume`) });
  s.on('warning', () => undefined);
  const torrents = metas.map((meta) => s.add(meta, { directory: data, paused: true }));
  // One started and stopped first: code and shapes made once are not counted per torrent.
  await torrents[0]!.start();
  await seeding(torrents[0]!);
  await torrents[0]!.stop();
  const paused = heapUsedAfterGc();

  const all = Promise.all(torrents.map(seeding));
  for (const torrent of torrents) void torrent.start();
  await all;
  const perTorrent = (heapUsedAfterGc() - paused) / count;
  assert.ok(
    perTorrent < MAX_HEAP_BYTES_PER_SEEDING_TORRENT,
    `${Math.round(perTorrent)} bytes of heap per seeding torrent over a paused one (at most ${MAX_HEAP_BYTES_PER_SEEDING_TORRENT})`,
  );
  assert.deepEqual(torrents[1]!.allocated, { storage: true, picker: false, announcer: true, parts: false, peerSet: false });

  // A leecher comes: the seed makes its parts and serves it.
  const leecher = await startSession(t);
  const leech = leecher.add(metas[1]!, { directory: tempDir(t) });
  const done = new Promise<void>((resolve) => leech.once('done', () => resolve()));
  leech.addPeers([{ host: '127.0.0.1', port: s.port }]);
  await done;
  assert.equal(torrents[1]!.allocated.parts, true);
  assert.equal(torrents[2]!.allocated.parts, false, 'the others still wait');
});
