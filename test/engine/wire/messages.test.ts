import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeMessage,
  encodeMessage,
  encodeRequests,
  ProtocolError,
  tryDecodeMessage,
  type Message,
} from '../../../source/engine/wire/messages.js';

const samples: Message[] = [
  { type: 'keep-alive' },
  { type: 'choke' },
  { type: 'unchoke' },
  { type: 'interested' },
  { type: 'not-interested' },
  { type: 'have', index: 0xfffffffe },
  { type: 'bitfield', bitfield: Uint8Array.from([0xff, 0x01, 0x80]) },
  { type: 'request', index: 7, begin: 16384, length: 16384 },
  { type: 'piece', index: 3, begin: 32768, block: Buffer.from('hello block') },
  { type: 'piece', index: 3, begin: 0, block: Buffer.alloc(0) },
  { type: 'cancel', index: 1, begin: 2, length: 3 },
  { type: 'port', port: 6881 },
  { type: 'suggest', index: 42 },
  { type: 'have-all' },
  { type: 'have-none' },
  { type: 'reject', index: 9, begin: 8, length: 7 },
  { type: 'allowed-fast', index: 5 },
  { type: 'extended', id: 0, payload: Buffer.from('d1:md11:ut_metadatai3eee') },
  { type: 'extended', id: 255, payload: Buffer.alloc(0) },
];

function normalise(m: Message): unknown {
  if (m.type === 'bitfield') return { ...m, bitfield: [...m.bitfield] };
  if (m.type === 'piece') return { ...m, block: [...m.block] };
  if (m.type === 'extended') return { ...m, payload: [...m.payload] };
  return m;
}

test('every message round-trips through encode and decode', () => {
  for (const m of samples) {
    const wire = encodeMessage(m);
    assert.equal(wire.readUInt32BE(0), wire.length - 4, `${m.type}: length prefix`);
    assert.deepEqual(normalise(decodeMessage(wire.subarray(4))), normalise(m), m.type);
  }
});

test('exact wire bytes for a few messages (BEP 3 / BEP 6 ids)', () => {
  assert.deepEqual([...encodeMessage({ type: 'keep-alive' })], [0, 0, 0, 0]);
  assert.deepEqual([...encodeMessage({ type: 'interested' })], [0, 0, 0, 1, 2]);
  assert.deepEqual([...encodeMessage({ type: 'have', index: 258 })], [0, 0, 0, 5, 4, 0, 0, 1, 2]);
  assert.deepEqual(
    [...encodeMessage({ type: 'request', index: 1, begin: 2, length: 3 })],
    [0, 0, 0, 13, 6, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3],
  );
  assert.deepEqual([...encodeMessage({ type: 'have-all' })], [0, 0, 0, 1, 0x0e]);
  assert.deepEqual([...encodeMessage({ type: 'allowed-fast', index: 1 })], [0, 0, 0, 5, 0x11, 0, 0, 0, 1]);
  assert.deepEqual([...encodeMessage({ type: 'port', port: 0x1ae1 })], [0, 0, 0, 3, 9, 0x1a, 0xe1]);
  assert.deepEqual([...encodeMessage({ type: 'extended', id: 3, payload: Buffer.from('x') })], [0, 0, 0, 3, 20, 3, 0x78]);
});

test('decoded piece blocks are views of the input, not copies', () => {
  const wire = encodeMessage({ type: 'piece', index: 0, begin: 0, block: Buffer.from('abcd') });
  const m = decodeMessage(wire.subarray(4));
  assert.equal(m.type, 'piece');
  wire[wire.length - 1] = 0x7a;
  assert.equal((m as { block: Buffer }).block.toString(), 'abcz');
});

test('malformed messages throw ProtocolError', () => {
  const bad: [string, number[]][] = [
    ['choke with payload', [0, 1]],
    ['unchoke with payload', [1, 0, 0]],
    ['interested with payload', [2, 9]],
    ['not-interested with payload', [3, 9]],
    ['have too short', [4, 0, 0, 1]],
    ['have too long', [4, 0, 0, 0, 1, 0]],
    ['request truncated', [6, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0]],
    ['request too long', [6, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0]],
    ['piece without begin', [7, 0, 0, 0, 1, 0, 0]],
    ['cancel truncated', [8, 0, 0, 0, 1]],
    ['port truncated', [9, 0x1a]],
    ['port too long', [9, 0x1a, 0xe1, 0]],
    ['suggest truncated', [0x0d, 0, 0]],
    ['have-all with payload', [0x0e, 1]],
    ['have-none with payload', [0x0f, 1]],
    ['reject truncated', [0x10, 0, 0, 0, 1, 0, 0, 0, 2]],
    ['allowed-fast too long', [0x11, 0, 0, 0, 1, 2]],
    ['extended without id', [20]],
  ];
  for (const [name, bytes] of bad) {
    assert.throws(() => decodeMessage(Buffer.from(bytes)), ProtocolError, name);
  }
});

test('unknown ids: decodeMessage throws, tryDecodeMessage returns null', () => {
  assert.throws(() => decodeMessage(Buffer.from([0x42, 1, 2])), ProtocolError);
  assert.equal(tryDecodeMessage(Buffer.from([0x42, 1, 2])), null);
  assert.equal(tryDecodeMessage(Buffer.from([10])), null);
});

test('encoding rejects out-of-range fields', () => {
  assert.throws(() => encodeMessage({ type: 'have', index: -1 }), RangeError);
  assert.throws(() => encodeMessage({ type: 'request', index: 0, begin: 2 ** 32, length: 1 }), RangeError);
  assert.throws(() => encodeMessage({ type: 'port', port: 70000 }), RangeError);
  assert.throws(() => encodeMessage({ type: 'extended', id: 256, payload: Buffer.alloc(0) }), RangeError);
});

test('encodeRequests is the request messages one after another', () => {
  const requests = [
    { index: 0, begin: 0, length: 16384 },
    { index: 7, begin: 16384, length: 100 },
    { index: 2 ** 32 - 1, begin: 32768, length: 16384 },
  ];
  const one = Buffer.concat(requests.map((r) => encodeMessage({ type: 'request', ...r })));
  assert.ok(encodeRequests(requests).equals(one));
  assert.equal(encodeRequests([]).length, 0);
});
