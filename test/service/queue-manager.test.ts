import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QueueManager, START_BATCH, type QueueHost, type QueueSubject } from '../../source/service/queue-manager.js';

/** Torrents as plain records; start/stop flip `running` and are recorded. */
function fakeHost(specs: { hash: string; priority?: number; order?: number; complete?: boolean }[]) {
  const subjects: (QueueSubject & { running: boolean; complete: boolean })[] = specs.map((s, i) => ({
    hash: s.hash,
    priority: s.priority ?? 2,
    order: s.order ?? i,
    queued: false,
    running: false,
    complete: s.complete ?? false,
  }));
  const calls: string[] = [];
  const changed = new Set<string>();
  const find = (hash: string) => subjects.find((s) => s.hash === hash)!;
  const host: QueueHost = {
    subjects: () => subjects,
    running: (hash) => find(hash).running,
    downloading: (hash) => !find(hash).complete,
    start: (hash) => {
      calls.push(`start ${hash}`);
      find(hash).running = true;
    },
    stop: (hash) => {
      calls.push(`stop ${hash}`);
      find(hash).running = false;
    },
    changed: (hash) => changed.add(hash),
  };
  return { host, subjects, calls, changed, find };
}

test('queue manager: requests start while slots are free, then queue; a higher priority takes a slot; seeds never wait', () => {
  const { host, calls, find, changed } = fakeHost([
    { hash: 'a' },
    { hash: 'b' },
    { hash: 'c', complete: true },
    { hash: 'd', priority: 3 },
  ]);
  const queue = new QueueManager(host, 1);
  queue.request(find('a'));
  queue.request(find('b'));
  queue.request(find('c'));
  assert.deepEqual(calls, ['start a', 'start c'], 'one download slot: b waits; the complete one needs no slot');
  assert.equal(find('b').queued, true);
  assert.equal(find('a').queued, false);
  assert.ok(changed.has('b'));

  queue.request(find('d'));
  assert.deepEqual(calls.slice(2), ['start d', 'stop a'], 'the high-priority one takes the slot; a goes back to the queue');
  assert.equal(find('a').queued, true);

  // The user pauses d: it leaves the queue; the oldest waiting one gets the slot.
  queue.withdraw(find('d'));
  host.stop('d');
  queue.apply();
  assert.deepEqual(calls.slice(4), ['stop d', 'start a']);
  assert.equal(find('d').queued, false);
  assert.equal(find('b').queued, true);

  queue.setMaxActive(0);
  assert.deepEqual(calls.slice(6), ['start b'], 'no limit: every waiting torrent starts');
  queue.close();
});

test('queue manager: deferred requests are planned once after the burst', async () => {
  const { host, calls, find } = fakeHost([{ hash: 'a' }, { hash: 'b' }, { hash: 'c' }]);
  const queue = new QueueManager(host, 2);
  let plans = 0;
  const apply = queue.apply.bind(queue);
  queue.apply = () => {
    plans++;
    apply();
  };
  for (const hash of ['a', 'b', 'c']) queue.request(find(hash), { defer: true });
  assert.deepEqual(calls, [], 'nothing yet');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(plans, 1);
  assert.deepEqual(calls, ['start a', 'start b']);
  assert.equal(find('c').queued, true);
  queue.close();
});

test('queue manager: positions are by priority, then order', () => {
  const { host, subjects } = fakeHost([
    { hash: 'a', order: 5 },
    { hash: 'b', priority: 1, order: 1 },
    { hash: 'c', priority: 3, order: 9 },
    { hash: 'd', order: 2 },
  ]);
  const queue = new QueueManager(host, 0);
  assert.deepEqual(Object.fromEntries(queue.positions(subjects)), { c: 0, d: 1, a: 2, b: 3 });
});

test('queue manager: held, nothing starts (requests, deferred or not, are remembered); release plans them once', async () => {
  const { host, calls, find } = fakeHost([{ hash: 'a' }, { hash: 'b', complete: true }, { hash: 'c' }]);
  const queue = new QueueManager(host, 1);
  queue.hold();
  queue.request(find('a'), { defer: true });
  queue.request(find('b'));
  queue.request(find('c'), { defer: true });
  queue.apply();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(calls, [], 'nothing started while held');
  assert.equal(find('a').queued, true);
  queue.release();
  assert.deepEqual([...calls].sort(), ['start a', 'start b'], 'one download slot and the complete one');
  assert.equal(find('c').queued, true);
  queue.release();
  assert.equal(calls.length, 2, 'a second release changes nothing');
});

test('queue manager: a burst of starts (a restored session released) goes out a batch per turn of the event loop, all of them in the end', async () => {
  const count = START_BATCH * 2 + 7;
  const { host, subjects, calls } = fakeHost(Array.from({ length: count }, (_, i) => ({ hash: `t${i}`, complete: true })));
  const queue = new QueueManager(host, 0);
  queue.hold();
  for (const subject of subjects) queue.request(subject);
  queue.release();
  assert.equal(calls.length, START_BATCH, 'one batch at once');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(calls.length, START_BATCH * 2);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(calls.length, count);
  assert.deepEqual(calls.slice(0, 3), ['start t0', 'start t1', 'start t2'], 'in the order of the queue');
  assert.ok(subjects.every((s) => s.running && !s.queued));
  queue.close();
});

test('queue manager: the planned starts are made without planning again per batch; a pause meanwhile is kept, a re-plan asked for meanwhile comes after', async () => {
  const count = START_BATCH * 3;
  const { host, subjects, calls } = fakeHost(Array.from({ length: count }, (_, i) => ({ hash: `t${i}`, complete: true })));
  let plans = 0;
  const subjectsOf = host.subjects;
  host.subjects = () => {
    plans++;
    return subjectsOf();
  };
  const queue = new QueueManager(host, 0);
  queue.hold();
  for (const subject of subjects) queue.request(subject);
  queue.release();
  // The user pauses one still waiting for its batch; an event asks for a new plan.
  queue.withdraw(subjects[count - 1]!);
  queue.schedule();
  // The re-plan comes after the last batch (deferred passes keep a gap: a timer, not a turn).
  const deadline = Date.now() + 30_000;
  while (plans < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(calls.length, count - 1, 'the paused one was not started');
  assert.equal(subjects[count - 1]!.running, false);
  assert.equal(plans, 2, 'one plan for the release, one after the batches for the request made meanwhile');
  queue.close();
});
