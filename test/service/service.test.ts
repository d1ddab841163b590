import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readSessionFile, writeSessionFile } from '../../source/session-state/session-file.js';
import type { SessionWrite, TorrentRef } from '../../source/service/types.js';
import { openService } from '../helpers/service.js';
import { randomTorrent, startSeeder, waitForDone, writeTorrentFiles } from '../helpers/swarm.js';
import { tempDir } from '../helpers/tools.js';
import { sessionForEditing } from '../helpers/saved-session.js';

/** What the disk holds now: session.json with its journal replayed. */
const savedHashes = async (path: string): Promise<string[]> => (await readSessionFile(path)).session.torrents.map((x) => x.infoHash);

test('an acknowledged add is on disk (session.json and its journal) when its promise resolves', async (t) => {
  const dir = tempDir(t);
  // Slow writes: an add that resolved before its write landed would be caught reading the file.
  const s = openService(dir, { t, beforeSessionWrite: () => new Promise((resolve) => setTimeout(resolve, 30)) });
  for (let i = 0; i < 3; i++) {
    const hash = await s.service.addMetainfo(randomTorrent({ name: `durable-${i}`, sizes: [1000] }).meta, { paused: true });
    assert.ok((await savedHashes(s.service.sessionPath)).includes(hash), `add ${i} acknowledged before it was saved`);
  }
  const magnet = await s.service.addMagnet('ab'.repeat(20), { paused: true });
  assert.ok((await savedHashes(s.service.sessionPath)).includes(magnet!), 'a magnet too');
  await s.service.setLabels(magnet!, ['x']);
  assert.deepEqual(
    (await readSessionFile(s.service.sessionPath)).session.torrents.at(-1)!.labels,
    ['x'],
    'settings are saved before they resolve too',
  );
});

test('a burst of adds shares writes; each is acknowledged only once the disk holds it; after the first, writes append only what changed', async (t) => {
  const dir = tempDir(t);
  const writes: SessionWrite[] = [];
  const s = openService(dir, {
    t,
    beforeSessionWrite: async (write) => {
      writes.push(write);
      await new Promise((resolve) => setTimeout(resolve, 10));
    },
  });
  const metas = Array.from({ length: 200 }, (_, i) => randomTorrent({ name: `burst-${i}`, sizes: [100] }).meta);
  const missing: string[] = [];
  await Promise.all(
    metas.map(async (meta) => {
      const hash = await s.service.addMetainfo(meta, { paused: true });
      if (!(await savedHashes(s.service.sessionPath)).includes(hash)) missing.push(hash);
    }),
  );
  assert.deepEqual(missing, [], 'acknowledged before the disk held them');
  assert.ok(writes.length <= 10, `${writes.length} writes for 200 adds`);
  assert.equal(writes[0]!.kind, 'compaction', 'the first write is whole');
  assert.ok(
    writes.slice(1).every((w) => w.kind === 'journal'),
    `then appends: ${writes.map((w) => `${w.kind} ${w.hashes.length}`).join(', ')}`,
  );
  assert.equal(
    writes.reduce((sum, w) => sum + w.hashes.length, 0),
    200,
    'each torrent written once: no write repeats one an earlier write saved',
  );
  assert.equal((await savedHashes(s.service.sessionPath)).length, 200);
});

test('a failed write is not an acknowledgement: the add rejects and the error is logged', async (t) => {
  const dir = tempDir(t);
  let fail = true;
  const s = openService(dir, {
    t,
    beforeSessionWrite: async () => {
      if (fail) throw new Error('disk on fire');
    },
  });
  await assert.rejects(s.service.addMetainfo(randomTorrent({ name: 'unsaved', sizes: [100] }).meta, { paused: true }), /disk on fire/);
  s.store.refresh();
  assert.ok(s.store.getSnapshot().log.some((e) => e.level === 'error' && e.text === 'cannot save the session: disk on fire'));
  fail = false;
  const hash = await s.service.addMetainfo(randomTorrent({ name: 'saved', sizes: [100] }).meta, { paused: true });
  assert.equal((await savedHashes(s.service.sessionPath)).length, 2, 'the next write covers both');
  assert.ok((await savedHashes(s.service.sessionPath)).includes(hash));
});

