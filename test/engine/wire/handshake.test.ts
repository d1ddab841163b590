import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeExtensionHandshake, encodeExtensionHandshake } from '../../../source/engine/wire/extension.js';
import { decodeHandshake, encodeHandshake } from '../../../source/engine/wire/handshake.js';
import { ProtocolError } from '../../../source/engine/wire/messages.js';
import { clientFromPeerId, makePeerId, PEER_ID_PREFIX } from '../../../source/engine/wire/peer-id.js';

const infoHash = Buffer.alloc(20, 0xab);
const peerId = Buffer.from('-LT2080-abcdefghijkl');

test('handshake layout and reserved bits', () => {
  const b = encodeHandshake(infoHash, peerId, { extended: true, fast: true, dht: true });
  assert.equal(b.length, 68);
  assert.equal(b[0], 19);
  assert.equal(b.subarray(1, 20).toString(), 'BitTorrent protocol');
  assert.deepEqual([...b.subarray(20, 28)], [0, 0, 0, 0, 0, 0x10, 0, 0x05]);
  const h = decodeHandshake(b);
  assert.deepEqual(h.infoHash, infoHash);
  assert.deepEqual(h.peerId, peerId);
  assert.deepEqual([h.extended, h.fast, h.dht], [true, true, true]);

  const plain = decodeHandshake(encodeHandshake(infoHash, peerId));
  assert.deepEqual([plain.extended, plain.fast, plain.dht], [false, false, false]);
  const onlyFast = decodeHandshake(encodeHandshake(infoHash, peerId, { fast: true }));
  assert.deepEqual([onlyFast.extended, onlyFast.fast, onlyFast.dht], [false, true, false]);
});

test('decodeHandshake rejects a bad protocol string or short input', () => {
  const b = encodeHandshake(infoHash, peerId);
  const wrongLength = Buffer.from(b);
  wrongLength[0] = 18;
  assert.throws(() => decodeHandshake(wrongLength), ProtocolError);
  const wrongName = Buffer.from(b);
  wrongName[5] = 0x78;
  assert.throws(() => decodeHandshake(wrongName), ProtocolError);
  assert.throws(() => decodeHandshake(b.subarray(0, 67)), ProtocolError);
});

test('makePeerId is Azureus-style, 20 bytes and random', () => {
  const a = makePeerId();
  const b = makePeerId();
  assert.equal(a.length, 20);
  assert.equal(a.subarray(0, 8).toString(), '-TU0100-');
  assert.notDeepEqual(a, b);
  assert.equal(clientFromPeerId(a), 'btui 0.1.0');
});

test("btui's client code is one neither libtorrent nor Transmission knows; BT is the original BitTorrent client", () => {
  // libtorrent's identify_client.cpp and Transmission's clients.cc list these codes near ours.
  const taken = ['BT', 'BU', 'TB', 'TL', 'TN', 'TR', 'TS', 'TT', 'UT', 'UL', 'UM', 'UE', 'UW'];
  assert.ok(!taken.includes(PEER_ID_PREFIX.slice(1, 3)));
  assert.equal(clientFromPeerId(Buffer.from('-BT7A5S-xxxxxxxxxxxx')), 'BitTorrent 7.10.5');
  assert.equal(clientFromPeerId(Buffer.from('-TU0100-xxxxxxxxxxxx')), 'btui 0.1.0');
});

test('clientFromPeerId names known clients', () => {
  const cases: [string, string][] = [
    ['-LT2080-', 'libtorrent 2.0.8'],
    ['-LT12H0-', 'libtorrent 1.2.17'],
    ['-lt0D80-', 'rtorrent/libTorrent 0.13.8'],
    ['A2-1-36-0-', 'aria2 1.36.0'],
    ['-TR4000-', 'Transmission 4.0.0'],
    ['-TR2940-', 'Transmission 2.94'],
    ['-qB4510-', 'qBittorrent 4.5.1'],
    ['-UT355W-', 'uTorrent 3.5.5'],
    ['-DE13F0-', 'Deluge 1.3.15'],
    ['-AZ5770-', 'Vuze 5.7.7'],
    ['M4-3-6--', 'BitTorrent 4.3.6'],
    ['-ZZ1000-', 'unknown'],
    ['\x00\x01garbage', 'unknown'],
  ];
  for (const [prefix, name] of cases) {
    const id = Buffer.alloc(20, 0x61);
    Buffer.from(prefix, 'latin1').copy(id);
    assert.equal(clientFromPeerId(id), name, prefix);
  }
  assert.ok(clientFromPeerId(Buffer.from('-qB4510-xxxxxxxxxxxx')).startsWith('qBittorrent'));
});

test('extension handshake round trip', () => {
  const h = {
    m: { ut_metadata: 3, ut_pex: 1, lt_donthave: 0 },
    v: 'btui 0.1.0 \u00e9',
    p: 6881,
    reqq: 500,
    metadata_size: 31235,
    yourip: Buffer.from([127, 0, 0, 1]),
  };
  const payload = encodeExtensionHandshake(h);
  assert.ok(payload.toString('latin1').startsWith('d1:md11:lt_donthavei0e11:ut_metadatai3e6:ut_pexi1ee'));
  assert.deepEqual(decodeExtensionHandshake(payload), h);
});

test('extension handshake decoding is tolerant of extra and wrong-typed keys', () => {
  const payload = Buffer.from('d1:ai1e1:md6:ut_pexi2e3:badli1ee4:hugei9999ee1:p3:abc4:reqqi-5e6:yourip2:xxe');
  assert.deepEqual(decodeExtensionHandshake(payload), { m: { ut_pex: 2 } });
  assert.deepEqual(decodeExtensionHandshake(Buffer.from('de')), { m: {} });
});

test('extension handshake that is not a dictionary throws ProtocolError', () => {
  assert.throws(() => decodeExtensionHandshake(Buffer.from('li1ee')), ProtocolError);
  assert.throws(() => decodeExtensionHandshake(Buffer.from('d1:m')), ProtocolError);
  assert.throws(() => decodeExtensionHandshake(Buffer.alloc(0)), ProtocolError);
});
