/** The send window's rules on their own: LEDBAT's growth and cuts, RTO, fast resend, reordering and SACK. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UtpConnection, type ConnectionIo } from '../../../../source/engine/transport/utp/connection.js';
import { Ledbat } from '../../../../source/engine/transport/utp/ledbat.js';
import { decodePacket, encodePacket, PacketType, type UtpPacket } from '../../../../source/engine/transport/utp/packet.js';
import { RttEstimator } from '../../../../source/engine/transport/utp/rtt.js';

const PACKET = 1000;

test('LEDBAT: slow start doubles per window at zero delay, then grows by at most the gain per round trip', () => {
  const l = new Ledbat({ packetBytes: PACKET });
  l.delaySample(50_000, 0); // the base delay: queuing delay 0 from here
  const start = l.window;
  l.acked(start, true);
  assert.equal(l.window, 2 * start, 'slow start: one window acked doubles it');
  l.lost();
  assert.equal(l.window, start, 'a loss halves it and ends slow start');
  const before = l.window;
  l.acked(before, true); // one window's worth acked at zero queuing delay
  assert.ok(l.window > before && l.window <= before + PACKET, `grew by ${l.window - before}`);
  l.acked(before, false);
  assert.ok(l.window - before <= PACKET, 'an application-limited sender does not grow its window');
});

test('LEDBAT: queuing delay above the 100 ms target shrinks the window; below it grows', () => {
  const l = new Ledbat({ packetBytes: PACKET });
  l.delaySample(10_000, 0);
  l.acked(l.window, true);
  l.acked(l.window, true);
  l.lost(); // out of slow start, at 4 packets
  const w0 = l.window;
  for (let i = 0; i < 3; i++) l.delaySample(10_000 + 200_000, 1000 + i); // 200 ms queued: twice the target
  assert.equal(l.queuingDelayUs, 200_000);
  l.acked(w0, true);
  assert.ok(l.window < w0, `${l.window} < ${w0}`);
  for (let i = 0; i < 3; i++) l.delaySample(10_000 + 20_000, 2000 + i);
  const w1 = l.window;
  l.acked(w1, true);
  assert.ok(l.window > w1);
  l.timedOut();
  assert.equal(l.window, PACKET, 'a timeout starts again from one packet');
});

test('LEDBAT: at zero queuing delay the window grows by at most one packet per round trip (RFC 6817 GAIN 1, as TCP)', () => {
  const l = new Ledbat({ packetBytes: PACKET });
  l.delaySample(30_000, 0);
  l.lost(); // out of slow start
  for (let rtt = 0; rtt < 20; rtt++) {
    const before = l.window;
    // one window acknowledged, a packet at a time
    for (let acked = 0; acked < before; acked += PACKET) l.acked(PACKET, true);
    assert.ok(l.window - before <= PACKET + 1e-9, `round trip ${rtt}: grew by ${l.window - before}`);
    assert.ok(l.window > before);
  }
});

test('LEDBAT: over the target the window shrinks every round trip until the delay is back under it', () => {
  const l = new Ledbat({ packetBytes: PACKET });
  l.delaySample(10_000, 0);
  for (let i = 0; i < 6; i++) l.acked(l.window, true); // slow start to 64 packets
  l.lost();
  const start = l.window;
  let now = 1;
  for (let rtt = 0; rtt < 10; rtt++) {
    for (let i = 0; i < 3; i++) l.delaySample(10_000 + 300_000, now++); // a 300 ms queue, three times the target
    const before = l.window;
    l.acked(before, true);
    assert.ok(l.window <= before - 2 * 3000 + 1e-9, `round trip ${rtt}: ${before} -> ${l.window}`);
  }
  assert.ok(l.window < start - 50_000, `${start} -> ${l.window}`);
});

test('LEDBAT: timestamp differences that wrap past 2^32 are a little more delay, not 71 minutes less', () => {
  // The two hosts' clocks put the one-way delay just under the wrap: 2^32 - 2 ms.
  const l = new Ledbat({ packetBytes: PACKET });
  const base = 2 ** 32 - 2_000;
  l.delaySample(base, 0);
  for (let i = 0; i < 3; i++) l.delaySample((base + 30_000) % 2 ** 32, 10 + i); // 30 ms of queue, wrapped
  assert.equal(l.queuingDelayUs, 30_000);
  for (let i = 0; i < 3; i++) l.delaySample(base + 1_000, 20 + i); // back before the wrap
  assert.equal(l.queuingDelayUs, 1_000);
  // A new least sample across the wrap the other way becomes the base.
  const l2 = new Ledbat({ packetBytes: PACKET });
  l2.delaySample(500, 0);
  for (let i = 0; i < 3; i++) l2.delaySample(2 ** 32 - 500, 10 + i); // 1 ms less than the first
  for (let i = 0; i < 3; i++) l2.delaySample(20_000, 20 + i);
  assert.equal(l2.queuingDelayUs, 20_500);
});

test('LEDBAT: the base delay is the least sample of the last two minutes', () => {
  const l = new Ledbat({ packetBytes: PACKET });
  l.delaySample(5_000, 0);
  for (let i = 0; i < 3; i++) l.delaySample(80_000, 60_000 + i);
  assert.equal(l.queuingDelayUs, 75_000);
  for (let i = 0; i < 3; i++) l.delaySample(80_000, 120_000 + i); // the first minute has aged out
  assert.equal(l.queuingDelayUs, 0);
});

test('RTO: srtt + 4 rttvar, at least 500 ms, doubling on each timeout until an ack', () => {
  const r = new RttEstimator();
  assert.equal(r.rto, 1000, 'before any sample');
  r.sample(100);
  assert.equal(r.rto, 500, 'the floor');
  for (let i = 0; i < 20; i++) r.sample(400);
  assert.ok(r.rto > 400 && r.rto < 700, `${r.rto}`);
  const rto = r.rto;
  r.timedOut();
  r.timedOut();
  assert.equal(r.rto, 4 * rto);
  r.acknowledged();
  assert.equal(r.rto, rto);
});

/** A connection whose packets land in `sent`, on a clock the test moves. */
function harness() {
  const sent: UtpPacket[] = [];
  let now = 0;
  const io: ConnectionIo = {
    send: (p) => sent.push(decodePacket(Buffer.from(p))!),
    nowMs: () => now,
    nowUs: () => (now * 1000) >>> 0,
    scheduleAck: (c) => queueMicrotask(() => c.flushAcks()),
  };
  const c = new UtpConnection(io, 100, 101, { packetBytes: PACKET }, 1000);
  return { c, sent, advance: (ms: number) => (now += ms) };
}

