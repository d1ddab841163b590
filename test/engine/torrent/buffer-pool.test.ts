import test from 'node:test';
import assert from 'node:assert/strict';
import { BufferPool } from '../../../source/engine/torrent/buffer-pool.js';

test('BufferPool: a buffer given back is taken again; past the spare limit it is dropped', () => {
  const pool = new BufferPool(1024, 2048);
  const [a, b, c] = [pool.take(), pool.take(), pool.take()];
  assert.equal(a.length, 1024);
  assert.notEqual(a.buffer, b.buffer);
  pool.give(a);
  pool.give(b);
  pool.give(c);
  assert.equal(pool.spareCount, 2);
  const again = [pool.take(), pool.take()].map((x) => x.buffer);
  assert.deepEqual(new Set(again), new Set([a.buffer, b.buffer]));
  assert.notEqual(pool.take().buffer, c.buffer);
});

test('BufferPool: giving the same buffer twice never hands it out twice', () => {
  const pool = new BufferPool(1024, 8192);
  const a = pool.take();
  pool.give(a);
  pool.give(a);
  assert.equal(pool.spareCount, 1);
  const first = pool.take();
  assert.notEqual(pool.take().buffer, first.buffer);
});

test('BufferPool: a held buffer given back is reused only after its last release', () => {
  const pool = new BufferPool(1024, 8192);
  const a = pool.take();
  pool.hold(a);
  pool.hold(a);
  pool.give(a);
  assert.equal(pool.spareCount, 0, 'held: not reusable yet');
  pool.release(a);
  assert.equal(pool.spareCount, 0, 'one send still holds it');
  pool.release(a);
  assert.equal(pool.spareCount, 1);
  assert.equal(pool.take().buffer, a.buffer);
});

test('BufferPool: released before it is given back, a buffer waits for the give', () => {
  const pool = new BufferPool(1024, 8192);
  const a = pool.take();
  pool.hold(a);
  pool.release(a);
  assert.equal(pool.spareCount, 0, "still the caller's");
  pool.release(a); // a stray release changes nothing
  pool.give(a);
  assert.equal(pool.spareCount, 1);
});

test('BufferPool: buffers of another size, or views into a larger one, are never pooled', () => {
  const pool = new BufferPool(1024, 8192);
  pool.give(Buffer.alloc(512));
  pool.give(Buffer.alloc(2048).subarray(0, 1024));
  pool.give(Buffer.alloc(2048).subarray(1024));
  assert.equal(pool.spareCount, 0);
});

test('BufferPool: clear() drops the spares; a buffer held meanwhile still comes back after its release', () => {
  const pool = new BufferPool(1024, 8192);
  const [a, b] = [pool.take(), pool.take()];
  pool.give(a);
  pool.hold(b);
  pool.give(b);
  pool.clear();
  assert.equal(pool.spareCount, 0);
  pool.release(b);
  assert.equal(pool.spareCount, 1);
  assert.equal(pool.take().buffer, b.buffer);
});
