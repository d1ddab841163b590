import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bitfield } from '../../../source/engine/codec/bitfield.js';

test('bit 0 is the high bit of the first byte', () => {
  const b = new Bitfield(10);
  b.set(0);
  b.set(9);
  assert.deepEqual([...b.buffer], [0b1000_0000, 0b0100_0000]);
  assert.equal(b.get(0), true);
  assert.equal(b.get(1), false);
  assert.equal(b.get(9), true);
});

test('wire round-trip', () => {
  const wire = Uint8Array.from([0xa5, 0x3c, 0b1110_0000]);
  const b = Bitfield.fromWire(wire, 19);
  assert.deepEqual([...b.buffer], [...wire]);
  const bits = Array.from({ length: 19 }, (_, i) => (b.get(i) ? 1 : 0)).join('');
  assert.equal(bits, '1010010100111100111');
  assert.equal(b.count(), 4 + 4 + 3);
  const again = Bitfield.fromWire(b.clone().buffer, 19);
  assert.deepEqual([...again.buffer], [...wire]);
});

test('fromWire rejects spare bits and wrong sizes', () => {
  assert.throws(() => Bitfield.fromWire(Uint8Array.from([0xff, 0b0001_0000]), 11), /spare/);
  assert.throws(() => Bitfield.fromWire(Uint8Array.from([0xff]), 11), RangeError);
  assert.throws(() => Bitfield.fromWire(Uint8Array.from([0xff, 0, 0]), 11), RangeError);
  assert.equal(Bitfield.fromWire(Uint8Array.from([0xff, 0xff]), 16).count(), 16);
  assert.equal(Bitfield.fromWire(new Uint8Array(0), 0).length, 0);
});

test('constructor copies the buffer and clears spare bits', () => {
  const src = Uint8Array.from([0xff, 0xff]);
  const b = new Bitfield(12, src);
  assert.equal(b.count(), 12);
  assert.equal(b.buffer[1], 0xf0);
  src[0] = 0;
  assert.equal(b.get(0), true);
});

test('count is maintained through set, clear and repeated sets', () => {
  const b = new Bitfield(100);
  assert.equal(b.count(), 0);
  b.set(5);
  b.set(5);
  b.set(99, true);
  assert.equal(b.count(), 2);
  b.set(5, false);
  b.set(5, false);
  assert.equal(b.count(), 1);
  assert.equal(b.isComplete(), false);
  b.setAll();
  assert.equal(b.count(), 100);
  assert.equal(b.isComplete(), true);
  assert.equal(b.buffer[12], 0xf0);
  const c = b.clone();
  c.set(0, false);
  assert.equal(b.get(0), true);
  assert.equal(c.count(), 99);
});

test('out-of-range access', () => {
  const b = new Bitfield(8);
  assert.equal(b.get(8), false);
  assert.equal(b.get(-1), false);
  assert.throws(() => b.set(8), RangeError);
  assert.throws(() => b.set(-1), RangeError);
});

test('count matches a naive popcount on random data', () => {
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  for (const length of [1, 7, 8, 9, 63, 1000]) {
    const bytes = Uint8Array.from({ length: Math.ceil(length / 8) }, rnd);
    const b = new Bitfield(length, bytes);
    let naive = 0;
    for (let i = 0; i < length; i++) if (b.get(i)) naive++;
    assert.equal(b.count(), naive);
  }
});
