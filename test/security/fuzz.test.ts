/**
 * Promise: whatever bytes arrive, the parsers facing the network and the user's files
 * only ever throw their own typed errors, and memory stays bounded. 100,000 generated
 * inputs per parser under CI (CI=true), fewer locally.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { BencodeError, decode, dict, encode, type BValue } from '../../source/engine/codec/bencode.js';
import { isAcceptableKrpc } from '../../source/engine/discovery/dht-guard.js';
import { fromNetwork, StandInAddresses } from '../../source/engine/discovery/dht-ipv6.js';
import { MetainfoError, parseMetainfo } from '../../source/engine/metainfo/metainfo.js';
import { decodeMetadataMessage } from '../../source/engine/extensions/ut-metadata-messages.js';
import { parseAnnounceReply, parseScrapeReply } from '../../source/engine/discovery/tracker/http-tracker.js';
import { TrackerError } from '../../source/engine/discovery/tracker/errors.js';
import { parseUdpAnnounce, parseUdpScrape, udpErrorText, udpReplyHeader } from '../../source/engine/discovery/tracker/udp-messages.js';
import { Framer } from '../../source/engine/wire/framer.js';
import { decodeExtensionHandshake } from '../../source/engine/wire/extension.js';
import { decodeHandshake, encodeHandshake } from '../../source/engine/wire/handshake.js';
import { ProtocolError, tryDecodeMessage } from '../../source/engine/wire/messages.js';
import { DEFAULT_MAX_MESSAGE_LENGTH } from '../../source/engine/wire/peer-wire.js';
import { MseError, MseInitiator, MseResponder, req2Hash } from '../../source/engine/transport/mse/handshake.js';
import { CRYPTO_PLAINTEXT, CRYPTO_RC4 } from '../../source/engine/transport/mse/policy.js';
import { randomTorrent } from '../helpers/swarm.js';
import { gc } from '../helpers/gc.js';

export const FUZZ_RUNS = process.env.CI ? 100_000 : 3_000;
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);

/** Heap plus buffers after a full collection. */
function liveBytes(): number {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Runs the property FUZZ_RUNS times and checks that live memory did not grow by more than `limitMb`. */
function fuzz<T>(t: import('node:test').TestContext, arbitrary: fc.Arbitrary<T>, check: (input: T) => void, limitMb = 64): void {
  const before = liveBytes();
  let peak = 0;
  let n = 0;
  fc.assert(
    fc.property(arbitrary, (input) => {
      check(input);
      if (++n % 10_000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }),
    { numRuns: FUZZ_RUNS, seed: SEED },
  );
  const grown = (liveBytes() - before) / 2 ** 20;
  assert.ok(grown < limitMb, `live memory grew by ${grown.toFixed(1)} MB over ${FUZZ_RUNS} inputs`);
  t.diagnostic(
    `${FUZZ_RUNS} inputs (seed ${SEED}), live memory ${grown >= 0 ? '+' : ''}${grown.toFixed(1)} MB${peak ? `, peak RSS ${(peak / 2 ** 20).toFixed(0)} MB` : ''}`,
  );
}

/** Only `type` may be thrown. */
function onlyThrows(type: new (...args: never[]) => Error, fn: () => unknown): unknown {
  try {
    return fn();
  } catch (error) {
    if (error instanceof type) return undefined;
    throw error;
  }
}

/** A valid encoding with a few bytes replaced, removed or inserted, or cut short. */
function mutated(base: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  const edit = fc.tuple(fc.nat(), fc.integer({ min: -2, max: 255 }));
  return fc.tuple(base, fc.array(edit, { minLength: 1, maxLength: 6 }), fc.option(fc.nat())).map(([bytes, edits, cut]) => {
    const out = [...bytes];
    for (const [at, byte] of edits) {
      if (out.length === 0) break;
      const i = at % out.length;
      if (byte === -1) out.splice(i, 1);
      else if (byte === -2) out.splice(i, 0, out[(i * 7) % out.length]!);
      else out[i] = byte;
    }
    if (cut !== null && out.length > 0) out.length = cut % out.length;
    return Uint8Array.from(out);
  });
}

const bvalue: fc.Arbitrary<BValue> = fc.letrec<{ v: BValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.integer(),
    fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
    fc.uint8Array({ maxLength: 24 }),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.array(fc.tuple(fc.string({ maxLength: 8 }), tie('v')), { maxLength: 4 }).map((entries) => new Map(entries)),
  ),
})).v;

