import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { SortedChunks } from '../../source/service/sorted-chunks.js';

const byNumber = (a: number, b: number) => a - b;

test('sorted chunks: any mix of adds and deletes keeps the items in order, across many chunks', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 3000 })), { maxLength: 4000 }), (ops) => {
      const set = new SortedChunks<number>(byNumber);
      const model = new Set<number>();
      for (const [add, n] of ops) {
        if (add && !model.has(n)) {
          set.add(n);
          model.add(n);
        } else if (!add) {
          assert.equal(set.delete(n), model.delete(n));
        }
      }
      assert.equal(set.size, model.size);
      assert.deepEqual([...set], [...model].sort(byNumber));
    }),
    { numRuns: 50 },
  );
});

test('sorted chunks: the item just read may be deleted while iterating, chunk boundaries included', () => {
  const set = new SortedChunks<number>(byNumber);
  for (let i = 5000; i > 0; i--) set.add(i);
  const seen: number[] = [];
  for (const n of set) {
    seen.push(n);
    if (n % 3 !== 0) set.delete(n);
  }
  assert.deepEqual(
    seen,
    Array.from({ length: 5000 }, (_, i) => i + 1),
  );
  assert.deepEqual(
    [...set],
    seen.filter((n) => n % 3 === 0),
  );
  for (const n of set) set.delete(n);
  assert.equal(set.size, 0);
  assert.deepEqual([...set], []);
});
