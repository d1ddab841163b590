import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import { announce, clearUdpConnectionCache, scrape, TrackerError } from '../../../source/engine/discovery/tracker/index.js';

const PROTOCOL_ID = 0x41727101980n;
const infoHash = Buffer.from('0123456789abcdef0123456789abcdef01234567', 'hex');
const peerId = Buffer.from('-BT0001-abcdefghijkl');
const params = { infoHash, peerId, port: 6881, uploaded: 5, downloaded: 6, left: 7 };
const fast = { udpBaseTimeoutMs: 100, udpMaxTries: 3 };

type Reply = (packet: Buffer) => void;

/** A scriptable UDP tracker; `handle` sees each packet and answers through `reply`. */
async function fakeUdpTracker(t: TestContext, handle: (packet: Buffer, reply: Reply) => void, host = '127.0.0.1') {
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const received: Buffer[] = [];
  socket.on('message', (msg, rinfo) => {
    received.push(msg);
    handle(msg, (packet) => socket.send(packet, rinfo.port, rinfo.address));
  });
  await new Promise<void>((resolve) => socket.bind(0, host, resolve));
  t.after(() => socket.close());
  clearUdpConnectionCache();
  const shown = host.includes(':') ? `[${host}]` : host;
  return { url: `udp://${shown}:${(socket.address() as AddressInfo).port}/announce`, received };
}

const actionOf = (p: Buffer) => p.readUInt32BE(8);
const tidOf = (p: Buffer) => p.readUInt32BE(12);

function connectReply(packet: Buffer, id = 0x1122334455667788n): Buffer {
  const out = Buffer.alloc(16);
  out.writeUInt32BE(0, 0);
  out.writeUInt32BE(tidOf(packet), 4);
  out.writeBigUInt64BE(id, 8);
  return out;
}

function announceReply(packet: Buffer, peers: Buffer = Buffer.from([10, 0, 0, 1, 0x1a, 0xe1])): Buffer {
  const head = Buffer.alloc(20);
  head.writeUInt32BE(1, 0);
  head.writeUInt32BE(tidOf(packet), 4);
  head.writeUInt32BE(1800, 8);
  head.writeUInt32BE(2, 12);
  head.writeUInt32BE(3, 16);
  return Buffer.concat([head, peers]);
}

function errorReply(packet: Buffer, message: string): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(3, 0);
  head.writeUInt32BE(tidOf(packet), 4);
  return Buffer.concat([head, Buffer.from(message)]);
}

/** A well-behaved tracker: connect, announce, scrape (seeders = index, completed = 100, leechers = 7). */
function wellBehaved(packet: Buffer, reply: Reply): void {
  if (packet.length >= 16 && packet.readBigUInt64BE(0) === PROTOCOL_ID && actionOf(packet) === 0) return reply(connectReply(packet));
  if (actionOf(packet) === 1) return reply(announceReply(packet));
  if (actionOf(packet) === 2) {
    const count = (packet.length - 16) / 20;
    const out = Buffer.alloc(8 + 12 * count);
    out.writeUInt32BE(2, 0);
    out.writeUInt32BE(tidOf(packet), 4);
    for (let i = 0; i < count; i++) {
      out.writeUInt32BE(packet[16 + 20 * i]!, 8 + 12 * i);
      out.writeUInt32BE(100, 12 + 12 * i);
      out.writeUInt32BE(7, 16 + 12 * i);
    }
    reply(out);
  }
}

