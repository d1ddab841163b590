import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { planQueue, type QueueEntry } from '../../source/service/queue-manager.js';
import { openService } from '../helpers/service.js';
import { tempDir } from '../helpers/tools.js';
import { randomTorrent } from '../helpers/swarm.js';

const entry = (hash: string, patch: Partial<QueueEntry> = {}): QueueEntry => ({
  hash,
  priority: 2,
  addedAt: 0,
  running: false,
  queued: true,
  downloading: true,
  ...patch,
});

test('planQueue: at most N downloads, by priority then age; seeders are never queued; no limit starts everything', () => {
  const entries = [
    entry('a', { addedAt: 1, running: true, queued: false }),
    entry('b', { addedAt: 2 }),
    entry('c', { addedAt: 3, priority: 3 }),
    entry('d', { addedAt: 4, downloading: false }),
    entry('e', { addedAt: 5, queued: false }),
  ];
  assert.deepEqual(planQueue(entries, 2), { start: ['d', 'c'], stop: [], check: [] });
  assert.deepEqual(planQueue(entries, 1), { start: ['d', 'c'], stop: ['a'], check: [] }, 'a high-priority download takes the slot');
  assert.deepEqual(planQueue(entries, 0), { start: ['b', 'c', 'd'], stop: [], check: [] });
  assert.deepEqual(
    planQueue([entry('x', { priority: 1, addedAt: 1 }), entry('y', { addedAt: 2 })], 1),
    { start: ['y'], stop: [], check: [] },
    'normal before low',
  );
});

test('planQueue: a waiting torrent whose data may be complete is checked, outside the slots; one already running keeps its slot', () => {
  const entries = [
    entry('a', { addedAt: 1, running: true, queued: false }),
    entry('b', { addedAt: 2, checkFirst: true }),
    entry('c', { addedAt: 3 }),
    entry('d', { addedAt: 4, running: true, queued: false, checkFirst: true }),
  ];
  assert.deepEqual(
    planQueue(entries, 2),
    { start: ['c'], stop: ['d'], check: ['b'] },
    'the check takes no slot: c, older, gets the second',
  );
  assert.deepEqual(planQueue(entries, 3), { start: ['c'], stop: [], check: ['b'] });
});

test('planQueue: forced (startNow) downloads start at once, take no slot, and are never stopped', () => {
  const entries = [
    entry('a', { addedAt: 1, running: true, queued: false }),
    entry('f', { addedAt: 2, priority: 1, running: true, queued: false, forced: true }),
    entry('g', { addedAt: 3, priority: 1, forced: true }),
    entry('h', { addedAt: 4, priority: 3 }),
  ];
  assert.deepEqual(planQueue(entries, 1), { start: ['g', 'h'], stop: ['a'], check: [] });
  assert.deepEqual(planQueue(entries.slice(0, 3), 1), { start: ['g'], stop: [], check: [] }, 'the running one keeps its slot');
});

test('the store keeps at most N torrents downloading; the rest show "queued"; + moves one ahead; pausing frees a slot', async (t) => {
  const dir = tempDir(t);
  const { session, service, store, controller } = openService(dir, { t, maxActiveDownloads: 1 });
  const hashes: string[] = [];
  for (let i = 0; i < 3; i++)
    hashes.push(
      await service.addMetainfo(randomTorrent({ name: `q${i}`, sizes: [20_000] }).meta, { directory: join(dir, 'dl'), ephemeral: true }),
    );
  const running = () => hashes.map((h) => session.get(h)!.isRunning);
  const states = () => {
    store.refresh();
    return store.getSnapshot().torrents.map((r) => r.state);
  };
  assert.deepEqual(running(), [true, false, false]);
  assert.deepEqual(states().slice(1), ['queued', 'queued']);

  controller.changePriority(hashes[2]!, 1);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(running(), [false, false, true], 'the high-priority one runs, the other waits');
  assert.equal(states()[0], 'queued');
  assert.equal(store.getSnapshot().torrents[2]!.priority, 3);

  await controller.toggle(hashes[2]!);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(running(), [true, false, false], 'pausing it lets the oldest queued one start');
  assert.equal(states()[2], 'paused');

  await controller.toggle(hashes[1]!);
  assert.equal(states()[1], 'paused', 'Space on a queued torrent pauses it');
  service.setMaxActiveDownloads(0);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(running(), [true, false, false], 'no limit: the paused one stays paused');
  await controller.toggle(hashes[1]!);
  assert.deepEqual(running(), [true, true, false]);
});