test('labels, seed goals and per-torrent limits survive a restart; files without them read as defaults', async (t) => {
  const dir = tempDir(t);
  const first = openService(dir);
  const a = await first.service.addMetainfo(randomTorrent({ name: 'tagged', sizes: [1000] }).meta, { paused: true, labels: ['movies'] });
  const b = await first.service.addMetainfo(randomTorrent({ name: 'plain', sizes: [1000] }).meta, { paused: true });
  await first.service.set(a, {
    labels: [' movies ', 'hd', 'movies', '', 'a,b'],
    seedRatioLimit: 1.5,
    seedRatioMode: 'single',
    seedIdleLimit: 45,
    seedIdleMode: 'unlimited',
    downloadLimit: 100_000,
    uploadLimit: 50_000,
  });
  assert.deepEqual(first.service.summary(a)!.labels, ['movies', 'hd', 'a b'], 'trimmed, once each, no empty ones, no commas');
  assert.equal(first.session.get(a)!.stats().state, 'paused');
  await first.close();

  // An older file: the same entry for b without any of the new fields.
  const path = join(dir, 'state', 'session.json');
  const raw = sessionForEditing(path);
  for (const key of ['labels', 'seedRatioLimit', 'seedRatioMode', 'seedIdleLimit', 'seedIdleMode', 'downloadLimit', 'uploadLimit'])
    delete raw.torrents[1][key];
  writeFileSync(path, JSON.stringify(raw));

  const second = openService(dir, { t });
  assert.equal(await second.service.restore(), 2);
  const sa = second.service.summary(a)!;
  assert.deepEqual(
    [sa.labels, sa.seedRatioLimit, sa.seedRatioMode, sa.seedIdleLimit, sa.seedIdleMode, sa.downloadLimit, sa.uploadLimit],
    [['movies', 'hd', 'a b'], 1.5, 'single', 45, 'unlimited', 100_000, 50_000],
  );
  const sb = second.service.summary(b)!;
  assert.deepEqual([sb.labels, sb.seedRatioMode, sb.seedIdleMode, sb.downloadLimit, sb.uploadLimit], [[], 'global', 'global', 0, 0]);
});

test('seed goals: a complete torrent stops at its ratio or after its idle minutes; unlimited never; global follows the service', async (t) => {
  const dir = tempDir(t);
  const s = openService(dir, { t, seedCheckMs: 0 });
  const torrents = ['ratio', 'idle', 'unlimited', 'global'].map((name) => randomTorrent({ name, sizes: [5000] }));
  const hashes: string[] = [];
  for (const { meta, data } of torrents) {
    writeTorrentFiles(join(dir, 'dl'), meta, data);
    const hash = await s.service.addMetainfo(meta, {});
    await waitForDone(s.session.get(hash)!, 10_000);
    hashes.push(hash);
  }
  const [ratio, idle, unlimited, global] = hashes as [string, string, string, string];
  await s.service.setSeedGoals(ratio, { seedRatioMode: 'single', seedRatioLimit: 0 });
  await s.service.setSeedGoals(idle, { seedIdleMode: 'single', seedIdleLimit: 1 });
  await s.service.setSeedGoals(unlimited, { seedRatioMode: 'unlimited', seedIdleMode: 'unlimited' });
  s.service.setGlobalSeedGoals({ idleMinutes: 10 });
  const now = Date.now();
  assert.deepEqual(s.service.checkSeedGoals(now), [ratio], 'ratio 0 is reached at once');
  assert.deepEqual(s.service.checkSeedGoals(now + 30_000), [], 'idle half a minute');
  assert.deepEqual(s.service.checkSeedGoals(now + 61_000), [idle], 'idle a minute');
  assert.deepEqual(s.service.checkSeedGoals(now + 11 * 60_000), [global], 'the global goal of 10 minutes');
  assert.deepEqual(s.service.checkSeedGoals(now + 1000 * 60_000), [], 'unlimited seeds on');
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(
    hashes.map((h) => s.session.get(h)!.isRunning),
    [false, false, true, false],
  );
  assert.deepEqual(
    hashes.map((h) => s.service.summary(h)!.userPaused),
    [true, true, false, true],
    'stopped as if paused: it stays stopped after a restart',
  );
  s.store.refresh();
  assert.ok(s.store.getSnapshot().log.some((e) => e.text === 'ratio reached its seed ratio 0: stopped'));
  assert.ok(s.store.getSnapshot().log.some((e) => e.text === 'idle was idle 1 min: stopped seeding'));
});

