import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TurnSlices } from '../../../source/engine/torrent/turn-slices.js';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

test('turn slices: at most perTurn items a turn, in order, then done once', async () => {
  const seen: number[] = [];
  let done = 0;
  const run = new TurnSlices(
    [1, 2, 3, 4, 5, 6, 7],
    3,
    (n) => seen.push(n),
    () => done++,
  );
  run.start();
  assert.deepEqual(seen, [1, 2, 3], 'the first slice at once');
  assert.equal(run.running, true);
  await nextTurn();
  assert.deepEqual(seen, [1, 2, 3, 4, 5, 6]);
  await nextTurn();
  assert.deepEqual(seen, [1, 2, 3, 4, 5, 6, 7]);
  assert.equal(done, 1);
  assert.equal(run.running, false);
});

test('turn slices: cancel hands back the items not reached, also from inside an item, and done never comes', async () => {
  const seen: number[] = [];
  let done = 0;
  let rest: number[] = [];
  const run: TurnSlices<number> = new TurnSlices(
    [1, 2, 3, 4, 5, 6],
    4,
    (n) => {
      seen.push(n);
      if (n === 2) rest = run.cancel();
    },
    () => done++,
  );
  run.start();
  await nextTurn();
  assert.deepEqual(seen, [1, 2]);
  assert.deepEqual(rest, [3, 4, 5, 6]);
  assert.equal(done, 0);
  assert.equal(run.running, false);
});

test('turn slices: an item that throws ends the run (done is called) and the error goes to the caller', () => {
  let done = 0;
  const run = new TurnSlices(
    [1, 2, 3],
    10,
    (n) => {
      if (n === 2) throw new Error('boom');
    },
    () => done++,
  );
  assert.throws(() => run.start(), /boom/);
  assert.equal(done, 1);
  assert.equal(run.running, false);
  assert.deepEqual(run.cancel(), [3]);
});
