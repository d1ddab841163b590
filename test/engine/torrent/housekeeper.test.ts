import test from 'node:test';
import assert from 'node:assert/strict';
import { Housekeeper } from '../../../source/engine/torrent/housekeeper.js';

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