test('seed goal: the ratio counts uploads of earlier runs', async (t) => {
  const dir = tempDir(t);
  const { meta, data } = randomTorrent({ name: 'uploaded-before', sizes: [10_000] });
  writeTorrentFiles(join(dir, 'dl'), meta, data);
  const first = openService(dir);
  await first.service.addMetainfo(meta, { paused: true });
  await first.service.setSeedGoals(meta.infoHash, { seedRatioMode: 'single', seedRatioLimit: 2 });
  await first.close();
  const path = join(dir, 'state', 'session.json');
  const raw = sessionForEditing(path);
  raw.torrents[0].paused = false;
  raw.torrents[0].uploaded = 19_000;
  writeFileSync(path, JSON.stringify(raw));

  const second = openService(dir, { t, seedCheckMs: 0 });
  await second.service.restore();
  await waitForDone(second.session.get(meta.infoHash)!, 10_000);
  assert.deepEqual(second.service.checkSeedGoals(), [], '1.9 < 2');
  await second.close();
  raw.torrents[0].uploaded = 20_000;
  writeFileSync(path, JSON.stringify(raw));
  const third = openService(dir, { t, seedCheckMs: 0 });
  await third.service.restore();
  await waitForDone(third.session.get(meta.infoHash)!, 10_000);
  assert.deepEqual(third.service.checkSeedGoals(), [meta.infoHash], '2.0 reached');
});

test('ids: small, stable across changes, never reused; changes(since) names what changed and what was removed', async (t) => {
  const dir = tempDir(t);
  const s = openService(dir, { t });
  const added: TorrentRef[] = [];
  s.service.on('torrent-added', (ref) => added.push(ref));
  const metas = [0, 1, 2].map((i) => randomTorrent({ name: `id-${i}`, sizes: [1000, 2000] }).meta);
  for (const meta of metas) await s.service.addMetainfo(meta, { paused: true, ephemeral: true });
  const ids = metas.map((m) => s.service.ref(m.infoHash)!.id);
  assert.deepEqual(ids, [1, 2, 3]);
  assert.deepEqual(
    added.map((r) => r.id),
    ids,
  );
  assert.equal(s.service.ref(2)!.hash, metas[1]!.infoHash, 'found by id');
  assert.equal(s.service.summary(3)!.infoHash, metas[2]!.infoHash);

  const cursor = s.service.cursor();
  assert.deepEqual(s.service.changes(cursor), { cursor, changed: [], removed: [], removedIncomplete: false });
  await s.service.setLabels(metas[1]!.infoHash, ['x']);
  await s.service.setFilePriority(metas[2]!.infoHash, 0, 0);
  const after = s.service.changes(cursor);
  assert.deepEqual(after.changed, [2, 3]);
  assert.deepEqual(s.service.changes(after.cursor).changed, [], 'nothing since');

  await s.service.remove(1);
  const removed = s.service.changes(after.cursor);
  assert.deepEqual(removed.removed, [1]);
  assert.deepEqual(removed.changed, []);
  assert.equal(s.service.ref(1), undefined);
  assert.deepEqual(
    s.service.list().map((r) => r.id),
    [2, 3],
    'the others keep their ids',
  );

  const again = await s.service.addMetainfo(metas[0]!, { paused: true, ephemeral: true });
  assert.equal(s.service.ref(again)!.id, 4, 'added again: a new id, not the old one');
  assert.deepEqual(s.service.changes(removed.cursor).changed, [4]);
  assert.deepEqual(s.service.changes(0).removed, [1]);
});

