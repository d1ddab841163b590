import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Limiter } from '../../../source/engine/discovery/tracker/limiter.js';
import { Housekeeper } from '../../../source/engine/torrent/housekeeper.js';
import { Torrent } from '../../../source/engine/torrent/torrent.js';
import type { Metainfo } from '../../../source/engine/metainfo/metainfo.js';
import { tempDir } from '../../helpers/tools.js';
import { randomTorrent, writeTorrentFiles } from '../../helpers/swarm.js';

function makeTorrent(t: import('node:test').TestContext, meta: Metainfo, directory: string, checkLimiter: Limiter, resumePath?: string) {
  const torrent = new Torrent(
    { ...meta, announce: [] },
    { directory, peerId: Buffer.alloc(20, 7), listenPort: () => 6881, checkLimiter, resumePath, housekeeper: new Housekeeper() },
  );
  torrent.on('warning', () => undefined);
  t.after(() => torrent.stop());
  return torrent;
}

const seeding = (torrent: Torrent) =>
  new Promise<void>((resolve, reject) => {
    if (torrent.state === 'seeding') return resolve();
    torrent.on('state', (state) => (state === 'seeding' ? resolve() : state === 'error' ? reject(new Error(torrent.error)) : undefined));
  });

test('full checks run at most as many at once as the limiter allows; every torrent still ends seeding', async (t) => {
  const limiter = new Limiter(2);
  let most = 0;
  // Counted apart from the limiter too: from a torrent's first progress report to the end of its check.
  let checking = 0;
  let mostSeen = 0;
  const torrents = Array.from({ length: 6 }, (_, i) => {
    const { meta, data } = randomTorrent({ name: `c${i}`, sizes: [200_000 + i] });
    const dir = tempDir(t);
    writeTorrentFiles(dir, meta, data);
    const torrent = makeTorrent(t, meta, dir, limiter);
    let reported = false;
    torrent.on('checking', () => {
      most = Math.max(most, limiter.active);
      if (!reported) mostSeen = Math.max(mostSeen, ++checking);
      reported = true;
    });
    torrent.on('state', (state) => void (reported && state !== 'checking' && checking--));
    return torrent;
  });
  const all = Promise.all(torrents.map(seeding));
  for (const torrent of torrents) void torrent.start();
  await all;
  assert.ok(most >= 1 && most <= 2, `checks at once: ${most}`);
  assert.ok(mostSeen <= 2, `torrents checking at once: ${mostSeen}`);
  assert.equal(limiter.active, 0);
});

test('a torrent stopped while it waits for a check slot checks nothing and saves no resume data; started again, it checks and seeds', async (t) => {
  const limiter = new Limiter(1);
  let release!: () => void;
  const held = limiter.run(() => new Promise<void>((resolve) => (release = resolve)));
  const { meta, data } = randomTorrent({ name: 'waiting', sizes: [100_000] });
  const dir = tempDir(t);
  writeTorrentFiles(dir, meta, data);
  const resumePath = join(tempDir(t), 'waiting.resume');
  const torrent = makeTorrent(t, meta, dir, limiter, resumePath);
  let progress = 0;
  torrent.on('checking', () => progress++);
  void torrent.start();
  assert.equal(torrent.state, 'checking');
  const stopped = torrent.stop();
  release();
  await Promise.all([held, stopped]);
  assert.equal(torrent.state, 'paused');
  assert.equal(progress, 0, 'no check ran');
  assert.equal(existsSync(resumePath), false, 'no resume data saved for pieces never checked');

  const done = seeding(torrent);
  void torrent.start();
  await done;
  assert.ok(progress > 0);
  assert.equal(torrent.have.count(), meta.pieceCount);
});

test('a torrent stopped while its check runs keeps what the check found: its resume data has every piece, and a seed-only start seeds from it', async (t) => {
  const { meta, data } = randomTorrent({ name: 'cut-short', pieceLength: 16384, sizes: [400_000] });
  const dir = tempDir(t);
  writeTorrentFiles(dir, meta, data);
  const resumePath = join(tempDir(t), 'cut-short.resume');
  const torrent = makeTorrent(t, meta, dir, new Limiter(1), resumePath);
  const checkBegan = new Promise<void>((resolve) => torrent.once('checking', () => resolve()));
  void torrent.start();
  await checkBegan;
  await torrent.stop();
  assert.equal(torrent.have.count(), meta.pieceCount, 'the pieces the check found');

  let checks = 0;
  torrent.on('checking', () => checks++);
  const settled = new Promise<string>((resolve) =>
    torrent.on('state', (state) => void (state === 'seeding' || state === 'paused' ? resolve(state) : undefined)),
  );
  void torrent.start({ seedOnly: true });
  assert.equal(await settled, 'seeding', 'its resume data says complete');
  assert.equal(checks, 0, 'and nothing was checked again');
});

test('stopped while its check runs and started seed-only before the stop is over, a torrent seeds from what that check found', async (t) => {
  const { meta, data } = randomTorrent({ name: 'restarted', pieceLength: 16384, sizes: [400_000] });
  const dir = tempDir(t);
  writeTorrentFiles(dir, meta, data);
  const torrent = makeTorrent(t, meta, dir, new Limiter(1), join(tempDir(t), 'restarted.resume'));
  const checkBegan = new Promise<void>((resolve) => torrent.once('checking', () => resolve()));
  void torrent.start();
  await checkBegan;
  const stopped = torrent.stop();
  const settled = new Promise<string>((resolve) =>
    torrent.on('state', (state) => void (state === 'seeding' || state === 'paused' ? resolve(state) : undefined)),
  );
  void torrent.start({ seedOnly: true });
  await stopped;
  assert.equal(await settled, 'seeding');
  assert.equal(torrent.have.count(), meta.pieceCount);
});
