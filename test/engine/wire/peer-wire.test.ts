import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { test, type TestContext } from 'node:test';
import { encodeHandshake, type Handshake } from '../../../source/engine/wire/handshake.js';
import { encodeMessage, ProtocolError, type Message } from '../../../source/engine/wire/messages.js';
import { makePeerId } from '../../../source/engine/wire/peer-id.js';
import { PeerWire, WireTimeoutError, type PeerWireOptions } from '../../../source/engine/wire/peer-wire.js';
import type { ExtensionHandshake } from '../../../source/engine/wire/extension.js';

const infoHash = Buffer.alloc(20, 0x5a);

/** A connected TCP socket pair on 127.0.0.1 (client side, server side). */
async function tcpPair(t: TestContext): Promise<[net.Socket, net.Socket]> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  const accepted = once(server, 'connection') as Promise<[net.Socket]>;
  const client = net.connect(port, '127.0.0.1');
  const [[serverSide]] = await Promise.all([accepted, once(client, 'connect')]);
  t.after(() => {
    client.destroy();
    serverSide.destroy();
    server.close();
  });
  return [client, serverSide];
}

function closed(wire: PeerWire): Promise<Error | undefined> {
  return new Promise((resolve) => wire.once('close', resolve));
}

function collect(wire: PeerWire): Message[] {
  const out: Message[] = [];
  wire.on('message', (m) => out.push(m));
  return out;
}

function opts(extra: Partial<PeerWireOptions> = {}): PeerWireOptions {
  return { peerId: makePeerId(), ...extra };
}

test('two wires over TCP: handshakes, extension handshakes and 1 MiB of pieces intact', { timeout: 10_000 }, async (t) => {
  const [a, b] = await tcpPair(t);
  const extA: ExtensionHandshake = { m: { ut_metadata: 2 }, v: 'btui A', reqq: 250 };
  const extB: ExtensionHandshake = { m: { ut_pex: 1 }, v: 'btui B', metadata_size: 1234 };
  const seeder = new PeerWire(a, opts({ infoHash, extensions: extA }));
  const leecher = new PeerWire(b, opts({ infoHash, extensions: extB }));
  const seederHandshake = once(seeder, 'handshake') as Promise<[Handshake]>;
  const leecherExt = once(leecher, 'extended-handshake') as Promise<[ExtensionHandshake]>;
  const seederExt = once(seeder, 'extended-handshake') as Promise<[ExtensionHandshake]>;

  const [h] = await seederHandshake;
  assert.deepEqual(h.infoHash, infoHash);
  assert.equal(h.extended, true);
  assert.equal(h.fast, true);
  assert.equal(seeder.fastEnabled, true);
  assert.deepEqual((await leecherExt)[0], extA);
  assert.deepEqual((await seederExt)[0], extB);
  assert.deepEqual(leecher.remoteExtensions, extA);

  const blockSize = 16384;
  const count = 64;
  const blocks: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const block = Buffer.allocUnsafe(blockSize);
    for (let j = 0; j < blockSize; j += 4) block.writeUInt32BE((i * 0x9e3779b1 + j) >>> 0, j);
    blocks.push(block);
  }

  const received: Buffer[] = [];
  const others: Message[] = [];
  const done = new Promise<void>((resolve) => {
    leecher.on('message', (m) => {
      if (m.type === 'piece') {
        assert.equal(m.index, Math.floor(received.length / 4));
        assert.equal(m.begin, (received.length % 4) * blockSize);
        received.push(Buffer.from(m.block));
        if (received.length === count) resolve();
      } else {
        others.push(m);
      }
    });
  });
  seeder.send({ type: 'have-all' });
  seeder.send({ type: 'unchoke' });
  for (let i = 0; i < count; i++) seeder.sendPiece(Math.floor(i / 4), (i % 4) * blockSize, blocks[i]!);
  await done;

  assert.ok(Buffer.concat(received).equals(Buffer.concat(blocks)), 'blocks arrive intact and in order');
  // The extension handshake came before this listener was attached.
  assert.deepEqual(
    others.map((m) => m.type),
    ['have-all', 'unchoke'],
  );
  assert.equal(leecher.downloadRate.total, count * blockSize);
  assert.equal(seeder.uploadRate.total, count * blockSize);
  assert.ok(leecher.downloadRate.rate() > 0);
  assert.equal(leecher.bytesReceived, seeder.bytesSent);
  assert.ok(seeder.bytesSent > count * (blockSize + 13) + 68);

  const leecherClosed = closed(leecher);
  const seederClosed = closed(seeder);
  seeder.destroy();
  assert.equal(seeder.destroyed, true);
  assert.equal(await seederClosed, undefined);
  assert.equal(await leecherClosed, undefined, 'remote close has no error reason');
});