test('fuzz: bencode decoder throws only BencodeError, on random and mutated input', (t) => {
  const input = fc.oneof(
    fc.uint8Array({ maxLength: 96 }),
    mutated(bvalue.map((v) => encode(v))),
    fc.constantFrom(Buffer.from('4294967295:x'), Buffer.from('l'.repeat(5000))),
  );
  fuzz(t, input, (bytes) => onlyThrows(BencodeError, () => decode(bytes)));
});

test('fuzz: metainfo parser throws only MetainfoError on mutated .torrent files and odd field types', (t) => {
  const samples = [randomTorrent({ sizes: [40_000, 3, 9000] }), randomTorrent({ sizes: [70_000], single: true })].map((s) =>
    encode(s.meta.raw),
  );
  const withOddField = fc
    .tuple(fc.constantFrom('name', 'piece length', 'pieces', 'length', 'files', 'private', 'meta version', 'file tree'), bvalue)
    .map(([key, value]) => {
      const info = dict({ name: 'x', 'piece length': 16384, length: 100, pieces: Buffer.alloc(20) });
      info.set(key, value);
      return encode(dict({ info, announce: 'http://a/' }));
    });
  const input = fc.oneof(mutated(fc.constantFrom(...samples)), withOddField, fc.uint8Array({ maxLength: 64 }));
  fuzz(t, input, (bytes) => onlyThrows(MetainfoError, () => parseMetainfo(bytes)));
});

test('fuzz: wire framer and message decoder throw only ProtocolError, whatever the bytes and however they are split', (t) => {
  const message = fc.oneof(
    fc.tuple(fc.integer({ min: 0, max: 24 }), fc.uint8Array({ maxLength: 40 })).map(([id, body]) => {
      const out = Buffer.alloc(5 + body.length);
      out.writeUInt32BE(1 + body.length, 0);
      out[4] = id;
      Buffer.from(body).copy(out, 5);
      return out;
    }),
    fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b)),
    fc.constantFrom(Buffer.from([0xff, 0xff, 0xff, 0xff]), Buffer.from([0, 0x10, 0, 14, 7])),
  );
  const stream = fc.tuple(fc.array(message, { maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }));
  fuzz(t, stream, ([messages, cuts]) => {
    const bytes = Buffer.concat(messages);
    const framer = new Framer(DEFAULT_MAX_MESSAGE_LENGTH);
    let at = 0;
    let k = 0;
    try {
      while (at < bytes.length) {
        const end = Math.min(bytes.length, at + cuts[k++ % cuts.length]!);
        framer.push(bytes.subarray(at, end));
        at = end;
        for (let body = framer.next(); body !== null; body = framer.next()) {
          const m = tryDecodeMessage(body);
          if (m?.type === 'extended' && m.id === 0) decodeExtensionHandshake(m.payload);
        }
      }
      assert.ok(framer.length <= DEFAULT_MAX_MESSAGE_LENGTH + 4);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
    }
  });
});

test('fuzz: handshakes, extension handshakes and ut_metadata messages never throw anything untyped', (t) => {
  const good = encodeHandshake(Buffer.alloc(20, 1), Buffer.alloc(20, 2), { extended: true, fast: true, dht: false });
  const input = fc.oneof(mutated(fc.constant(good)), fc.uint8Array({ maxLength: 80 }), mutated(bvalue.map((v) => encode(v))));
  fuzz(t, input, (bytes) => {
    const buf = Buffer.from(bytes);
    onlyThrows(ProtocolError, () => decodeHandshake(buf));
    onlyThrows(ProtocolError, () => decodeExtensionHandshake(buf));
    decodeMetadataMessage(buf);
  });
});

