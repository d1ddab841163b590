import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from '../../../source/engine/session/session.js';
import type { Metainfo } from '../../../source/engine/metainfo/metainfo.js';
import type { Torrent } from '../../../source/engine/torrent/torrent.js';
import { tempDir } from '../../helpers/tools.js';
import { assertSameFiles, randomTorrent, startSession as session, waitForDone, writeTorrentFiles } from '../../helpers/swarm.js';

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

interface TradingSwarm {
  /** The one seeder's upload limit: a slow seeder makes the leechers fetch from each other. */
  seederUpload: number;
  leechers: number;
  leecherUpload?: number;
  readCacheBytes?: number;
}

/** A seeder and leechers that all know each other, run until every leecher has the data intact. */
async function tradingSwarm(t: import('node:test').TestContext, meta: Metainfo, data: Buffer, options: TradingSwarm): Promise<Torrent[]> {
  const seedDir = tempDir(t);
  writeTorrentFiles(seedDir, meta, data);
  const seeder = await session(t);
  await seeder.add(meta, { directory: seedDir, seedMode: true }).start();
  seeder.setLimits({ upload: options.seederUpload });
  const leechers = await Promise.all(
    Array.from({ length: options.leechers }, () => session(t, { readCacheBytes: options.readCacheBytes })),
  );
  if (options.leecherUpload) for (const s of leechers) s.setLimits({ upload: options.leecherUpload });
  const dirs = leechers.map(() => tempDir(t));
  const torrents = leechers.map((s, i) => s.add(meta, { directory: dirs[i]! }));
  const done = Promise.all(torrents.map((tor) => waitForDone(tor, 60_000)));
  for (const tor of torrents) {
    tor.addPeers([{ host: '127.0.0.1', port: seeder.port }, ...leechers.map((s) => ({ host: '127.0.0.1', port: s.port }))]);
  }
  await done;
  for (const dir of dirs) assertSameFiles(meta, data, dir);
  return torrents;
}

const uploadedBy = (torrents: Torrent[]) => torrents.reduce((sum, tor) => sum + tor.stats().uploaded, 0);

test('leechers trade pieces among themselves, not only with the seeder', async (t) => {
  const { meta, data } = randomTorrent({ sizes: [2_000_003, 1_500_000], pieceLength: 64 * 1024 });
  const torrents = await tradingSwarm(t, meta, data, { seederUpload: 1024 * 1024, leechers: 3 });
  assert.ok(uploadedBy(torrents) > meta.length / 4, `leechers uploaded ${uploadedBy(torrents)} bytes to each other`);
});

test('pieces larger than the read cache: uploads from recycled piece buffers stay intact', async (t) => {
  // Leechers keep each finished piece for uploading in a read cache of one piece: the next one
  // evicts it and its buffer is reused for downloading, while uploads may still be waiting to
  // send from it (limited uploads wait between reading a piece and sending it). A buffer reused
  // too early sends another piece's bytes: a hash failure.
  const { meta, data } = randomTorrent({ sizes: [40 * 1024 * 1024 + 12_345], pieceLength: 4 * 1024 * 1024, single: true });
  const torrents = await tradingSwarm(t, meta, data, {
    seederUpload: 16 * 1024 * 1024,
    leechers: 4,
    leecherUpload: 4 * 1024 * 1024,
    readCacheBytes: meta.pieceLength,
  });
  assert.ok(uploadedBy(torrents) > meta.length / 2, `leechers uploaded ${uploadedBy(torrents)} bytes to each other`);
  assert.deepEqual(
    torrents.map((tor) => tor.stats().hashFailures),
    [0, 0, 0, 0],
  );
});