test('incoming side: no info-hash, answers after "handshake"; messages sent early are held until then', { timeout: 10_000 }, async (t) => {
  const [a, b] = await tcpPair(t);
  const outgoing = new PeerWire(a, opts({ infoHash, extensions: { m: { ut_pex: 1 } } }));
  const incoming = new PeerWire(b, opts({ extensions: { m: { ut_metadata: 3 } } }));
  // The outgoing side sends its bitfield as soon as it sees the remote handshake.
  outgoing.on('handshake', () => outgoing.send({ type: 'bitfield', bitfield: Buffer.from([0xa0]) }));
  const incomingMessages = collect(incoming);
  const outgoingMessages = collect(outgoing);

  const [h] = (await once(incoming, 'handshake')) as [Handshake];
  assert.deepEqual(h.infoHash, infoHash);
  assert.equal(incoming.remoteHandshake, h);
  // Before we answer, the outgoing side cannot have sent anything but its handshake.
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(incomingMessages.length, 0);
  assert.throws(() => incoming.send({ type: 'interested' }));

  const bothExtended = Promise.all([once(incoming, 'extended-handshake'), once(outgoing, 'extended-handshake')]);
  incoming.sendHandshake(infoHash);
  incoming.send({ type: 'have-none' });
  await bothExtended;
  assert.deepEqual(
    incomingMessages.map((m) => m.type),
    ['bitfield', 'extended'],
    'the bitfield sent in the handshake listener precedes the extension handshake',
  );
  assert.deepEqual([...(incomingMessages[0] as { bitfield: Uint8Array }).bitfield], [0xa0]);
  assert.deepEqual(incoming.remoteExtensions, { m: { ut_pex: 1 } });
  assert.deepEqual(outgoing.remoteExtensions, { m: { ut_metadata: 3 } });
  assert.deepEqual(
    outgoingMessages.map((m) => m.type),
    ['have-none', 'extended'],
  );
});

test('incoming side that answers inside its "handshake" listener', { timeout: 10_000 }, async (t) => {
  const [a, b] = await tcpPair(t);
  const outgoing = new PeerWire(a, opts({ infoHash }));
  const incoming = new PeerWire(b, opts());
  incoming.on('handshake', (h) => {
    incoming.sendHandshake(h.infoHash);
    incoming.send({ type: 'unchoke' });
  });
  const [m] = (await once(outgoing, 'message')) as [Message];
  assert.equal(m.type, 'unchoke');
  assert.equal(outgoing.remoteHandshake?.peerId.length, 20);
});

/** A raw socket talking to a PeerWire, for feeding it bytes a real wire would never send. */
async function rawPeer(
  t: TestContext,
  options: Partial<PeerWireOptions> = {},
): Promise<{ raw: net.Socket; wire: PeerWire; closed: Promise<Error | undefined> }> {
  const [raw, b] = await tcpPair(t);
  raw.resume(); // discard what the wire sends, so that the remote close is seen
  const wire = new PeerWire(b, opts({ infoHash, ...options }));
  return { raw, wire, closed: closed(wire) };
}

