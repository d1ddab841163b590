import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { sessionForEditing } from '../helpers/saved-session.js';
import { openService } from '../helpers/service.js';
import { randomTorrent, writeTorrentFiles } from '../helpers/swarm.js';
import { tempDir, until } from '../helpers/tools.js';

const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

test('startNow: a torrent runs past a full queue, no queue pass stops it, and stopped it is back under the queue', async (t) => {
  const dir = tempDir(t);
  const s = openService(dir, { t, maxActiveDownloads: 1 });
  const hashes: string[] = [];
  for (let i = 0; i < 3; i++)
    hashes.push(
      await s.service.addMetainfo(randomTorrent({ name: `now${i}`, sizes: [20_000] }).meta, { addedAt: 1000 + i, ephemeral: true }),
    );
  const running = () => hashes.map((h) => s.session.get(h)!.isRunning);
  assert.deepEqual(running(), [true, false, false]);
  assert.equal(s.service.summary(hashes[2]!)!.state, 'queued');

  await s.service.startNow(hashes[2]!);
  assert.deepEqual(running(), [true, false, true], 'it runs although the one slot is taken, and takes no slot from the running one');
  assert.notEqual(s.service.summary(hashes[2]!)!.state, 'queued');

  // Queue passes: a new limit, a priority change, a state change.
  s.service.setMaxActiveDownloads(1);
  await s.service.setPriority(hashes[1]!, 3);
  await settle();
  assert.equal(s.session.get(hashes[2]!)!.isRunning, true, 'no queue pass stops it');
  assert.deepEqual(running(), [false, true, true], 'the high-priority one took the slot; the forced one kept running');

  await s.service.startNow(99_999);
  await s.service.stop(hashes[2]!);
  await s.service.start(hashes[2]!);
  await settle();
  assert.equal(s.session.get(hashes[2]!)!.isRunning, false, 'stopped and started again, it waits for a slot like any other');
  assert.equal(s.service.summary(hashes[2]!)!.state, 'queued');
});

test('queue positions: a move or a priority change reports every torrent whose place shifted, and no other', async (t) => {
  const dir = tempDir(t);
  const s = openService(dir, { t });
  const hashes: string[] = [];
  for (let i = 0; i < 5; i++)
    hashes.push(
      await s.service.addMetainfo(randomTorrent({ name: `pos${i}`, sizes: [1000] }).meta, {
        addedAt: 1000 + i,
        paused: true,
        ephemeral: true,
      }),
    );
  const ids = hashes.map((h) => s.service.ref(h)!.id);
  const positions = () => hashes.map((h) => s.service.summary(h)!.queuePosition);
  const changed: number[] = [];
  s.service.on('torrent-changed', (ref) => changed.push(ref.id));
  const expectChanged = async (work: () => Promise<void>, expected: number[], message: string) => {
    const cursor = s.service.cursor();
    changed.length = 0;
    await work();
    assert.deepEqual(s.service.changes(cursor).changed, expected, message);
    assert.deepEqual(
      [...new Set(changed)].sort((a, b) => a - b),
      expected,
      `${message} (events)`,
    );
  };
  assert.deepEqual(positions(), [0, 1, 2, 3, 4]);

  await expectChanged(
    () => s.service.setQueuePosition(hashes[3]!, 1),
    [ids[1]!, ids[2]!, ids[3]!],
    'moved to 1: the ones between shift down',
  );
  assert.deepEqual(positions(), [0, 2, 3, 1, 4]);
  await expectChanged(
    () => s.service.setQueuePosition(hashes[0]!, 4),
    [...ids].sort((a, b) => a - b),
    'moved from the front to the end: every other one shifts up',
  );
  assert.deepEqual(positions(), [4, 1, 2, 0, 3]);
  await expectChanged(
    () => s.service.setPriority(hashes[4]!, 3),
    [ids[1]!, ids[2]!, ids[3]!, ids[4]!],
    'high priority: first; those it passed shift down',
  );
  assert.deepEqual(positions(), [4, 2, 3, 1, 0]);
  await expectChanged(() => s.service.setLabels(hashes[2]!, ['x']), [ids[2]!], 'a label moves nothing');
});

