import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Framer } from '../../../source/engine/wire/framer.js';
import { decodeMessage, encodeMessage, ProtocolError, type Message } from '../../../source/engine/wire/messages.js';

function stream(): { bytes: Buffer; messages: Message[] } {
  const messages: Message[] = [
    { type: 'bitfield', bitfield: Buffer.from([0xf0, 0x0f]) },
    { type: 'keep-alive' },
    { type: 'unchoke' },
    { type: 'have', index: 17 },
  ];
  for (let i = 0; i < 20; i++) {
    const block = Buffer.alloc(1000 + i * 97);
    for (let j = 0; j < block.length; j++) block[j] = (i * 31 + j) & 0xff;
    messages.push({ type: 'piece', index: i, begin: i * 16384, block });
    messages.push({ type: 'request', index: i, begin: 0, length: 16384 });
    if (i % 5 === 0) messages.push({ type: 'keep-alive' });
  }
  messages.push({ type: 'extended', id: 1, payload: Buffer.from('d1:xi1ee') });
  return { bytes: Buffer.concat(messages.map(encodeMessage)), messages };
}

function drain(framer: Framer, out: Message[]): void {
  for (let body = framer.next(); body !== null; body = framer.next()) out.push(decodeMessage(Buffer.from(body)));
}

/** A seeded PRNG so that a failing split can be reproduced. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
}

test('framer: whole buffer, byte by byte, and random splits give the same messages', () => {
  const { bytes, messages } = stream();

  const whole: Message[] = [];
  const f1 = new Framer(1 << 20);
  f1.push(bytes);
  drain(f1, whole);
  assert.deepEqual(whole, messages);
  assert.equal(f1.length, 0);

  const byByte: Message[] = [];
  const f2 = new Framer(1 << 20);
  for (let i = 0; i < bytes.length; i++) {
    f2.push(bytes.subarray(i, i + 1));
    drain(f2, byByte);
  }
  assert.deepEqual(byByte, messages);

  for (let seed = 1; seed <= 25; seed++) {
    const random = prng(seed);
    const out: Message[] = [];
    const f = new Framer(1 << 20);
    for (let pos = 0; pos < bytes.length; ) {
      const n = Math.min(bytes.length - pos, Math.floor(random() * (random() < 0.5 ? 8 : 5000)));
      f.push(Buffer.from(bytes.subarray(pos, pos + n)));
      pos += n;
      drain(f, out);
    }
    assert.deepEqual(out, messages, `seed ${seed}`);
    assert.equal(f.length, 0);
  }
});

test('framer returns a view (no copy) when a message lies inside one chunk', () => {
  const msg = encodeMessage({ type: 'piece', index: 1, begin: 0, block: Buffer.alloc(64, 7) });
  // Not from Buffer's shared pool, so that a copy cannot share its ArrayBuffer by accident.
  const chunk = Buffer.alloc(msg.length + 10);
  msg.copy(chunk);
  msg.copy(chunk, msg.length, 0, 10);
  const f = new Framer(1 << 20);
  f.push(chunk);
  const body = f.next()!;
  assert.equal(body.buffer, chunk.buffer);
  assert.equal(body.byteOffset, chunk.byteOffset + 4);
  assert.equal(f.next(), null);
  f.push(msg.subarray(10));
  const straddling = f.next()!;
  assert.deepEqual(straddling, msg.subarray(4));
  assert.notEqual(straddling.buffer, chunk.buffer);
});

test('framer rejects an oversized length prefix as soon as the prefix is complete', () => {
  const f = new Framer(100);
  f.push(Buffer.from([0, 0]));
  assert.equal(f.next(), null);
  f.push(Buffer.from([0, 101]));
  assert.throws(() => f.next(), ProtocolError);

  const ok = new Framer(100);
  ok.push(Buffer.from([0, 0, 0, 100, 7]));
  assert.equal(ok.next(), null);
});

test('framer take and byteAt across chunks', () => {
  const f = new Framer(10);
  f.push(Buffer.from('ab'));
  f.push(Buffer.from('cde'));
  f.push(Buffer.from('f'));
  assert.equal(String.fromCharCode(f.byteAt(0), f.byteAt(2), f.byteAt(5)), 'acf');
  assert.equal(f.take(1).toString(), 'a');
  assert.equal(f.take(3).toString(), 'bcd');
  assert.equal(f.length, 2);
  assert.equal(f.take(2).toString(), 'ef');
  assert.throws(() => f.take(1), RangeError);
});

test('framer keeps what it needs of a borrowed chunk: one reused read buffer gives the same messages', () => {
  const { bytes, messages } = stream();
  for (let seed = 1; seed <= 25; seed++) {
    const random = prng(seed);
    const readBuffer = Buffer.alloc(6000);
    const out: Message[] = [];
    const f = new Framer(1 << 20);
    for (let pos = 0; pos < bytes.length; ) {
      const n = Math.min(bytes.length - pos, 1 + Math.floor(random() * (random() < 0.5 ? 8 : readBuffer.length - 1)));
      bytes.copy(readBuffer, 0, pos, pos + n);
      pos += n;
      f.push(readBuffer.subarray(0, n));
      drain(f, out);
      f.retain();
      readBuffer.fill(0xee); // the next read overwrites it
    }
    assert.deepEqual(out, messages, `seed ${seed}`);
    assert.equal(f.length, 0);
  }
});

test('framer: bytes held across retain (several messages, a partial one) come out in order', () => {
  const { bytes, messages } = stream();
  const readBuffer = Buffer.from(bytes);
  const f = new Framer(1 << 20);
  f.push(readBuffer.subarray(0, bytes.length - 10));
  f.retain(); // nothing taken yet: all of it must be copied
  readBuffer.fill(0);
  f.push(Buffer.from(bytes.subarray(bytes.length - 10)));
  const out: Message[] = [];
  drain(f, out);
  assert.deepEqual(out, messages);
});