test('a torrent that moves no data for a minute lets go of the pieces it kept in memory and of its open files', async (t) => {
  const { meta, data } = randomTorrent({ sizes: [3_000_000], pieceLength: 256 * 1024, single: true });
  const seedDir = tempDir(t);
  writeTorrentFiles(seedDir, meta, data);
  const seeder = await session(t);
  const seed = seeder.add(meta, { directory: seedDir, seedMode: true });
  await seed.start();
  const leecher = await session(t);
  const leech = leecher.add(meta, { directory: tempDir(t) });
  const done = waitForDone(leech);
  leech.addPeers([{ host: '127.0.0.1', port: seeder.port }]);
  await done;
  assert.ok(seed.cachedBytes > 0, 'pieces read for uploading stay cached');
  assert.ok(leech.cachedBytes > 0, 'spare piece buffers are kept for the next pieces');

  const now = Date.now();
  for (const torrent of [seed, leech]) {
    torrent.housekeep(now); // sees the last of the traffic
    torrent.housekeep(now + 30_000);
    assert.ok(torrent.cachedBytes > 0, 'half a minute idle: still kept');
    assert.ok(torrent.storage.openFiles > 0, 'half a minute idle: files still open');
    torrent.housekeep(now + 61_000);
    assert.equal(torrent.cachedBytes, 0);
    assert.equal(torrent.storage.openFiles, 0);
  }
  // Reads open the file again.
  const first = await seed.storage.read(0, 0, 16384);
  assert.ok(first.equals(data.subarray(0, 16384)));
  assert.equal(seed.storage.openFiles, 1);
});

test('a skipped file (priority 0) is not downloaded; the rest completes', async (t) => {
  const { meta, data } = randomTorrent({ sizes: [300_000, 400_000, 300_000], pieceLength: 32 * 1024 });
  const seedDir = tempDir(t);
  const leechDir = tempDir(t);
  writeTorrentFiles(seedDir, meta, data);
  const seeder = await session(t);
  await seeder.add(meta, { directory: seedDir, seedMode: true }).start();
  const leecher = await session(t);
  const leech = leecher.add(meta, { directory: leechDir, filePriorities: Uint8Array.from([1, 0, 1]) });
  const done = waitForDone(leech);
  leech.addPeers([{ host: '127.0.0.1', port: seeder.port }]);
  await done;
  const [first, skipped, last] = meta.files;
  for (const f of [first!, last!]) {
    assert.ok(readFileSync(join(leechDir, ...f.path)).equals(data.subarray(f.offset, f.offset + f.length)));
  }
  assert.equal(existsSync(join(leechDir, ...skipped!.path)), false, 'the skipped file was never created');
  assert.ok(leech.stats().progress < 1, 'the torrent as a whole is not complete');
});

test('sequential mode downloads pieces in order', async (t) => {
  const { meta, data } = randomTorrent({ sizes: [1_000_000], pieceLength: 16 * 1024 });
  const seedDir = tempDir(t);
  writeTorrentFiles(seedDir, meta, data);
  const seeder = await session(t);
  await seeder.add(meta, { directory: seedDir, seedMode: true }).start();
  const leecher = await session(t);
  const leech = leecher.add(meta, { directory: tempDir(t), sequential: true });
  const order: number[] = [];
  leech.on('piece', (i: number) => order.push(i));
  const done = waitForDone(leech);
  leech.addPeers([{ host: '127.0.0.1', port: seeder.port }]);
  await done;
  assert.equal(order.length, meta.pieceCount);
  // Requests are pipelined, so completions may interleave a little, but never jump far ahead.
  const outOfOrder = order.filter((piece, i) => Math.abs(piece - i) > 40).length;
  assert.equal(outOfOrder, 0, `pieces far out of order: ${order.join(',')}`);
});

test('a finished download restarts from its resume data: no recheck, nothing fetched again', async (t) => {
  const { meta, data } = randomTorrent({ sizes: [300_000, 200_000] });
  const seedDir = tempDir(t);
  const leechDir = tempDir(t);
  const home = tempDir(t);
  writeTorrentFiles(seedDir, meta, data);
  const seeder = await session(t);
  await seeder.add(meta, { directory: seedDir, seedMode: true }).start();
  for (let run = 0; run < 2; run++) {
    const s = new Session({ host: '127.0.0.1', port: 0, resumePath: (hash) => join(home, `${hash}.resume`) });
    await s.listen();
    const torrent = s.add(meta, { directory: leechDir, paused: true });
    let checkEvents = 0;
    torrent.on('checking', () => checkEvents++);
    const done = waitForDone(torrent);
    await torrent.start();
    torrent.addPeers([{ host: '127.0.0.1', port: seeder.port }]);
    await done;
    // Closing right after completion must still leave resume data behind.
    await s.close();
    if (run === 1) {
      assert.equal(checkEvents, 0, 'the second start trusted its resume data');
      assert.equal(torrent.stats().downloaded, 0);
    }
  }
});