test('reads: one list array until the list changes; summaries ask for nothing per file or peer', async (t) => {
  const dir = tempDir(t);
  const s = openService(dir, { t });
  const hash = await s.service.addMetainfo(randomTorrent({ name: 'cheap', sizes: [1000, 2000, 3000] }).meta, {
    paused: true,
    ephemeral: true,
  });
  const list = s.service.list();
  assert.equal(s.service.list(), list, 'the same array');
  const torrent = s.session.get(hash)!;
  const asked: string[] = [];
  for (const method of ['peerStats', 'trackerStats', 'pieceStats'] as const) {
    const original = torrent[method].bind(torrent);
    (torrent as unknown as Record<string, () => unknown>)[method] = () => {
      asked.push(method);
      return original();
    };
  }
  const summary = s.service.summary(hash)!;
  assert.equal(summary.name, 'cheap');
  assert.deepEqual(asked, [], 'a summary reads no peers, trackers or pieces');
  assert.equal(s.service.files(hash)!.length, 3);
  assert.deepEqual(asked, ['pieceStats']);
  await s.service.addMetainfo(randomTorrent({ name: 'another', sizes: [10] }).meta, { paused: true, ephemeral: true });
  assert.notEqual(s.service.list(), list, 'a new array after an add');
});

test("queue position: a torrent moved to the front runs first, takes that place's priority, and keeps its place across a restart", async (t) => {
  const dir = tempDir(t);
  const first = openService(dir, { maxActiveDownloads: 1 });
  const hashes: string[] = [];
  for (let i = 0; i < 4; i++)
    hashes.push(await first.service.addMetainfo(randomTorrent({ name: `q${i}`, sizes: [20_000] }).meta, { addedAt: 1000 + i }));
  const positions = (s: typeof first) => hashes.map((h) => s.service.summary(h)!.queuePosition);
  const running = (s: typeof first) => hashes.map((h) => s.session.get(h)!.isRunning);
  assert.deepEqual(positions(first), [0, 1, 2, 3]);
  assert.deepEqual(running(first), [true, false, false, false]);

  await first.service.setQueuePosition(hashes[3]!, 0);
  assert.deepEqual(positions(first), [1, 2, 3, 0]);
  assert.deepEqual(running(first), [false, false, false, true], 'the front of the queue runs');
  await first.service.setQueuePosition(hashes[0]!, 2);
  assert.deepEqual(positions(first), [2, 1, 3, 0], 'between the second and the third');
  await first.service.setQueuePosition(hashes[2]!, 99);
  assert.deepEqual(positions(first), [2, 1, 3, 0], 'past the end is the end');
  await first.service.setPriority(hashes[2]!, 3);
  assert.deepEqual(positions(first), [3, 2, 0, 1], 'priority still ranks first');
  await first.service.setQueuePosition(hashes[0]!, 0);
  assert.equal(first.service.summary(hashes[0]!)!.priority, 3, 'moved among the high ones, it is high');
  const order = positions(first);
  await first.close();

  const second = openService(dir, { t, maxActiveDownloads: 1 });
  await second.service.restore();
  assert.deepEqual(positions(second), order);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(
    running(second),
    order.map((p) => p === 0),
  );
});

test('a torrent listed twice in session.json comes back once, the second entry reported', async (t) => {
  const dir = tempDir(t);
  const first = openService(dir);
  const hash = await first.service.addMetainfo(randomTorrent({ name: 'twice', sizes: [1000] }).meta, { paused: true });
  await first.close();
  const path = join(dir, 'state', 'session.json');
  const raw = sessionForEditing(path);
  raw.torrents.push({ ...raw.torrents[0], labels: ['second'] });
  writeFileSync(path, JSON.stringify(raw));
  const second = openService(dir, { t });
  assert.equal(await second.service.restore(), 1);
  assert.deepEqual(
    second.service.list().map((r) => r.hash),
    [hash],
  );
  assert.deepEqual(second.service.summary(hash)!.labels, [], 'the first entry wins');
  second.store.refresh();
  assert.ok(second.store.getSnapshot().log.some((e) => e.text === `cannot restore ${hash}: listed twice in the session file`));
});