test('UDP announce: connect, then a well-formed 98-byte announce; peers and counts parsed', async (t) => {
  const tracker = await fakeUdpTracker(t, wellBehaved);
  const result = await announce(tracker.url, { ...params, event: 'completed', key: 0xabcdef01 }, fast);
  assert.deepEqual(result, { interval: 1800, incomplete: 2, complete: 3, peers: [{ host: '10.0.0.1', port: 6881 }] });
  // Under load the 100 ms retransmission may send the connect twice before its answer lands.
  const [connect] = tracker.received;
  const request = tracker.received.find((p) => p.length > 16 && actionOf(p) === 1);
  assert.equal(connect!.length, 16);
  assert.equal(connect!.readBigUInt64BE(0), PROTOCOL_ID);
  assert.equal(request!.length, 98);
  assert.equal(request!.readBigUInt64BE(0), 0x1122334455667788n, 'uses the connection id');
  assert.equal(actionOf(request!), 1);
  assert.deepEqual(request!.subarray(16, 36), infoHash);
  assert.deepEqual(request!.subarray(36, 56), peerId);
  assert.equal(request!.readBigUInt64BE(56), 6n); // downloaded
  assert.equal(request!.readBigUInt64BE(64), 7n); // left
  assert.equal(request!.readBigUInt64BE(72), 5n); // uploaded
  assert.equal(request!.readUInt32BE(80), 1); // completed
  assert.equal(request!.readUInt32BE(88), 0xabcdef01);
  assert.equal(request!.readInt32BE(92), -1);
  assert.equal(request!.readUInt16BE(96), 6881);
});

test('UDP connection id is reused for later requests to the same tracker', async (t) => {
  const tracker = await fakeUdpTracker(t, wellBehaved);
  await announce(tracker.url, params, fast);
  await announce(tracker.url, params, fast);
  await scrape(tracker.url, [infoHash], fast);
  assert.deepEqual(tracker.received.map(actionOf), [0, 1, 1, 2]);
  clearUdpConnectionCache();
  await announce(tracker.url, params, fast);
  assert.deepEqual(tracker.received.map(actionOf).slice(4), [0, 1]);
});

test('UDP garbage, short packets, wrong transaction ids and wrong actions are ignored', async (t) => {
  const tracker = await fakeUdpTracker(t, (packet, reply) => {
    reply(Buffer.from([1, 2, 3]));
    reply(Buffer.alloc(0));
    const wrongTid = connectReply(packet);
    wrongTid.writeUInt32BE((tidOf(packet) + 1) >>> 0, 4);
    reply(wrongTid);
    const shortConnect = connectReply(packet).subarray(0, 12);
    reply(shortConnect);
    const wrongTidError = errorReply(packet, 'not for you');
    wrongTidError.writeUInt32BE((tidOf(packet) + 1) >>> 0, 4);
    reply(wrongTidError);
    if (actionOf(packet) === 1) reply(connectReply(packet)); // right tid, wrong action
    wellBehaved(packet, reply);
  });
  const result = await announce(tracker.url, params, fast);
  assert.equal(result.peers.length, 1);
});

test('UDP error action becomes a TrackerError with the message, and drops the connection id', async (t) => {
  let refuse = true;
  const tracker = await fakeUdpTracker(t, (packet, reply) => {
    if (actionOf(packet) === 1 && refuse) return reply(errorReply(packet, 'info-hash not whitelisted\0'));
    wellBehaved(packet, reply);
  });
  await assert.rejects(
    announce(tracker.url, params, fast),
    (e: unknown) => e instanceof TrackerError && e.reason === 'info-hash not whitelisted' && e.message.startsWith(`${tracker.url}: `),
  );
  refuse = false;
  await announce(tracker.url, params, fast);
  assert.deepEqual(tracker.received.map(actionOf), [0, 1, 0, 1]);
});

test('UDP no answer: retransmits with doubling timeouts, then gives up', async (t) => {
  const tracker = await fakeUdpTracker(t, () => {});
  const started = Date.now();
  await assert.rejects(
    scrape(tracker.url, [infoHash], { udpBaseTimeoutMs: 50, udpMaxTries: 3 }),
    (e: unknown) => e instanceof TrackerError && e.reason === 'no answer after 3 tries (tracker down?)',
  );
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 340 && elapsed < 1500, `50+100+200 ms expected, took ${elapsed}`);
  assert.equal(tracker.received.length, 3);
  assert.ok(tracker.received.every((p) => actionOf(p) === 0));
});

