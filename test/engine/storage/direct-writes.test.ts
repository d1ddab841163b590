import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { DirectWrites } from '../../../source/engine/storage/direct-writes.js';
import { parseRunnableNs, RunnableClock } from '../../../source/engine/storage/runnable-clock.js';

test('writes go directly until one is slow, then to the pool for the back-off, then directly again', () => {
  const gate = new DirectWrites(16 * 1024, 100, 10_000);
  assert.equal(gate.allowed(0), true);
  gate.took(99, 1_000);
  assert.equal(gate.allowed(1_000), true, 'a write within the limit changes nothing');
  gate.took(101, 2_000);
  assert.equal(gate.allowed(2_000), false);
  assert.equal(gate.allowed(11_999), false);
  assert.equal(gate.allowed(12_000), true);
});

test('a disk that keeps throttling doubles the back-off up to its cap; a long quiet spell starts it over', () => {
  const gate = new DirectWrites(16 * 1024, 50, 10_000, 40_000, 300_000);
  let now = 0;
  const slowAt = (at: number) => {
    now = at;
    assert.equal(gate.allowed(now), true, `direct again at ${at}`);
    gate.took(51, now);
  };
  const pooledFor = () => {
    let t = now;
    while (!gate.allowed(t)) t += 1_000;
    return t - now;
  };
  slowAt(0);
  assert.equal(pooledFor(), 10_000);
  slowAt(10_000);
  assert.equal(pooledFor(), 20_000);
  slowAt(30_000);
  assert.equal(pooledFor(), 40_000);
  slowAt(70_000);
  assert.equal(pooledFor(), 40_000, 'capped');
  slowAt(70_000 + 40_000 + 300_001);
  assert.equal(pooledFor(), 10_000, 'forgotten after a quiet spell');
});

/** Keeps the thread busy for `ms` of wall time (running, or preempted and waiting for a CPU). */
function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

/** Holds the thread off any CPU for `ms`, as a throttled writer is. */
function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

test('a write the thread spent running or waiting for a CPU is not slow; one it spent held is', () => {
  const preempted = new DirectWrites(16 * 1024, 5, 10_000, 40_000, 300_000, { now: () => performance.now() });
  preempted.timed(() => spin(20));
  assert.equal(preempted.allowed(Date.now()), true, 'runnable all along: preempted, not throttled');

  const held = new DirectWrites(16 * 1024, 5, 10_000, 40_000, 300_000, { now: () => 1_000 });
  held.timed(() => spin(20));
  assert.equal(held.allowed(Date.now()), true, 'slow by the wall clock: the next writes are timed closely');
  held.timed(() => spin(20));
  assert.equal(held.allowed(Date.now()), false, 'held: the thread neither ran nor waited for a CPU');

  const unknown = new DirectWrites(16 * 1024, 5, 10_000, 40_000, 300_000, { now: () => undefined });
  unknown.timed(() => spin(20));
  assert.equal(unknown.allowed(Date.now()), false, 'without a clock, wall time decides, as before');
});

test('fast writes never read the runnable clock; after a slow one, the next 16 do', () => {
  let reads = 0;
  const gate = new DirectWrites(16 * 1024, 5, 10_000, 40_000, 300_000, {
    now: () => {
      reads++;
      return performance.now();
    },
  });
  for (let i = 0; i < 100; i++) gate.timed(() => {});
  assert.equal(reads, 0);
  gate.timed(() => spin(10));
  for (let i = 0; i < 100; i++) gate.timed(() => {});
  assert.equal(reads, 1 + 16 * 2, 'one to see that the clock works, then two for each closely timed write');
  assert.equal(gate.allowed(Date.now()), true);
});

test('schedstat fields are summed from the bytes: on-CPU and run-queue wait, not time slices', () => {
  const text = Buffer.from('439222524 224155889 157\n');
  assert.equal(parseRunnableNs(text, text.length), 439222524 + 224155889);
  assert.equal(parseRunnableNs(Buffer.from('12 34'), 5), 46, 'no trailing newline');
  assert.throws(() => parseRunnableNs(Buffer.from('12\n'), 3), /unexpected schedstat/);
});

test('on Linux the runnable clock counts busy time and not sleep', { skip: !existsSync('/proc/thread-self/schedstat') }, () => {
  const clock = new RunnableClock();
  try {
    const measure = (what: () => void) => {
      const wall = performance.now();
      const before = clock.now()!;
      what();
      return { wall: performance.now() - wall, runnable: clock.now()! - before };
    };
    const busy = measure(() => spin(40));
    // schedstat's on-CPU time is updated at scheduler ticks: a few ms stale at either end.
    assert.ok(busy.runnable >= busy.wall - 12, `spinning: ${busy.runnable.toFixed(1)} ms runnable of ${busy.wall.toFixed(1)}`);
    const asleep = measure(() => sleep(40));
    assert.ok(asleep.wall - asleep.runnable >= 30, `sleeping: ${asleep.runnable.toFixed(1)} ms runnable of ${asleep.wall.toFixed(1)}`);

    const gate = new DirectWrites(16 * 1024, 20, 10_000, 40_000, 300_000, clock);
    gate.timed(() => spin(40));
    gate.timed(() => spin(40));
    assert.equal(gate.allowed(Date.now()), true, 'a busy write is not a throttled one');
    gate.timed(() => sleep(40));
    assert.equal(gate.allowed(Date.now()), false, 'a write that slept is');
  } finally {
    clock.close();
  }
});

test('without schedstat the clock says nothing, once, and never throws', () => {
  const clock = new RunnableClock('/nonexistent/schedstat');
  assert.equal(clock.now(), undefined);
  assert.equal(clock.now(), undefined);
});
