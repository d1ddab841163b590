import test from 'node:test';
import assert from 'node:assert/strict';
import { HOUSEKEEP_SLICE, Housekeeper } from '../../../source/engine/torrent/housekeeper.js';

test('Housekeeper: one timer calls every member, and stops when the last leaves', async () => {
  const keeper = new Housekeeper(20);
  const calls: string[] = [];
  const a = { housekeep: () => void calls.push('a') };
  const b = { housekeep: () => void calls.push('b') };
  keeper.add(a);
  keeper.add(b);
  await new Promise((r) => setTimeout(r, 70));
  assert.ok(calls.filter((c) => c === 'a').length >= 2, calls.join(','));
  assert.ok(calls.filter((c) => c === 'b').length >= 2, calls.join(','));
  keeper.delete(a);
  keeper.delete(b);
  assert.equal(keeper.size, 0);
  const before = calls.length;
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(calls.length, before);
});

test('Housekeeper: a pass over many members goes a slice per turn of the event loop, each member once, none that left', async () => {
  const keeper = new Housekeeper(10);
  const count = HOUSEKEEP_SLICE * 2 + 5;
  const calls = new Map<number, number>();
  let seenBetween: number | undefined;
  let passDone!: () => void;
  const done = new Promise<void>((resolve) => (passDone = resolve));
  const members = Array.from({ length: count }, (_, i) => ({
    housekeep: () => {
      calls.set(i, (calls.get(i) ?? 0) + 1);
      // Something else queued during the pass runs before the pass is over.
      if (i === 0 && seenBetween === undefined) setImmediate(() => (seenBetween = calls.size));
      if (i === count - 1) passDone();
    },
  }));
  for (const m of members) keeper.add(m);
  // The member housekept last in the first pass leaves before its turn comes: skipped.
  const leaving = members[count - 2]!;
  const original = members[0]!.housekeep;
  members[0]!.housekeep = () => {
    original();
    keeper.delete(leaving);
  };
  const guard = setTimeout(() => assert.fail('no full pass in 30 s'), 30_000);
  await done;
  clearTimeout(guard);
  for (const m of members) keeper.delete(m);
  assert.ok(seenBetween !== undefined && seenBetween < count, `other work ran in the pass (after ${seenBetween} of ${count})`);
  assert.equal(calls.get(count - 2), undefined, 'the member that left was not housekept');
  for (let i = 0; i < count; i++) if (i !== count - 2) assert.equal(calls.get(i), 1, `member ${i} once`);
});