const tick = () => new Promise((r) => setImmediate(r));

function state(ack: number, sack?: number[]): UtpPacket {
  const bits = sack ? Uint8Array.from([0, 0, 0, 0]) : undefined;
  for (const s of sack ?? []) bits![(s - ack - 2) >> 3]! |= 1 << ((s - ack - 2) & 7);
  return decodePacket(
    encodePacket({
      type: PacketType.State,
      connectionId: 100,
      timestamp: 0,
      timestampDiff: 0,
      windowSize: 1 << 20,
      seq: 500,
      ack,
      sack: bits,
      payload: Buffer.alloc(0),
    }),
  )!;
}

async function connected() {
  const h = harness();
  h.c.connect();
  assert.equal(h.sent[0]!.type, PacketType.Syn);
  assert.equal(h.sent[0]!.connectionId, 100, 'a SYN carries our receive id');
  h.c.receive(state(1000)); // the SYN-ACK: their first DATA will be 500
  assert.equal(h.c.state, 'connected');
  h.sent.length = 0;
  return h;
}

test('three duplicate acks resend the oldest unacked packet before any timeout', async () => {
  const h = await connected();
  h.c.write(Buffer.alloc(4 * PACKET, 1));
  await tick();
  assert.deepEqual(
    h.sent.map((p) => p.seq),
    [1001, 1002],
    'the initial window is two packets',
  );
  h.c.receive(state(1000));
  h.c.receive(state(1000));
  assert.equal(h.sent.length, 2);
  const window = h.c.ledbat.window;
  h.c.receive(state(1000));
  assert.equal(h.sent[2]!.seq, 1001, 'fast resend of the oldest');
  assert.equal(h.sent[2]!.payload.length, PACKET);
  assert.equal(h.c.ledbat.window, Math.max(PACKET, window / 2), 'the loss halved the window');
});

