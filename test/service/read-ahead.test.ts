import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readAhead, TaskLimit } from '../../source/service/read-ahead.js';

test('readAhead: items come back in order while at most the window ahead is read; a failed read rejects only when reached', async () => {
  const started: number[] = [];
  const read = async (n: number) => {
    started.push(n);
    await new Promise((resolve) => setImmediate(resolve));
    if (n === 3) throw new Error('cannot read 3');
    return n * 10;
  };
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const items = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const get = readAhead(items, 2, read);
    assert.equal(await get(0), 0);
    assert.deepEqual(started, [0, 1, 2], 'the item and the two after it');
    assert.equal(await get(1), 10);
    assert.equal(await get(2), 20);
    assert.deepEqual(started, [0, 1, 2, 3, 4]);
    // Item 3's read has failed by now; nothing was reported before it is asked for.
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(unhandled, []);
    await assert.rejects(get(3), /cannot read 3/);
    assert.equal(await get(9), 90, 'the window never passes the end');
    assert.deepEqual(started, items);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

test('TaskLimit: never more than the limit at once; drain waits for every task', async () => {
  const limit = new TaskLimit(3);
  let running = 0;
  let most = 0;
  let done = 0;
  for (let i = 0; i < 20; i++) {
    await limit.add(async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 1 + (i % 4)));
      running--;
      done++;
    });
  }
  await limit.drain();
  assert.equal(done, 20);
  assert.equal(most, 3);
});
