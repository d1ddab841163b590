import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REBUILD_BUDGET, TorrentStore } from '../../source/store/torrent-store.js';
import { FakeSource, hashOf } from '../helpers/fake-source.js';

function storeOf(count: number) {
  const fake = new FakeSource(count);
  const store = new TorrentStore(fake.source, { speedSampleMs: 0 });
  return { fake, store };
}

test('a changed torrent gets a new row in place; the others keep theirs, and the list is not read again', () => {
  const { fake, store } = storeOf(5000);
  const first = store.getSnapshot();
  assert.equal(first.torrents.length, 5000);
  fake.reads = 0;
  fake.change(1234, { uploadRate: 50, state: 'seeding' });
  assert.equal(store.refresh(), true);
  const second = store.getSnapshot();
  assert.equal(fake.reads, 1, 'only the changed row is built');
  assert.equal(second.torrents[1234]!.uploadRate, 50);
  assert.equal(second.torrents[1234]!.state, 'seeding');
  assert.equal(second.torrents[1233], first.torrents[1233]);
  assert.equal(second.torrents[1235], first.torrents[1235]);
  assert.deepEqual(second.replaced, { previous: first.torrents, changes: [{ index: 1234, before: first.torrents[1234] }] });
  assert.equal(second.global.uploadRate, 50);

  // An event that changed nothing shown: no new snapshot.
  fake.touch(7);
  assert.equal(store.refresh(), false);
  assert.equal(store.getSnapshot(), second);
});

test('added and removed torrents: the list is read again, and the snapshot says nothing was merely replaced', () => {
  const { fake, store } = storeOf(10);
  fake.remove(3);
  fake.change(5, { name: 'renamed' });
  store.refresh();
  const after = store.getSnapshot();
  assert.equal(after.replaced, undefined);
  assert.deepEqual(
    after.torrents.map((r) => r.infoHash),
    [0, 1, 2, 4, 5, 6, 7, 8, 9].map(hashOf),
  );
  assert.equal(after.torrents[4]!.name, 'renamed');
  // The index of rows moved with them: a change after the removal lands on the right row.
  fake.change(9, { uploadRate: 9 });
  store.refresh();
  assert.equal(store.getSnapshot().torrents[8]!.uploadRate, 9);
  assert.equal(store.getSnapshot().torrents[8]!.infoHash, hashOf(9));

  fake.add(42);
  fake.touch(0);
  store.refresh();
  assert.equal(store.getSnapshot().torrents.at(-1)!.infoHash, hashOf(42));

  // A change announced for a row its source no longer has (the removal's own event still to come): read again.
  fake.remove(0, false);
  fake.touch(0);
  store.refresh();
  store.refresh();
  assert.ok(!store.getSnapshot().torrents.some((r) => r.infoHash === hashOf(0)));
});

test('when more rows change than one refresh builds, the rest follow in the next refreshes, none lost', () => {
  const count = REBUILD_BUDGET * 2 + 500;
  const { fake, store } = storeOf(count);
  for (let i = 0; i < count; i++) fake.change(i, { state: 'seeding', progress: 1 });
  fake.reads = 0;
  store.refresh();
  assert.equal(fake.reads, REBUILD_BUDGET, 'one refresh builds at most its budget');
  let refreshes = 1;
  while (store.refresh()) refreshes++;
  assert.equal(refreshes, 3);
  assert.ok(store.getSnapshot().torrents.every((r) => r.state === 'seeding' && r.progress === 1));

  // The same when the list is read again (a torrent added) while every row changes.
  for (let i = 0; i < count; i++) fake.change(i, { uploadRate: 1 });
  fake.add(count);
  fake.reads = 0;
  store.refresh();
  assert.ok(fake.reads <= REBUILD_BUDGET + 1);
  while (store.refresh());
  assert.equal(store.getSnapshot().torrents.length, count + 1);
  assert.ok(
    store
      .getSnapshot()
      .torrents.slice(0, count)
      .every((r) => r.uploadRate === 1),
  );
});

test('the rest of a change past the budget is published without waiting for the periodic refresh', async () => {
  const count = REBUILD_BUDGET + 10;
  const fake = new FakeSource(count);
  const store = new TorrentStore(fake.source, { speedSampleMs: 0, soonMs: 1, refreshMs: 3_600_000 });
  for (let i = 0; i < count; i++) fake.change(i, { state: 'seeding' });
  store.refresh();
  const done = new Promise<void>((resolve) => {
    const off = store.subscribe(() => {
      if (!store.getSnapshot().torrents.every((r) => r.state === 'seeding')) return;
      off();
      resolve();
    });
  });
  // The store's timers do not hold the process open (unref): this one does, and fails a store that never publishes.
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('the rest was never published')), 30_000)));
  try {
    await Promise.race([done, late]);
  } finally {
    clearTimeout(timer);
    store.stop();
  }
});