test('added running while every download slot is taken: a torrent whose data is complete on disk seeds at once; one with pieces missing is checked, announces nothing and waits its turn', async (t) => {
  const dir = tempDir(t);
  const downloads = join(dir, 'dl');
  const s = openService(dir, { t, maxActiveDownloads: 1 });
  // No data anywhere and no peers: it holds the one slot, downloading, for the whole test.
  const holder = await s.service.addMetainfo(randomTorrent({ name: 'holder', sizes: [20_000] }).meta, { directory: downloads });
  assert.equal(s.session.get(holder)!.isRunning, true);

  const complete = randomTorrent({ name: 'complete', sizes: [50_000, 30_000] });
  writeTorrentFiles(downloads, complete.meta, complete.data);
  const partial = randomTorrent({ name: 'partial', sizes: [40_000, 40_000], pieceLength: 16_384 });
  writeTorrentFiles(downloads, partial.meta, partial.data);
  const damaged = partial.meta.files[1]!;
  writeFileSync(join(downloads, ...damaged.path), Buffer.alloc(damaged.length));
  const nothing = randomTorrent({ name: 'nothing', sizes: [10_000] });

  const completeHash = await s.service.addMetainfo(complete.meta, { directory: downloads });
  const partialHash = await s.service.addMetainfo(partial.meta, { directory: downloads });
  const nothingHash = await s.service.addMetainfo(nothing.meta, { directory: downloads });

  await until('the complete one seeds', () => s.service.summary(completeHash)!.state === 'seeding', 30_000);
  await until(
    'the partial one is checked and back in the queue',
    () => s.service.summary(partialHash)!.state === 'queued' && s.session.get(partialHash)!.piecesKnown,
    30_000,
  );
  const partialTorrent = s.session.get(partialHash)!;
  assert.equal(partialTorrent.isRunning, false);
  const progress = s.service.summary(partialHash)!.progress;
  assert.ok(progress > 0 && progress < 1, `the check's find is kept: progress ${progress}`);
  assert.equal(partialTorrent.allocated.announcer, false, 'its check announced nothing');
  assert.equal(s.service.summary(nothingHash)!.state, 'queued', 'no data on disk: it waits for a slot without a check');
  assert.equal(s.session.get(nothingHash)!.isRunning, false);
  assert.equal(s.session.get(holder)!.isRunning, true, 'the slot holder was never stopped');

  // The slot frees: the partial one, added first, takes it and downloads without checking again.
  let checkedAgain = false;
  partialTorrent.on('checking', () => (checkedAgain = true));
  await s.service.stop(holder);
  await until('the partial one downloads', () => partialTorrent.isRunning && partialTorrent.state === 'downloading', 30_000);
  assert.equal(checkedAgain, false, 'its resume data was read, not the data');
  assert.equal(s.service.summary(nothingHash)!.state, 'queued');
});

test('restored running without resume data or a completion, a torrent whose data is on disk is checked seed-only and seeds while the one slot is taken', async (t) => {
  const dir = tempDir(t);
  const downloads = join(dir, 'dl');
  const complete = randomTorrent({ name: 'restored', sizes: [30_000] });
  writeTorrentFiles(downloads, complete.meta, complete.data);
  const first = openService(dir, { t, maxActiveDownloads: 1 });
  const holder = await first.service.addMetainfo(randomTorrent({ name: 'holder', sizes: [20_000] }).meta, { directory: downloads });
  const hash = await first.service.addMetainfo(complete.meta, { directory: downloads });
  await until('it seeds', () => first.service.summary(hash)!.state === 'seeding', 30_000);
  await first.close();

  // As if the daemon had stopped before its check ended: no resume data, no completion saved.
  rmSync(first.resume(hash), { force: true });
  const path = join(dir, 'state', 'session.json');
  const raw = sessionForEditing(path);
  for (const record of raw.torrents) if (record['infoHash'] === hash) delete record['completedAt'];
  writeFileSync(path, JSON.stringify(raw));

  const second = openService(dir, { t, maxActiveDownloads: 1 });
  assert.equal(await second.service.restore(), 2);
  await until('it seeds again', () => second.service.summary(hash)!.state === 'seeding', 30_000);
  assert.equal(second.session.get(holder)!.isRunning, true, 'the holder kept the slot');
});

test('queue positions: a start from the queue changes no other torrent, as in Transmission (positions span all torrents and are not renumbered)', async (t) => {
  const dir = tempDir(t);
  const written: string[] = [];
  const s = openService(dir, {
    t,
    maxActiveDownloads: 2,
    beforeSessionWrite: async (write) => void written.push(...write.hashes),
  });
  const hashes: string[] = [];
  for (let i = 0; i < 30; i++)
    hashes.push(await s.service.addMetainfo(randomTorrent({ name: `w${i}`, sizes: [20_000] }).meta, { addedAt: 1000 + i }));
  const summaries = () => hashes.map((h) => s.service.summary(h)!);
  await until('the first two downloading', () => summaries().filter((x) => x.state === 'downloading').length === 2);
  const positions = summaries().map((x) => x.queuePosition);
  assert.deepEqual(positions, [...hashes.keys()], 'every torrent has a place, the running ones too');
  const changed = new Set<number>();
  s.service.on('torrent-changed', (ref) => changed.add(ref.id));
  const cursor = s.service.cursor();
  await s.service.save();
  written.length = 0;

  await s.service.stop(hashes[0]!);
  await until('the next one started', () => s.session.get(hashes[2]!)!.isRunning);
  assert.deepEqual(
    summaries().map((x) => x.queuePosition),
    positions,
    'no position moved',
  );
  const expected = [s.service.ref(hashes[0]!)!.id, s.service.ref(hashes[2]!)!.id];
  assert.deepEqual(s.service.changes(cursor).changed, expected, 'only the stopped one and the started one changed');
  assert.deepEqual(
    [...changed].sort((a, b) => a - b),
    expected,
    'and only they were reported (what an RPC client re-reads)',
  );
  await s.service.save();
  assert.ok(written.includes(hashes[0]!), 'the paused one was saved');
  assert.deepEqual(
    written.filter((h) => h !== hashes[0] && h !== hashes[2]),
    [],
    'no other torrent was saved again (the started one may be, for its clock)',
  );
});
