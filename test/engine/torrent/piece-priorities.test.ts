import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Bitfield } from '../../../source/engine/codec/bitfield.js';
import { bytesLeft, piecePriorities } from '../../../source/engine/torrent/piece-priorities.js';

const file = (offset: number, length: number, padding = false) => ({ offset, length, padding, path: [], name: '' }) as never;

test('a piece takes the highest priority of the files it touches; padding and empty files do not count', () => {
  // pieces of 10: [0,10) [10,20) [20,30)
  const meta = { pieceCount: 3, pieceLength: 10, files: [file(0, 15), file(15, 0), file(15, 3, true), file(18, 12)] };
  assert.deepEqual([...piecePriorities(meta, Uint8Array.from([0, 7, 7, 2]))], [0, 2, 2]);
  assert.deepEqual([...piecePriorities(meta, Uint8Array.from([5, 0, 0, 2]))], [5, 5, 2]);
  assert.deepEqual([...piecePriorities(meta, undefined)], [1, 1, 1]);
});

test('bytesLeft counts the pieces we lack, the short last one at its size', () => {
  const have = new Bitfield(3);
  const size = (i: number) => (i === 2 ? 4 : 10);
  assert.equal(bytesLeft(have, 3, size), 24);
  have.set(0);
  assert.equal(bytesLeft(have, 3, size), 14);
  have.set(1);
  have.set(2);
  assert.equal(bytesLeft(have, 3, size), 0);
});