test('fuzz: HTTP tracker replies throw only TrackerError and yield only valid peers', (t) => {
  const reply = fc
    .record({
      peers: fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.array(bvalue, { maxLength: 3 }), bvalue),
      interval: bvalue,
      complete: bvalue,
      'failure reason': fc.option(bvalue),
      files: bvalue,
    })
    .map((r) => {
      const d = new Map<string, BValue>();
      for (const [k, v] of Object.entries(r)) if (v !== null) d.set(k, v as BValue);
      return encode(d);
    });
  const input = fc.oneof(reply, mutated(reply), fc.uint8Array({ maxLength: 64 }));
  fuzz(t, input, (bytes) => {
    const result = onlyThrows(TrackerError, () => parseAnnounceReply('http://t/announce', bytes)) as
      | ReturnType<typeof parseAnnounceReply>
      | undefined;
    for (const p of result?.peers ?? []) assert.ok(p.port > 0 && p.port <= 65535 && typeof p.host === 'string');
    if (result) assert.ok(Number.isFinite(result.interval) && result.interval >= 0);
    onlyThrows(TrackerError, () => parseScrapeReply('http://t/announce', bytes));
  });
});

test('fuzz: UDP tracker replies parse without throwing and yield only valid peers', (t) => {
  const hashes = [Buffer.alloc(20, 1), Buffer.alloc(20, 2)];
  fuzz(t, fc.tuple(fc.uint8Array({ maxLength: 200 }), fc.boolean()), ([bytes, ipv6]) => {
    const header = udpReplyHeader(bytes);
    if (!header) return assert.ok(bytes.length < 8);
    assert.ok(udpErrorText(bytes).length <= 201);
    if (bytes.length >= 20) {
      const r = parseUdpAnnounce(bytes, ipv6);
      for (const p of r.peers) assert.ok(p.port > 0 && p.port <= 65535);
      assert.ok(r.peers.length <= (bytes.length - 20) / 6);
    }
    const s = parseUdpScrape(bytes, hashes);
    assert.ok(s.size <= hashes.length);
  });
});

test('fuzz: the DHT packet gate answers true or false, never throws, for any datagram', (t) => {
  const id = fc.uint8Array({ minLength: 20, maxLength: 20 });
  const krpc = fc
    .oneof(
      fc.record({
        t: fc.uint8Array({ maxLength: 4 }),
        y: fc.constant(Buffer.from('q')),
        q: fc.constantFrom('ping', 'find_node', 'get_peers', 'announce_peer').map((s) => Buffer.from(s)),
        a: fc
          .record({ id, info_hash: id, target: id, port: bvalue, token: bvalue })
          .map((a) => new Map(Object.entries(a) as [string, BValue][])),
      }),
      fc.record({
        t: fc.uint8Array({ maxLength: 4 }),
        y: fc.constant(Buffer.from('r')),
        r: fc
          .record({ id, nodes: fc.uint8Array({ maxLength: 60 }), values: fc.array(bvalue, { maxLength: 3 }) })
          .map((r) => new Map(Object.entries(r) as [string, BValue][])),
      }),
    )
    .map((m) => encode(new Map(Object.entries(m) as [string, BValue][])));
  const input = fc.oneof(krpc, mutated(krpc), fc.uint8Array({ maxLength: 128 }));
  let accepted = 0;
  fuzz(t, input, (bytes) => {
    const ok = isAcceptableKrpc(bytes);
    assert.equal(typeof ok, 'boolean');
    if (ok) accepted++;
  });
  assert.ok(accepted > 0, 'some generated packets are well formed');
});

