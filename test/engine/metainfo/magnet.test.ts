import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MagnetError, magnetURI, parseInfoHash, parseMagnet } from '../../../source/engine/metainfo/magnet.js';

const HEX = 'c12fe1c06bba254a9dc9f519b335aa7c1367a88a';
// The same 20 bytes in RFC 4648 base32.
const B32 = 'YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKEK';
const V2 = 'caf1e1c30e81cb361b9ee167c4aa64228a7fa4fa9f6105232b28ad099f3a302e';

function rejects(uri: string, pattern: RegExp): void {
  assert.throws(
    () => parseMagnet(uri),
    (error: unknown) => {
      assert.ok(error instanceof MagnetError, `expected MagnetError, got ${String(error)}`);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

test('parseInfoHash: 40 hex or 32 base32, as lowercase hex', () => {
  assert.equal(parseInfoHash(HEX.toUpperCase()), HEX);
  assert.equal(parseInfoHash(B32), HEX);
  assert.equal(parseInfoHash(B32.toLowerCase()), HEX);
  assert.equal(parseInfoHash(` ${HEX}\n`), HEX);
  for (const bad of ['', HEX.slice(1), `${HEX}0`, 'g'.repeat(40), `${B32.slice(1)}1`, B32.slice(1)]) {
    assert.throws(() => parseInfoHash(bad), /bad info-hash .*expected 40 hex or 32 base32/, bad);
  }
});

test('hex btih with name, several trackers, web seeds, peers, length', () => {
  const m = parseMagnet(
    `magnet:?xt=urn:btih:${HEX.toUpperCase()}&dn=Big+Buck%20Bunny&tr=udp%3A%2F%2Ftracker.example%3A1337&tr=http://a.example/announce` +
      '&tr=udp%3A%2F%2Ftracker.example%3A1337&ws=https%3A%2F%2Fseed.example%2Fbbb%2F&x.pe=10.0.0.1:6881&x.pe=%5B2001:db8::1%5D:51413&x.pe=peer.example:7000&xl=276445467&kt=ignored',
  );
  assert.deepEqual(m, {
    infoHash: HEX,
    name: 'Big Buck Bunny',
    trackers: ['udp://tracker.example:1337', 'http://a.example/announce'],
    webSeeds: ['https://seed.example/bbb/'],
    peers: [
      { host: '10.0.0.1', port: 6881 },
      { host: '2001:db8::1', port: 51413 },
      { host: 'peer.example', port: 7000 },
    ],
    length: 276445467,
  });
});

test('base32 btih, numbered parameters, select-only', () => {
  const m = parseMagnet(`MAGNET:?xt.1=urn:btih:${B32}&tr.1=http://a/&tr.2=http://b/&so=0,2,4-6,2`);
  assert.equal(m.infoHash, HEX);
  assert.deepEqual(m.trackers, ['http://a/', 'http://b/']);
  assert.deepEqual(m.selectOnly, [0, 2, 4, 5, 6]);
  assert.equal(m.name, undefined);
});

test('btmh: v2-only and hybrid magnets', () => {
  const v2only = parseMagnet(`magnet:?xt=urn:btmh:1220${V2.toUpperCase()}&dn=x`);
  assert.equal(v2only.infoHashV2, V2);
  assert.equal(v2only.infoHash, V2.slice(0, 40));
  const hybrid = parseMagnet(`magnet:?xt=urn:btih:${HEX}&xt=urn:btmh:1220${V2}`);
  assert.equal(hybrid.infoHash, HEX);
  assert.equal(hybrid.infoHashV2, V2);
  // The same topic twice is harmless; other networks' URNs are skipped.
  assert.equal(parseMagnet(`magnet:?xt=urn:ed2k:abc&xt=urn:btih:${HEX}&xt=urn:btih:${B32}`).infoHash, HEX);
});

test('bad magnets get clear errors', () => {
  rejects('', /not a magnet link/);
  rejects(`http://x/?xt=urn:btih:${HEX}`, /not a magnet link/);
  rejects('magnet:?dn=nothing', /magnet has no info-hash/);
  rejects('magnet:?xt=urn:ed2k:abcdef', /magnet has no info-hash/);
  rejects(`magnet:?xt=urn:btih:${HEX.slice(2)}`, /bad info-hash/);
  rejects(`magnet:?xt=urn:btih:${HEX}&xt=urn:btih:${'0'.repeat(40)}`, /two different v1 info-hashes/);
  rejects(`magnet:?xt=urn:btmh:1114${V2}`, /bad v2 info-hash .*expected 1220/);
  rejects(`magnet:?xt=urn:btmh:1220${V2.slice(2)}`, /bad v2 info-hash/);
  rejects(`magnet:?xt=${HEX}`, /bad exact topic/);
  rejects(`magnet:?xt=urn:btih:${HEX}&dn=%E0%A4%A`, /bad percent-encoding in dn/);
  rejects(`magnet:?xt=urn:btih:${HEX}&x.pe=10.0.0.1`, /bad peer address \(x\.pe\) '10\.0\.0\.1': expected host:port/);
  rejects(`magnet:?xt=urn:btih:${HEX}&x.pe=10.0.0.1:0`, /port out of range/);
  rejects(`magnet:?xt=urn:btih:${HEX}&x.pe=10.0.0.1:70000`, /port out of range/);
  rejects(`magnet:?xt=urn:btih:${HEX}&x.pe=::1:6881`, /bad peer address/);
  rejects(`magnet:?xt=urn:btih:${HEX}&x.pe=[10.0.0.1]:6881`, /not an IPv6 address/);
  rejects(`magnet:?xt=urn:btih:${HEX}&x.pe=bad_host!:6881`, /bad host/);
  rejects(`magnet:?xt=urn:btih:${HEX}&xl=-5`, /bad length \(xl\)/);
  rejects(`magnet:?xt=urn:btih:${HEX}&xl=12abc`, /bad length/);
  rejects(`magnet:?xt=urn:btih:${HEX}&tr=`, /empty tracker/);
  rejects(`magnet:?xt=urn:btih:${HEX}&so=3-1`, /bad select-only \(so\) range '3-1'/);
  rejects(`magnet:?xt=urn:btih:${HEX}&so=a`, /bad select-only/);
  rejects(`magnet:?xt=urn:btih:${HEX}&so=0-999999999`, /selects too many files/);
});

test('magnetURI round-trips through parseMagnet', () => {
  const fields = {
    infoHash: HEX,
    infoHashV2: V2,
    name: 'a & b = c?',
    trackers: ['udp://t.example:80/announce', 'http://x/a?k=1&j=2'],
    webSeeds: ['http://seed/path with space/'],
    peers: [
      { host: '127.0.0.1', port: 6881 },
      { host: '::1', port: 6882 },
    ],
    length: 1234,
  };
  const uri = magnetURI(fields);
  assert.match(uri, /^magnet:\?xt=urn:btih:c12f.*&xt=urn:btmh:1220caf1/);
  assert.ok(uri.includes('x.pe=127.0.0.1:6881') && uri.includes('x.pe=[::1]:6882'), uri);
  assert.deepEqual(parseMagnet(uri), fields);
  const v2only = magnetURI({ infoHash: V2.slice(0, 40), infoHashV2: V2 });
  assert.equal(v2only, `magnet:?xt=urn:btmh:1220${V2}`);
  assert.throws(() => magnetURI({ name: 'x' }), /needs an info-hash/);
  assert.throws(() => magnetURI({ infoHash: 'xyz' }), /bad info-hash/);
});
