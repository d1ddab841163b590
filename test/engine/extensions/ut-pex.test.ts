import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encode } from '../../../source/engine/codec/bencode.js';
import { decodePex, encodePex, PEX_REACHABLE, PEX_SEED, PEX_UTP } from '../../../source/engine/extensions/pex-codec.js';
import { ipBytes } from '../../../source/engine/extensions/ip-bytes.js';
import { UtPex, usable, type PexSwarm } from '../../../source/engine/extensions/ut-pex.js';
import type { ExtensionPeer } from '../../../source/engine/extensions/extension-api.js';
import type { PeerAddress } from '../../../source/engine/discovery/tracker/types.js';

test('ipBytes: IPv4, IPv6 with ::, mapped IPv4, and non-addresses', () => {
  assert.deepEqual([...ipBytes('10.1.2.3')!], [10, 1, 2, 3]);
  assert.deepEqual([...ipBytes('::1')!], [...new Array(15).fill(0), 1]);
  assert.deepEqual([...ipBytes('2001:db8::ff:1')!], [0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0, 1]);
  assert.deepEqual([...ipBytes('::ffff:1.2.3.4')!].slice(10), [0xff, 0xff, 1, 2, 3, 4]);
  assert.equal(ipBytes('example.org'), undefined);
  assert.equal(ipBytes('1.2.3'), undefined);
});

test('ut_pex messages round-trip with flags, IPv4 and IPv6', () => {
  const payload = encodePex({
    added: [
      { host: '127.0.0.2', port: 6881, flags: PEX_SEED | PEX_REACHABLE },
      { host: '2001:db8::1', port: 51413, flags: PEX_REACHABLE },
      { host: '10.0.0.1', port: 1, flags: 0 },
    ],
    dropped: [{ host: '192.168.1.9', port: 4000 }],
  });
  const back = decodePex(payload);
  assert.deepEqual(back.added, [
    { host: '127.0.0.2', port: 6881, flags: PEX_SEED | PEX_REACHABLE },
    { host: '10.0.0.1', port: 1, flags: 0 },
    { host: '2001:db8::1', port: 51413, flags: PEX_REACHABLE },
  ]);
  assert.deepEqual(back.dropped, [{ host: '192.168.1.9', port: 4000 }]);
});

test('ut_pex decoding is lenient about keys and strict about the payload type', () => {
  // Port-0 entries are dropped without shifting the flags of the others; a ragged tail is ignored.
  const added = Buffer.from([1, 2, 3, 4, 0, 0, 5, 6, 7, 8, 0x1a, 0xe1, 9, 9]);
  const m = decodePex(
    encode(
      new Map<string, any>([
        ['added', added],
        ['added.f', Buffer.from([0, 2])],
        ['dropped', 5],
      ]),
    ),
  );
  assert.deepEqual(m.added, [{ host: '5.6.7.8', port: 6881, flags: 2 }]);
  assert.deepEqual(m.dropped, []);
  assert.throws(() => decodePex(Buffer.from('i5e')));
  assert.throws(() => decodePex(Buffer.from('garbage')));
});

test('usable: only unicast addresses', () => {
  for (const ok of ['127.0.0.1', '8.8.8.8', '::1', '2001:db8::1']) assert.ok(usable(ok), ok);
  for (const bad of ['0.0.0.0', '0.1.2.3', '224.0.0.1', '255.255.255.255', '::', 'ff02::1', 'localhost']) assert.ok(!usable(bad), bad);
});

function fakePeer(id: string, sent: Buffer[], p?: number): ExtensionPeer & { closed?: string } {
  const peer: ExtensionPeer & { closed?: string } = {
    id,
    host: '127.0.0.9',
    port: 40000,
    remote: { m: { ut_pex: 1 }, p },
    send: (payload) => sent.push(payload),
    disconnect: (reason) => (peer.closed = reason),
  };
  return peer;
}

