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