test('a session write reuses each unchanged torrent saved form and rebuilds the changed ones', async (t) => {
  const s = openService(tempDir(t), { t });
  const a = await s.service.addMetainfo(randomTorrent({ name: 'kept-a', sizes: [1000] }).meta, { paused: true });
  const b = await s.service.addMetainfo(randomTorrent({ name: 'kept-b', sizes: [1000, 2000] }).meta, { paused: true });
  const first = s.service.savedSession().torrents;
  const second = s.service.savedSession().torrents;
  assert.equal(second[0], first[0], 'nothing changed: the same object');
  assert.equal(second[1], first[1]);
  await s.service.setLabels(a, ['tv']);
  await s.service.setPriority(b, 3);
  const third = s.service.savedSession().torrents;
  assert.notEqual(third[0], first[0]);
  assert.deepEqual(third[0]!.labels, ['tv']);
  assert.equal(third[1]!.priority, 3);
  await s.service.save();
  const onDisk = (await readSessionFile(s.service.sessionPath)).session.torrents;
  assert.deepEqual(
    onDisk.map((x) => [x.infoHash, x.labels, x.priority]),
    [
      [a, ['tv'], 2],
      [b, [], 3],
    ],
  );
});

test('corrupt bytes and seconds downloading/seeding come back from session.json and are saved again', async (t) => {
  const dir = tempDir(t);
  const { meta } = randomTorrent({ name: 'clocked', sizes: [5000] });
  const first = openService(dir, { t });
  const hash = await first.service.addMetainfo(meta, { paused: true });
  const saved = (await readSessionFile(first.service.sessionPath)).session;
  await first.close();
  saved.torrents[0] = { ...saved.torrents[0]!, corrupt: 7, secondsDownloading: 100, secondsSeeding: 50 };
  await writeSessionFile(first.service.sessionPath, saved);

  const again = openService(dir, { t });
  await again.service.restore();
  const summary = again.service.summary(hash)!;
  assert.equal(summary.corrupt, 7);
  assert.equal(summary.secondsDownloading, 100);
  assert.equal(summary.secondsSeeding, 50);
  assert.equal(summary.clockRunning, undefined, 'paused: the clock stands');
  await again.service.setLabels(hash, ['x']);
  const back = (await readSessionFile(again.service.sessionPath)).session.torrents[0]!;
  assert.deepEqual([back.corrupt, back.secondsDownloading, back.secondsSeeding], [7, 100, 50]);
});

test('peersFrom: a connected peer counts under the source it was learned from', async (t) => {
  const dir = tempDir(t);
  const { meta, data } = randomTorrent({ name: 'sourced', sizes: [4 * 1024 * 1024], pieceLength: 16384 });
  const seeder = await startSeeder(t, meta, data, join(dir, 'seed'));
  const s = openService(dir, { t });
  const seen = new Set<string>();
  s.service.on('torrent-changed', (ref) => {
    const from = s.service.summary(ref.id)?.peersFrom;
    for (const [source, n] of Object.entries(from ?? {})) if (n > 0) seen.add(source);
  });
  const hash = await s.service.addMetainfo(meta);
  const torrent = s.session.get(hash)!;
  torrent.addPeers([{ host: '127.0.0.1', port: seeder.port }], 'dht');
  await waitForDone(torrent);
  assert.deepEqual([...seen], ['dht']);
  const summary = s.service.summary(hash)!;
  assert.equal(summary.clockRunning, 'seeding', 'done: the seeding clock runs');
});

test('queue positions stay right as torrents are added one by one, whatever their priority', async (t) => {
  const s = openService(tempDir(t), { t });
  const add = (name: string, priority?: number) =>
    s.service.addMetainfo(randomTorrent({ name, sizes: [100] }).meta, { paused: true, priority });
  const positions = () => s.service.list().map((ref) => [s.service.summary(ref.id)!.name, s.service.summary(ref.id)!.queuePosition]);
  const a = await add('a');
  assert.deepEqual(positions(), [['a', 0]]);
  await add('b');
  await add('low', 1);
  await add('c');
  await add('high', 3);
  await add('d');
  assert.deepEqual(Object.fromEntries(positions()), { high: 0, a: 1, b: 2, c: 3, d: 4, low: 5 });
  await s.service.remove(a);
  await add('e');
  assert.deepEqual(Object.fromEntries(positions()), { high: 0, b: 1, c: 2, d: 3, e: 4, low: 5 });
});