test('UDP retransmission recovers when a later try is answered', async (t) => {
  let dropped = 0;
  const tracker = await fakeUdpTracker(t, (packet, reply) => {
    if (actionOf(packet) === 1 && dropped++ < 1) return;
    wellBehaved(packet, reply);
  });
  const result = await announce(tracker.url, params, fast);
  assert.equal(result.complete, 3);
  assert.deepEqual(tracker.received.map(actionOf), [0, 1, 1]);
});

test('UDP scrape splits many hashes over several packets and maps each', async (t) => {
  const tracker = await fakeUdpTracker(t, wellBehaved);
  const hashes = Array.from({ length: 75 }, (_, i) => Buffer.alloc(20, i));
  const stats = await scrape(tracker.url, hashes, fast);
  assert.equal(stats.size, 75);
  assert.deepEqual(stats.get(Buffer.alloc(20, 74).toString('hex')), { complete: 74, downloaded: 100, incomplete: 7 });
  const scrapes = tracker.received.filter((p) => actionOf(p) === 2);
  assert.deepEqual(
    scrapes.map((p) => (p.length - 16) / 20),
    [70, 5],
  );
});

test('UDP scrape reply cut short: hashes without an entry are absent', async (t) => {
  const tracker = await fakeUdpTracker(t, (packet, reply) => {
    if (actionOf(packet) !== 2) return wellBehaved(packet, reply);
    const out = Buffer.alloc(8 + 12 + 5);
    out.writeUInt32BE(2, 0);
    out.writeUInt32BE(tidOf(packet), 4);
    out.writeUInt32BE(9, 8);
    reply(out);
  });
  const stats = await scrape(tracker.url, [infoHash, Buffer.alloc(20, 1)], fast);
  assert.deepEqual([...stats.keys()], [infoHash.toString('hex')]);
});

test('UDP abort signal and overall deadline stop the wait at once', async (t) => {
  const tracker = await fakeUdpTracker(t, () => {});
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error('cancelled')), 50);
  const started = Date.now();
  await assert.rejects(announce(tracker.url, params, { signal: controller.signal }), /cancelled/);
  await assert.rejects(announce(tracker.url, params, { timeoutMs: 100 }), /no answer within 0.1 s/);
  assert.ok(Date.now() - started < 1000);
});

test('UDP: refused port and unknown host give clear errors', async () => {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = (socket.address() as AddressInfo).port;
  await new Promise<void>((resolve) => socket.close(resolve));
  await assert.rejects(
    announce(`udp://127.0.0.1:${port}`, params, fast),
    (e: unknown) => e instanceof TrackerError && /refused/.test(e.reason),
  );
  await assert.rejects(scrape('udp://no-such-host.invalid:6969/announce', [infoHash], fast), /cannot resolve host 'no-such-host.invalid'/);
});

test('UDP over IPv6 (BEP 15 on a v6 address): the tracker at [::1] answers with 18-byte peers', async (t) => {
  const v6peers = Buffer.concat([
    Buffer.from('20010db8000000000000000000000001', 'hex'),
    Buffer.from([0x1a, 0xe1]),
    Buffer.from('00000000000000000000000000000001', 'hex'),
    Buffer.from([0xc8, 0xd5]),
  ]);
  const tracker = await fakeUdpTracker(
    t,
    (packet, reply) => {
      if (actionOf(packet) === 0) return reply(connectReply(packet));
      if (actionOf(packet) === 1) return reply(announceReply(packet, v6peers));
    },
    '::1',
  );
  const result = await announce(tracker.url, params, fast);
  assert.deepEqual(result.peers, [
    { host: '2001:db8::1', port: 6881 },
    { host: '::1', port: 51413 },
  ]);
  assert.ok(tracker.received.some((p) => p.length === 98 && actionOf(p) === 1));
});
