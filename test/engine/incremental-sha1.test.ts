import test from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { IncrementalSha1 } from '../../source/engine/incremental-sha1.js';

const sha1 = (b: Buffer) => createHash('sha1').update(b).digest();

test('IncrementalSha1: blocks in order, out of order, and a short last block give the whole buffer\'s SHA-1', () => {
  const data = randomBytes(5 * 1000 + 321);
  for (const order of [[0, 1, 2, 3, 4, 5], [5, 3, 1, 0, 2, 4], [1, 2, 3, 4, 5, 0]]) {
    const buffer = Buffer.alloc(data.length);
    const h = new IncrementalSha1(buffer, 1000);
    for (const b of order) {
      data.copy(buffer, b * 1000, b * 1000, Math.min(data.length, b * 1000 + 1000));
      h.received(b * 1000);
    }
    assert.ok(h.digest().equals(sha1(data)), `order ${order.join(',')}`);
  }
});

test('IncrementalSha1: digest hashes what was never reported', () => {
  const data = randomBytes(4096);
  const h = new IncrementalSha1(Buffer.from(data), 1024);
  h.received(1024);
  assert.ok(h.digest().equals(sha1(data)));
});