test('an oversized length prefix closes the wire with ProtocolError', { timeout: 10_000 }, async (t) => {
  const { raw, wire, closed: done } = await rawPeer(t, { maxMessageLength: 1000 });
  let messages = 0;
  wire.on('message', () => messages++);
  raw.write(encodeHandshake(infoHash, makePeerId(), { fast: true }));
  raw.write(encodeMessage({ type: 'unchoke' }));
  raw.write(Buffer.from([0, 0, 3, 0xe9])); // 1001: one byte over the limit, no body needed to judge
  const reason = await done;
  assert.ok(reason instanceof ProtocolError, String(reason));
  assert.match(reason.message, /1001/);
  assert.equal(messages, 1);
  assert.equal(wire.destroyed, true);
  await once(raw, 'close');
});

test('the default limit admits a 1 MiB block and a bitfield of 2^20 pieces but not more', { timeout: 10_000 }, async (t) => {
  const { raw, wire, closed: done } = await rawPeer(t);
  const messages = collect(wire);
  raw.write(encodeHandshake(infoHash, makePeerId()));
  raw.write(encodeMessage({ type: 'piece', index: 0, begin: 0, block: Buffer.alloc(1 << 20, 1) }));
  raw.write(encodeMessage({ type: 'bitfield', bitfield: Buffer.alloc((1 << 20) / 8, 0xff) }));
  raw.write(Buffer.from([0, 0x10, 0, 0x0e])); // 1 MiB + 14
  const reason = await done;
  assert.ok(reason instanceof ProtocolError);
  assert.deepEqual(
    messages.map((m) => m.type),
    ['piece', 'bitfield'],
  );
});

test('garbage instead of a handshake closes the wire at once', { timeout: 10_000 }, async (t) => {
  const { raw, closed: done } = await rawPeer(t, { handshakeTimeoutMs: 10_000 });
  raw.write('GET / HTTP/1.1\r\n');
  const started = Date.now();
  const reason = await done;
  assert.ok(reason instanceof ProtocolError);
  assert.ok(Date.now() - started < 5000);
  await once(raw, 'close');
});

test('a handshake for another torrent closes an outgoing wire', { timeout: 10_000 }, async (t) => {
  const { raw, closed: done } = await rawPeer(t);
  raw.write(encodeHandshake(Buffer.alloc(20, 1), makePeerId()));
  const reason = await done;
  assert.ok(reason instanceof ProtocolError);
  assert.match(reason.message, /info-hash/);
});

test('fast-extension messages are a violation when the remote did not set the fast bit', { timeout: 10_000 }, async (t) => {
  const { raw, closed: done } = await rawPeer(t);
  raw.write(encodeHandshake(infoHash, makePeerId(), { fast: false }));
  raw.write(encodeMessage({ type: 'have-all' }));
  const reason = await done;
  assert.ok(reason instanceof ProtocolError);
});

test('a malformed known message closes; unknown ids are ignored', { timeout: 10_000 }, async (t) => {
  const { raw, wire, closed: done } = await rawPeer(t);
  const messages = collect(wire);
  raw.write(encodeHandshake(infoHash, makePeerId()));
  raw.write(Buffer.from([0, 0, 0, 3, 0x63, 1, 2])); // unknown id 99
  raw.write(encodeMessage({ type: 'have', index: 4 }));
  raw.write(Buffer.from([0, 0, 0, 3, 4, 0, 0])); // have with a 2-byte index
  const reason = await done;
  assert.ok(reason instanceof ProtocolError);
  assert.deepEqual(messages, [{ type: 'have', index: 4 }]);
});

test('handshake timeout', { timeout: 10_000 }, async (t) => {
  const { closed: done } = await rawPeer(t, { handshakeTimeoutMs: 80 });
  const started = Date.now();
  const reason = await done;
  assert.ok(reason instanceof WireTimeoutError, String(reason));
  assert.ok(Date.now() - started >= 70);
});

