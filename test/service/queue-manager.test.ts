import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { MAX_SEED_ONLY_CHECKS, QueueManager, START_BATCH, type QueueHost, type QueueSubject } from '../../source/service/queue-manager.js';

/**
 * Torrents as plain records; start/stop flip `running` and are recorded. A check (a seed-only
 * start) runs until finishCheck(): it seeds if the torrent is complete, else it stops again.
 */
function fakeHost(specs: { hash: string; priority?: number; order?: number; complete?: boolean; dataOnDisk?: boolean }[]) {
  const subjects: (QueueSubject & { running: boolean; complete: boolean; dataOnDisk: boolean; checking: boolean; checked: boolean })[] =
    specs.map((s, i) => ({
      hash: s.hash,
      id: i + 1,
      priority: s.priority ?? 2,
      order: s.order ?? i,
      queued: false,
      running: false,
      complete: s.complete ?? false,
      dataOnDisk: s.dataOnDisk ?? false,
      checking: false,
      checked: false,
    }));
  const calls: string[] = [];
  const changed = new Set<string>();
  const byHash = new Map(subjects.map((s) => [s.hash, s]));
  const find = (hash: string) => byHash.get(hash)!;
  /** Reads of one torrent's state, by any pass. */
  const reads = { count: 0 };
  const host: QueueHost = {
    subjects: () => subjects,
    current: (hash) => byHash.get(hash),
    running: (hash) => (reads.count++, find(hash).running),
    // Complete and known to be (checked, or no data to check) takes no slot, as the service's countsAsDownloading.
    downloading: (hash) => {
      const s = find(hash);
      return !(s.complete && (s.checked || !s.dataOnDisk));
    },
    checkFirst: (hash) => find(hash).dataOnDisk && !find(hash).checked,
    start: (hash) => {
      calls.push(`start ${hash}`);
      find(hash).running = true;
    },
    check: (hash) => {
      calls.push(`check ${hash}`);
      find(hash).running = true;
      find(hash).checking = true;
    },
    stop: (hash) => {
      calls.push(`stop ${hash}`);
      find(hash).running = false;
    },
    changed: (hash) => changed.add(hash),
  };
  return { host, subjects, calls, changed, find, reads };
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
  const queue = new QueueManager(host, 0);
  const apply = queue.apply.bind(queue);
  queue.apply = () => {
    plans++;
    apply();
  };
  queue.hold();
  for (const subject of subjects) queue.request(subject);
  plans = 0;
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

test('queue manager: with every slot taken, a torrent whose data may be complete is checked seed-only; complete, it seeds; incomplete, it waits its turn', async () => {
  const { host, calls, find } = fakeHost([
    { hash: 'a' },
    { hash: 'b', complete: true, dataOnDisk: true },
    { hash: 'c', dataOnDisk: true },
    { hash: 'd' },
  ]);
  const queue = new QueueManager(host, 1);
  for (const hash of ['a', 'b', 'c', 'd']) queue.request(find(hash));
  assert.deepEqual(calls, ['start a', 'check b', 'check c'], 'a takes the slot; b and c are checked without one; d waits');
  assert.equal(find('b').queued, true, 'still waiting while it checks');
  assert.equal(find('d').queued, true);

  // b's check finds every piece: it seeds, out of the queue, and takes no slot.
  Object.assign(find('b'), { checking: false, checked: true });
  queue.noteChange('b');
  // c's check finds pieces missing: it stops and waits like any other (before d, added after it).
  Object.assign(find('c'), { checking: false, checked: true, running: false });
  queue.noteChange('c');
  queue.apply();
  assert.equal(find('b').queued, false);
  assert.equal(find('b').running, true);
  assert.equal(find('c').queued, true);
  assert.deepEqual(calls.slice(3), [], 'nothing more starts while a holds the one slot');

  // a finishes: the next in order (c, then d) gets the slot, started for real this time.
  find('a').complete = true;
  queue.noteChange('a');
  queue.apply();
  assert.deepEqual(calls.slice(3), ['start c']);
  assert.equal(find('d').queued, true);
  queue.close();
});

test('queue manager: a pass reads the torrents that wait or hold a slot and those that changed, not the seeding ones', async () => {
  const readsOfOnePass = async (seeding: number) => {
    const specs = [
      ...Array.from({ length: seeding }, (_, i) => ({ hash: `s${i}`, complete: true })),
      ...Array.from({ length: 6 }, (_, i) => ({ hash: `d${i}` })),
    ];
    const { host, subjects, reads, find } = fakeHost(specs);
    const queue = new QueueManager(host, 2);
    queue.hold();
    for (const subject of subjects) queue.request(subject);
    queue.release();
    while (subjects.filter((s) => s.running).length < seeding + 2) await new Promise((resolve) => setImmediate(resolve));
    // The pass after their starts reads each once more (as their state events would ask), and lets the seeds go.
    queue.apply();
    // Later: one download finishes; its change and the queue are all the next pass reads.
    find('d0').complete = true;
    queue.noteChange('d0');
    const before = reads.count;
    queue.apply();
    assert.equal(find('d2').running, true, 'the next one took the freed slot');
    queue.close();
    return { reads: reads.count - before, passReads: queue.lastPassReads };
  };
  const few = await readsOfOnePass(10);
  const many = await readsOfOnePass(5000);
  assert.deepEqual(many, few, 'the same reads with 5,000 seeding torrents as with 10');
  assert.ok(few.passReads <= 6, `one pass read ${few.passReads} torrents`);
});

test('queue manager: a new limit reads every torrent once, so that running downloads get counted', () => {
  const { host, calls, find } = fakeHost([{ hash: 'a' }, { hash: 'b' }, { hash: 'c' }]);
  const queue = new QueueManager(host, 0);
  for (const hash of ['a', 'b', 'c']) queue.request(find(hash));
  assert.deepEqual(calls, ['start a', 'start b', 'start c'], 'no limit: all run');
  queue.apply();
  queue.setMaxActive(1);
  assert.deepEqual(calls.slice(3), ['stop b', 'stop c'], 'a limit of one: the later ones go back to the queue');
  assert.equal(find('c').queued, true);
  queue.close();
});

test('queue manager: at most MAX_SEED_ONLY_CHECKS seed-only checks at once, the next ones as they finish; the torrents waiting for one are not read by each pass', () => {
  const waiting = MAX_SEED_ONLY_CHECKS * 3;
  const { host, subjects, calls, find } = fakeHost([
    { hash: 'holder' },
    ...Array.from({ length: waiting }, (_, i) => ({ hash: `c${i}`, complete: true, dataOnDisk: true })),
  ]);
  const queue = new QueueManager(host, 1);
  queue.hold();
  for (const subject of subjects) queue.request(subject);
  queue.release();
  const checks = () => calls.filter((c) => c.startsWith('check')).length;
  assert.equal(checks(), MAX_SEED_ONLY_CHECKS);
  assert.deepEqual(calls.slice(0, 2), ['start holder', 'check c0'], 'in the order they came');

  // Ten checks find their torrents complete: ten more start, and the pass reads about those twenty.
  for (let i = 0; i < 10; i++) {
    Object.assign(find(`c${i}`), { checking: false, checked: true });
    queue.noteChange(`c${i}`);
  }
  queue.apply();
  assert.equal(checks(), MAX_SEED_ONLY_CHECKS + 10);
  assert.ok(
    queue.lastPassReads <= 25,
    `one pass read ${queue.lastPassReads} torrents, with ${waiting - MAX_SEED_ONLY_CHECKS - 10} waiting`,
  );
  assert.equal(find('c0').queued, false, 'seeding, out of the queue');
  assert.equal(find(`c${waiting - 1}`).queued, true);

  // Started now (startNow), the last one waits for no check turn.
  const last = find(`c${waiting - 1}`);
  Object.assign(last, { forced: true });
  queue.request(last);
  assert.equal(calls.at(-1), `start c${waiting - 1}`);
  assert.equal(last.queued, false);
  queue.close();
});

test('queue manager: at most N downloads, by priority then age; complete ones never wait; no limit starts everything', () => {
  const scenario = (limit: number) => {
    const { host, calls, find } = fakeHost([
      { hash: 'a' },
      { hash: 'b' },
      { hash: 'c', priority: 3 },
      { hash: 'd', complete: true },
      { hash: 'e' },
    ]);
    const queue = new QueueManager(host, limit);
    queue.request(find('a'));
    queue.hold();
    for (const hash of ['b', 'c', 'd']) queue.request(find(hash));
    queue.release();
    queue.close();
    return calls;
  };
  assert.deepEqual(scenario(2), ['start a', 'start d', 'start c']);
  assert.deepEqual(scenario(1), ['start a', 'start d', 'start c', 'stop a'], 'a high-priority download takes the slot');
  assert.deepEqual(scenario(0), ['start a', 'start b', 'start c', 'start d']);

  const { host, calls, find } = fakeHost([{ hash: 'x', priority: 1 }, { hash: 'y' }]);
  const queue = new QueueManager(host, 1);
  queue.hold();
  queue.request(find('x'));
  queue.request(find('y'));
  queue.release();
  assert.deepEqual(calls, ['start y'], 'normal before low');
  queue.close();
});

test('queue manager: a waiting torrent whose data may be complete is checked outside the slots; one running keeps its slot unless an older one needs it', () => {
  const scenario = (limit: number) => {
    const { host, calls, find } = fakeHost([{ hash: 'a' }, { hash: 'b', dataOnDisk: true }, { hash: 'c' }, { hash: 'd' }]);
    const queue = new QueueManager(host, limit);
    queue.request(find('a'));
    queue.request(find('d'));
    // d's data turns out to be on disk while it runs: it keeps downloading in its slot.
    find('d').dataOnDisk = true;
    calls.length = 0;
    queue.hold();
    queue.request(find('b'));
    queue.request(find('c'));
    queue.release();
    queue.close();
    return calls;
  };
  assert.deepEqual(scenario(2), ['start c', 'check b', 'stop d'], 'the check takes no slot: c, older than d, gets the second');
  assert.deepEqual(scenario(3), ['start c', 'check b']);
});

test('queue manager: forced (startNow) downloads start at once, take no slot, and are never stopped', () => {
  const scenario = (withHigh: boolean) => {
    const { host, calls, find } = fakeHost([
      { hash: 'a' },
      { hash: 'f', priority: 1 },
      { hash: 'g', priority: 1 },
      { hash: 'h', priority: 3 },
    ]);
    const queue = new QueueManager(host, 1);
    queue.request(find('a'));
    Object.assign(find('f'), { forced: true });
    queue.request(find('f'));
    calls.length = 0;
    queue.hold();
    Object.assign(find('g'), { forced: true });
    queue.request(find('g'));
    if (withHigh) queue.request(find('h'));
    queue.release();
    queue.close();
    return calls;
  };
  assert.deepEqual(scenario(true), ['start g', 'start h', 'stop a']);
  assert.deepEqual(scenario(false), ['start g'], 'the running one keeps its slot');
});

test('queue manager: with 20,000 torrents waiting, a pass reads the slots, the first waiting ones and the changes, as with 20', () => {
  const onePass = (waiting: number) => {
    const { host, subjects, reads, find } = fakeHost(Array.from({ length: waiting + 2 }, (_, i) => ({ hash: `t${i}` })));
    const queue = new QueueManager(host, 2);
    queue.hold();
    for (const subject of subjects) queue.request(subject);
    queue.release();
    queue.apply();
    assert.deepEqual(
      subjects.filter((s) => s.running).map((s) => s.hash),
      ['t0', 't1'],
    );
    // One download finishes: the next in order takes its slot.
    find('t0').complete = true;
    queue.noteChange('t0');
    const before = reads.count;
    queue.apply();
    assert.deepEqual(
      subjects.filter((s) => s.running && !s.complete).map((s) => s.hash),
      ['t1', 't2'],
    );
    // The last one waiting is made high priority: it goes first, and takes the slot of the latest started.
    const last = find(`t${waiting + 1}`);
    Object.assign(last, { priority: 3 });
    queue.moved(last.hash);
    assert.deepEqual(
      subjects.filter((s) => s.running && !s.complete).map((s) => s.hash),
      ['t1', last.hash],
    );
    assert.equal(find('t2').queued, true, 't2 waits again');
    queue.close();
    return { reads: reads.count - before, passReads: queue.lastPassReads };
  };
  const few = onePass(20);
  const many = onePass(20_000);
  assert.deepEqual(many, few, 'the same reads with 20,000 waiting torrents as with 20');
  assert.ok(few.passReads <= 8, `one pass read ${few.passReads} torrents`);
});

test('queue manager: after any sequence of requests, pauses, completions, moves, forced starts and new limits, the slots go to the first torrents in queue order', () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('request' as const), i: fc.nat(11) }),
    fc.record({ kind: fc.constant('pause' as const), i: fc.nat(11) }),
    fc.record({ kind: fc.constant('complete' as const), i: fc.nat(11) }),
    fc.record({ kind: fc.constant('priority' as const), i: fc.nat(11), priority: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ kind: fc.constant('startNow' as const), i: fc.nat(11) }),
    fc.record({ kind: fc.constant('limit' as const), limit: fc.nat(4) }),
  );
  fc.assert(
    fc.property(fc.nat(4), fc.array(op, { maxLength: 60 }), (limit, ops) => {
      const { host, subjects, find } = fakeHost(Array.from({ length: 12 }, (_, i) => ({ hash: `t${i}` })));
      const queue = new QueueManager(host, limit);
      // Plain records: a change of priority or of being forced is written straight onto them.
      const record = (i: number) => find(`t${i}`) as { -readonly [K in keyof (typeof subjects)[number]]: (typeof subjects)[number][K] };
      for (const o of ops) {
        if (o.kind === 'limit') queue.setMaxActive(o.limit);
        else {
          const s = record(o.i);
          if (o.kind === 'request') queue.request(s);
          else if (o.kind === 'pause') {
            s.forced = false;
            queue.withdraw(s);
            host.stop(s.hash);
            queue.noteChange(s.hash);
          } else if (o.kind === 'complete') {
            if (s.running) s.complete = true;
            queue.noteChange(s.hash);
          } else if (o.kind === 'priority') {
            s.priority = o.priority;
            queue.moved(s.hash);
          } else {
            s.forced = true;
            queue.request(s);
          }
        }
        queue.apply();
        const max = queue.maxActive;
        const rank = (a: QueueSubject, b: QueueSubject) => b.priority - a.priority || a.order - b.order || a.id - b.id;
        const holders = subjects.filter((s) => s.running && !s.complete && !s.forced);
        const waiting = subjects.filter((s) => s.queued && !s.running);
        assert.ok(
          waiting.every((s) => !s.complete && !s.forced),
          'complete and forced torrents never wait',
        );
        if (max === 0) assert.deepEqual(waiting, [], 'no limit: nothing waits');
        else {
          assert.ok(holders.length <= max, `${holders.length} downloading with ${max} slots`);
          if (waiting.length > 0) {
            assert.equal(holders.length, max, 'a torrent waits while a slot is free');
            for (const h of holders) for (const w of waiting) assert.ok(rank(h, w) < 0, `${w.hash} waits behind ${h.hash}`);
          }
        }
      }
      queue.close();
    }),
    { numRuns: 300 },
  );
});