test('UtPex sends a diff at most once per interval, never the peer itself, at most 50 added', async (t) => {
  let now = 1_000_000;
  let connected = Array.from({ length: 70 }, (_, i) => ({ id: `p${i}`, host: '127.0.1.1', port: 1000 + i, flags: 0 }));
  connected.push({ id: 'them', host: '127.0.0.9', port: 40000, flags: 0 });
  const swarm: PexSwarm = { pexPeers: () => connected, learnPeers: () => undefined };
  const pex = new UtPex(swarm, { intervalMs: 60_000, now: () => now });
  t.after(() => pex.close());
  const sent: Buffer[] = [];
  pex.onPeer(fakePeer('them', sent));
  pex.tick();
  assert.equal(sent.length, 1);
  const first = decodePex(sent[0]!);
  assert.equal(first.added.length, 50);
  assert.ok(!first.added.some((p) => p.port === 40000), 'the peer is not told about itself');
  now += 30_000;
  pex.tick();
  assert.equal(sent.length, 1, 'no second message within the interval');
  now += 30_000;
  connected = connected.filter((p) => p.id !== 'p0');
  pex.tick();
  assert.equal(sent.length, 2);
  const second = decodePex(sent[1]!);
  assert.deepEqual(second.dropped, [{ host: '127.0.1.1', port: 1000 }]);
  assert.equal(second.added.length, 20, 'the 20 not sent before');
  now += 60_000;
  pex.tick();
  assert.equal(sent.length, 2, 'nothing changed: nothing sent');
});

test('UtPex learns within limits: rate, count, garbage', (t) => {
  let now = 5_000_000;
  const learned: PeerAddress[][] = [];
  const pex = new UtPex({ pexPeers: () => [], learnPeers: (peers) => learned.push(peers) }, { now: () => now });
  t.after(() => pex.close());
  const peer = fakePeer('x', []);
  pex.onPeer(peer);
  const many = Array.from({ length: 300 }, (_, i) => ({ host: `10.0.${i >> 8}.${(i & 255) + 1}`, port: 7000, flags: 0 }));
  pex.onMessage(
    peer,
    encodePex({ added: [{ host: '0.0.0.0', port: 5, flags: 0 }, { host: '239.1.1.1', port: 5, flags: 0 }, ...many], dropped: [] }),
  );
  assert.equal(learned.length, 1);
  assert.equal(learned[0]!.length, 100, 'at most 100 per message, garbage addresses skipped');
  assert.deepEqual(learned[0]![0], { host: '10.0.0.1', port: 7000 });
  pex.onMessage(peer, encodePex({ added: many, dropped: [] }));
  assert.equal(learned.length, 1, 'a second message within 10 s is ignored');
  for (let i = 0; i < 12; i++) {
    now += 60_000;
    pex.onMessage(peer, encodePex({ added: many, dropped: [] }));
  }
  assert.equal(learned.flat().length, 1000, 'at most 1000 from one peer');
  pex.onMessage(peer, Buffer.from('x'));
  pex.onMessage(peer, Buffer.from('x'));
  assert.equal(peer.closed, undefined);
  pex.onMessage(peer, Buffer.from('x'));
  assert.match(peer.closed ?? '', /malformed/);
});

test('UtPex passes on the seed and uTP flags (0x02, 0x04) of the peers it learns', (t) => {
  const learned: PeerAddress[][] = [];
  const pex = new UtPex({ pexPeers: () => [], learnPeers: (peers) => learned.push(peers) });
  t.after(() => pex.close());
  const peer = fakePeer('x', []);
  pex.onPeer(peer);
  const added = [
    { host: '10.0.0.1', port: 7001, flags: PEX_UTP },
    { host: '10.0.0.2', port: 7002, flags: PEX_SEED | PEX_UTP | PEX_REACHABLE },
    { host: '10.0.0.3', port: 7003, flags: 0 },
  ];
  pex.onMessage(peer, encodePex({ added, dropped: [] }));
  assert.deepEqual(learned[0], [
    { host: '10.0.0.1', port: 7001, utp: true },
    { host: '10.0.0.2', port: 7002, seed: true, utp: true },
    { host: '10.0.0.3', port: 7003 },
  ]);
});