test('keep-alives keep an otherwise silent connection open; silence closes it', { timeout: 10_000 }, async (t) => {
  const [a, b] = await tcpPair(t);
  // The chatty side: a keep-alive every 40 ms, and nothing else.
  new PeerWire(a, opts({ infoHash, keepAliveMs: 40, idleTimeoutMs: 10_000 }));
  const listener = new PeerWire(b, opts({ infoHash, keepAliveMs: 10_000, idleTimeoutMs: 200 }));
  const heard = collect(listener);
  const listenerClosed = closed(listener);
  let closedEarly = false;
  void listenerClosed.then(() => (closedEarly = true));
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(closedEarly, false, 'keep-alives every 40 ms beat a 200 ms idle timeout');
  assert.ok(heard.length >= 5, `keep-alives heard: ${heard.length}`);
  assert.ok(heard.every((m) => m.type === 'keep-alive'));

  // The listener's keep-alives are 10 s apart, so with a 200 ms idle limit on the chatty
  // side turned on by a fresh wire, silence must close it.
  const [c, d] = await tcpPair(t);
  const silent = new PeerWire(c, opts({ infoHash, keepAliveMs: 10_000 }));
  const impatient = new PeerWire(d, opts({ infoHash, keepAliveMs: 10_000, idleTimeoutMs: 150 }));
  const started = Date.now();
  const reason = await closed(impatient);
  assert.ok(reason instanceof WireTimeoutError, String(reason));
  assert.ok(Date.now() - started >= 140, `closed after ${Date.now() - started} ms`);
  assert.equal(silent.destroyed, false);
});

test('close is emitted exactly once, and nothing after destroy', { timeout: 10_000 }, async (t) => {
  const [a, b] = await tcpPair(t);
  const one = new PeerWire(a, opts({ infoHash }));
  const two = new PeerWire(b, opts({ infoHash }));
  await once(two, 'handshake');
  let closes = 0;
  one.on('close', () => closes++);
  const messages = collect(one);
  two.send({ type: 'unchoke' });
  one.destroy(new Error('first'));
  one.destroy(new Error('second'));
  one.send({ type: 'interested' }); // a no-op, not a throw
  a.emit('error', new Error('late socket error'));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(closes, 1);
  assert.deepEqual(messages, []);
});

test('writableNeedDrain turns true past the send buffer size and "drain" follows', { timeout: 10_000 }, async (t) => {
  const [a, b] = await tcpPair(t);
  const seeder = new PeerWire(a, opts({ infoHash, sendBufferBytes: 64 * 1024 }));
  const leecher = new PeerWire(b, opts({ infoHash }));
  await once(leecher, 'handshake');
  b.pause(); // stop reading, so the sender's buffers fill
  const block = Buffer.alloc(16384);
  let sent = 0;
  while (!seeder.writableNeedDrain() && sent < 10_000) {
    seeder.sendPiece(0, 0, block);
    sent++;
  }
  assert.ok(seeder.writableNeedDrain());
  assert.ok(sent >= 4 && sent < 10_000, `sent ${sent}`);
  b.resume();
  await once(seeder, 'drain');
  assert.equal(seeder.writableNeedDrain(), false);
});

test('a ProtocolError thrown by a message listener closes the wire with it', { timeout: 10_000 }, async (t) => {
  const { raw, wire, closed: done } = await rawPeer(t);
  wire.on('message', (m) => {
    if (m.type === 'bitfield' && m.bitfield.length !== 2) throw new ProtocolError('bitfield of the wrong size');
  });
  raw.write(encodeHandshake(infoHash, makePeerId()));
  raw.write(encodeMessage({ type: 'bitfield', bitfield: Buffer.from([1, 2, 3]) }));
  const reason = await done;
  assert.ok(reason instanceof ProtocolError);
  assert.match(reason.message, /wrong size/);
});

test('an incoming peer cannot make us buffer more than a message before we answer', { timeout: 10_000 }, async (t) => {
  const { raw, wire, closed: done } = await rawPeer(t, { infoHash: undefined, maxMessageLength: 1000 });
  const handshake = once(wire, 'handshake');
  raw.write(encodeHandshake(infoHash, makePeerId()));
  await handshake;
  raw.write(encodeMessage({ type: 'piece', index: 0, begin: 0, block: Buffer.alloc(900) }));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(wire.destroyed, false, 'one message may wait');
  raw.write(encodeMessage({ type: 'piece', index: 0, begin: 0, block: Buffer.alloc(900) }));
  const reason = await done;
  assert.ok(reason instanceof ProtocolError);
  assert.match(reason.message, /before our handshake/);
});