test('a connection whose acks carry timestamp differences on both sides of the wrap keeps growing its window', async () => {
  const h = await connected();
  h.c.write(Buffer.alloc(200 * PACKET, 4));
  await tick();
  // The one-way delay as the peer's clock and ours see it sits 1 ms under 2^32, with 2.1 ms of
  // jitter: some acks say 2^32 - 1000 + j, the others (past the wrap) a few hundred µs.
  const jitter = [0, 300, 600, 900, 1200, 1500, 1800, 2100];
  let acked = 1000;
  let n = 0;
  for (let round = 0; round < 12; round++) {
    const last = h.sent.at(-1)!.seq;
    while (acked !== last) {
      acked++;
      const p = state(acked);
      p.timestampDiff = (2 ** 32 - 1000 + jitter[n++ % jitter.length]!) % 2 ** 32;
      h.c.receive(p);
      h.advance(1);
    }
    await tick();
  }
  assert.ok(h.c.ledbat.queuingDelayUs <= 2_100, `queuing delay ${h.c.ledbat.queuingDelayUs} µs`);
  assert.ok(h.c.ledbat.window > 8 * PACKET, `window ${h.c.ledbat.window}`);
});

test('three packets acknowledged selectively past a hole resend the hole', async () => {
  const h = await connected();
  h.c.write(Buffer.alloc(20 * PACKET, 2));
  await tick();
  for (let ack = 1001; ack <= 1004; ack++) h.c.receive(state(ack)); // slow start opens the window
  const out = h.sent.map((p) => p.seq);
  assert.ok(out.length >= 8, `sent ${out}`);
  h.sent.length = 0;
  h.c.receive(state(1004, [1006, 1007, 1008])); // 1005 lost
  assert.equal(h.sent.find((p) => p.seq === 1005)?.payload.length, PACKET, 'the hole was resent');
});

test('a timeout resends the oldest packet, with the window back to one packet', async () => {
  const h = await connected();
  h.c.write(Buffer.alloc(2 * PACKET, 3));
  await tick();
  h.sent.length = 0;
  h.advance(499);
  h.c.tick();
  assert.equal(h.sent.length, 0, 'not before the RTO (its 500 ms floor: the SYN measured a round trip of 0)');
  h.advance(2);
  h.c.tick();
  assert.deepEqual(
    h.sent.map((p) => p.seq),
    [1001],
  );
  assert.equal(h.c.ledbat.window, PACKET);
});

test('out-of-order data is held, acknowledged selectively, and delivered in order once the hole is filled', async () => {
  const h = await connected();
  const got: string[] = [];
  h.c.handlers.data = (b) => got.push(b.toString());
  const data = (seq: number, text: string) =>
    decodePacket(
      encodePacket({
        type: PacketType.Data,
        connectionId: 100,
        timestamp: 0,
        timestampDiff: 0,
        windowSize: 1 << 20,
        seq,
        ack: 1000,
        payload: Buffer.from(text),
      }),
    )!;
  h.c.receive(data(502, 'c'));
  h.c.receive(data(501, 'b'));
  await tick();
  assert.deepEqual(got, []);
  const ack = h.sent.at(-1)!;
  assert.equal(ack.type, PacketType.State);
  assert.equal(ack.ack, 499, 'nothing in order yet');
  assert.deepEqual([...ack.sack!], [0b11, 0, 0, 0], '501 and 502 held (bit 0 is ack + 2)');
  h.c.receive(data(500, 'a'));
  h.c.receive(data(500, 'a')); // a duplicate changes nothing
  await tick();
  assert.deepEqual(got, ['a', 'b', 'c']);
  assert.equal(h.sent.at(-1)!.ack, 502);
  assert.equal(h.sent.at(-1)!.sack, undefined);
});