test('fuzz: the IPv6 DHT gate and its translation (dht-ipv6.ts) never throw for what the gate lets through, and put out only well-formed IPv4 packets', (t) => {
  const id = fc.uint8Array({ minLength: 20, maxLength: 20 });
  const response = fc
    .record({
      t: fc.uint8Array({ minLength: 1, maxLength: 4 }),
      y: fc.constant(Buffer.from('r')),
      r: fc
        .record({
          id,
          nodes6: fc.array(fc.uint8Array({ minLength: 38, maxLength: 38 }), { maxLength: 4 }).map((l) => Buffer.concat(l)),
          values: fc.array(fc.uint8Array({ minLength: 18, maxLength: 18 }), { maxLength: 4 }),
          token: fc.uint8Array({ maxLength: 8 }),
        })
        .map((r) => new Map(Object.entries(r) as [string, BValue][])),
    })
    .map((m) => encode(new Map(Object.entries(m) as [string, BValue][])));
  const addresses = new StandInAddresses(1000);
  let accepted = 0;
  fuzz(t, fc.oneof(response, mutated(response), fc.uint8Array({ maxLength: 128 })), (bytes) => {
    if (!isAcceptableKrpc(bytes, true)) return;
    accepted++;
    const out = fromNetwork(bytes, addresses);
    if (out) assert.ok(isAcceptableKrpc(out, false), 'what the library gets passes the IPv4 gate');
  });
  assert.ok(addresses.size <= 1000, 'the stand-in table stays within its cap');
  assert.ok(accepted > 0, 'some generated packets are well formed');
});

test("fuzz: the MSE/PE handshake throws only MseError when an honest initiator's bytes are mutated on the way, however split", (t) => {
  // Each run does four 768-bit exponentiations: fewer runs than the parsers get.
  const runs = Math.min(FUZZ_RUNS, 1500);
  const skey = Buffer.alloc(20, 9);
  const edits = fc.array(fc.tuple(fc.nat(), fc.integer({ min: -2, max: 255 })), { maxLength: 4 });
  const input = fc.tuple(
    edits,
    fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 6 }),
    fc.option(fc.nat({ max: 800 })),
  );
  let completed = 0;
  fc.assert(
    fc.property(input, ([changes, cuts, cut]) => {
      const toB: Buffer[] = [];
      const toA: Buffer[] = [];
      const a = new MseInitiator({ skey, provide: CRYPTO_RC4 | CRYPTO_PLAINTEXT, initialPayload: randomBytes(68) }, (b) => toB.push(b));
      const b = new MseResponder({ infoHashFor: (h) => (h.equals(req2Hash(skey)) ? skey : undefined), select: () => CRYPTO_RC4 }, (x) =>
        toA.push(x),
      );
      a.start();
      try {
        // Yb back to A, then A's third message: both of A's messages get mutated.
        b.receive(Buffer.concat(toB.splice(0)).subarray(0, 96));
        a.receive(Buffer.concat(toA.splice(0)));
        let bytes = Buffer.concat([...toB.splice(0)]);
        for (const [at, value] of changes) {
          const i = at % (bytes.length + 1);
          if (value === -1) bytes = Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + 1)]);
          else if (value === -2) bytes = Buffer.concat([bytes.subarray(0, i), Buffer.from([at & 0xff]), bytes.subarray(i)]);
          else if (i < bytes.length) bytes[i] = value;
        }
        if (cut !== null) bytes = bytes.subarray(0, cut);
        let at = 0;
        let k = 0;
        while (at < bytes.length && !b.done) {
          const end = Math.min(bytes.length, at + cuts[k++ % cuts.length]!);
          b.receive(bytes.subarray(at, end));
          at = end;
        }
        if (b.done) completed++;
      } catch (error) {
        if (!(error instanceof MseError)) throw error;
      }
    }),
    { numRuns: runs, seed: SEED },
  );
  t.diagnostic(`${runs} handshakes (seed ${SEED}), ${completed} completed despite the edits (padding, or none made)`);
});
