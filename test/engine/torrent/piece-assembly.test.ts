import test from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { PieceAssembly } from '../../../source/engine/torrent/piece-assembly.js';

const sha1 = (b: Buffer) => createHash('sha1').update(b).digest();
const block = (data: Buffer, b: number) => data.subarray(b * 1000, Math.min(data.length, b * 1000 + 1000));

test('PieceAssembly: blocks in order, out of order, and a short last block give the whole buffer and its SHA-1', () => {
  const data = randomBytes(5 * 1000 + 321);
  for (const order of [
    [0, 1, 2, 3, 4, 5],
    [5, 3, 1, 0, 2, 4],
    [1, 2, 3, 4, 5, 0],
  ]) {
    const piece = new PieceAssembly(Buffer.alloc(data.length), 1000, true);
    for (const b of order) piece.add(b * 1000, block(data, b), `peer-${b % 2}`);
    assert.ok(piece.buffer.equals(data));
    assert.ok(piece.digest().equals(sha1(data)), `order ${order.join(',')}`);
    assert.deepEqual([...piece.contributors].sort(), ['peer-0', 'peer-1']);
  }
});

test('PieceAssembly: the gap-free prefix is handed out in stretches of at least minBytes, the rest at the end', () => {
  const data = randomBytes(5 * 1000 + 321);
  const piece = new PieceAssembly(Buffer.alloc(data.length), 1000, false);
  const spans: { begin: number; length: number }[] = [];
  const take = (span: ReturnType<PieceAssembly['takeReady']>) => span && spans.push({ begin: span.begin, length: span.data.length });
  piece.add(0, block(data, 0), 'a');
  take(piece.takeReady(2000));
  assert.deepEqual(spans, [], 'one block is not enough');
  piece.add(2000, block(data, 2), 'a');
  take(piece.takeReady(2000));
  assert.deepEqual(spans, [], 'a block after a gap does not count');
  piece.add(1000, block(data, 1), 'a');
  take(piece.takeReady(2000));
  assert.deepEqual(spans, [{ begin: 0, length: 3000 }]);
  piece.add(4000, block(data, 4), 'a');
  piece.add(5000, block(data, 5), 'a');
  take(piece.takeReady(2000));
  assert.equal(spans.length, 1);
  piece.add(3000, block(data, 3), 'a');
  take(piece.takeRest());
  assert.deepEqual(spans, [
    { begin: 0, length: 3000 },
    { begin: 3000, length: 2321 },
  ]);
  assert.equal(piece.takeRest(), undefined);
  assert.throws(() => piece.digest(), /not hashed/);
});
