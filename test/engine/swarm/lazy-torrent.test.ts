import { test } from 'node:test';
import { createHook } from 'node:async_hooks';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Metainfo } from '../../../source/engine/metainfo/metainfo.js';
import { tempDir } from '../../helpers/tools.js';
import { assertSameFiles, randomTorrent, startSession as session, waitForDone, writeTorrentFiles } from '../../helpers/swarm.js';

const NOTHING = { storage: false, picker: false, announcer: false, parts: false, peerSet: false };

function withTracker(meta: Metainfo): Metainfo {
  // Unreachable on purpose: only the list matters here.
  return { ...meta, announce: [['http://tracker.invalid:6969/announce'], ['udp://other.invalid:1337', 'wss://not-ours.invalid']] };
}

test('a paused torrent makes no storage, picker, announcer or peer parts, and every read of it still answers', async (t) => {
  const { meta } = randomTorrent();
  const s = await session(t);
  const torrent = s.add(withTracker(meta), { directory: tempDir(t), paused: true });
  const stats = torrent.stats();
  assert.equal(stats.state, 'paused');
  assert.equal(stats.progress, 0);
  assert.equal(stats.peers, 0);
  assert.equal(stats.knownPeers, 0);
  assert.deepEqual(
    torrent.trackerStats().map((x) => [x.url, x.tier, x.status]),
    [
      ['http://tracker.invalid:6969/announce', 0, 'idle'],
      ['udp://other.invalid:1337', 1, 'idle'],
    ],
  );
  assert.deepEqual(torrent.peerStats(), []);
  const pieces = torrent.pieceStats();
  assert.equal(pieces.availability.length, meta.pieceCount);
  assert.deepEqual(pieces.downloading, []);
  assert.equal(torrent.have.count(), 0);
  assert.equal(torrent.cachedBytes, 0);
  assert.equal(torrent.root, join(torrent.directory, meta.name));
  torrent.setLimits({ download: 1000, upload: 2000 });
  torrent.setFilePriorities(new Uint8Array(meta.files.length).fill(1));
  torrent.announceNow();
  torrent.dropConnections();
  assert.deepEqual(torrent.allocated, NOTHING, 'reads and settings of a paused torrent make nothing');
  assert.throws(() => torrent.setFilePriorities(new Uint8Array(1)), RangeError, 'a wrong count is still refused');
});

test('restored paused from resume data: progress without parts; start seeds without a check, serves a leecher; stop lets the picker go', async (t) => {
  const { meta, data } = randomTorrent();
  const dir = tempDir(t);
  const resumeDir = tempDir(t);
  writeTorrentFiles(dir, meta, data);
  const resumePath = () => join(resumeDir, 'x.resume');
  const first = await session(t, { resumePath });
  const seed = first.add(meta, { directory: dir });
  await seed.start();
  assert.equal(seed.state, 'seeding');
  await seed.stop();
  await first.close();

  // The next run: the torrent comes back paused.
  const second = await session(t, { resumePath });
  const restored = second.add(meta, { directory: dir, paused: true });
  assert.equal(await restored.loadSavedProgress(), true);
  assert.equal(restored.stats().progress, 1);
  assert.equal(restored.pieceStats().have.length, Math.ceil(meta.pieceCount / 8));
  assert.deepEqual(restored.allocated, NOTHING, 'the storage made to read the resume file is let go');

  let checked = false;
  restored.on('checking', () => (checked = true));
  await restored.start();
  assert.equal(restored.state, 'seeding');
  assert.equal(checked, false, 'resume data trusted: no check');
  assert.deepEqual(
    restored.allocated,
    { storage: true, picker: false, announcer: true, parts: false, peerSet: false },
    'a seed makes its picker and peer parts for its first peer',
  );

  const leecher = await session(t);
  const leechDir = tempDir(t);
  const leech = leecher.add(meta, { directory: leechDir });
  const done = waitForDone(leech);
  leech.addPeers([{ host: '127.0.0.1', port: second.port }]);
  await done;
  assertSameFiles(meta, data, leechDir);
  assert.deepEqual(restored.allocated, { storage: true, picker: true, announcer: true, parts: true, peerSet: true });

  await restored.stop();
  assert.equal(restored.allocated.picker, false, 'the picker goes at stop');
  assert.equal(restored.stats().progress, 1, 'the pieces stay');
  await restored.start();
  assert.equal(restored.state, 'seeding', 'and a second start seeds again');
});

test('peers added to a paused torrent are kept for its start', async (t) => {
  const { meta } = randomTorrent();
  const s = await session(t);
  const torrent = s.add(meta, { directory: tempDir(t), paused: true });
  torrent.addPeers([{ host: '127.0.0.1', port: 9 }]);
  assert.equal(torrent.stats().knownPeers, 1);
  assert.equal(torrent.allocated.picker, false);
});

/** Timers alive now, ref'd or not (process.getActiveResourcesInfo() sees only ref'd ones). */
function countTimers(t: import('node:test').TestContext): { readonly size: number } {
  const live = new Set<number>();
  const hook = createHook({
    init: (id, type) => void (type === 'Timeout' && live.add(id)),
    destroy: (id) => void live.delete(id),
  }).enable();
  t.after(() => hook.disable());
  return live;
}

/** Destroy hooks run a turn or more after a clearTimeout: waits (turn by turn, 5 s at most) for the count to come down. */
async function settlesAt(live: { readonly size: number }, expected: number): Promise<number> {
  const deadline = Date.now() + 5000;
  while (live.size > expected && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
  return live.size;
}

test('stopped torrents keep no timer (DHT announcer included) and let go of their working parts, cycle after cycle', async (t) => {
  const live = countTimers(t);
  const s = await session(t, { dht: { bootstrap: [] } });
  // The session's own (the DHT's table upkeep): a few turns let its start-up timers come and go.
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  const baseline = live.size;
  const torrents = Array.from({ length: 20 }, (_, i) =>
    s.add(randomTorrent({ name: `t${i}`, sizes: [1000 + i] }).meta, { directory: tempDir(t), paused: true, seedMode: true }),
  );
  assert.equal(await settlesAt(live, baseline), baseline, 'paused torrents add no timer');
  for (let cycle = 0; cycle < 2; cycle++) {
    await Promise.all(torrents.map((x) => x.start()));
    assert.ok(live.size >= baseline + torrents.length, `running ones do (each its DHT announcer): ${live.size}`);
    await Promise.all(torrents.map((x) => x.stop()));
    assert.equal(await settlesAt(live, baseline), baseline, `cycle ${cycle}: stopped ones keep none`);
    for (const x of torrents)
      assert.deepEqual(x.allocated, { storage: false, picker: false, announcer: true, parts: false, peerSet: false });
  }
  torrents[0]!.addPeers([{ host: '127.0.0.1', port: 9 }]);
  assert.equal(torrents[0]!.stats().knownPeers, 1, 'the peer set outlives the stop');
  assert.equal(torrents[0]!.allocated.parts, false);
});
