import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DirectWrites } from '../../../source/engine/storage/direct-writes.js';

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
