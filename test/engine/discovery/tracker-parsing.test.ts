import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encode, dict } from '../../../source/engine/codec/bencode.js';
import { formatIPv6, parseCompactPeers4, parseCompactPeers6 } from '../../../source/engine/discovery/tracker/compact.js';
import { displayUrl, TrackerError } from '../../../source/engine/discovery/tracker/errors.js';
import {
  buildAnnounceUrl,
  buildScrapeUrl,
  parseAnnounceReply,
  parseScrapeReply,
  percentEncodeBytes,
} from '../../../source/engine/discovery/tracker/http-tracker.js';
import { scrapeUrlFor } from '../../../source/engine/discovery/tracker/scrape-url.js';

const URL0 = 'http://tracker.test/announce';

test('percent-encoding escapes every byte outside unreserved, including high and reserved bytes', () => {
  const bytes = Buffer.from([0x00, 0x41, 0x7a, 0x39, 0x2d, 0x2e, 0x5f, 0x7e, 0x20, 0x25, 0x26, 0x2b, 0x2f, 0x3d, 0x80, 0xff]);
  assert.equal(percentEncodeBytes(bytes), '%00Az9-._~%20%25%26%2B%2F%3D%80%FF');
  // Every byte value round-trips through decodeURIComponent's byte view.
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  const decoded = Buffer.from(unescape(percentEncodeBytes(all)), 'latin1');
  assert.deepEqual(decoded, all);
});

test('announce URL carries the raw hashes, counters, compact=1 and optional fields; keeps an existing query', () => {
  const infoHash = Buffer.from('0123456789abcdef0123456789abcdef01234567', 'hex');
  const peerId = Buffer.from('-BT0001-\x00\xff abcdefg', 'latin1');
  const url = buildAnnounceUrl('http://t.test/announce?passkey=abc', {
    infoHash,
    peerId,
    port: 6881,
    uploaded: 1,
    downloaded: 2,
    left: 3,
    event: 'started',
    numwant: 50,
    key: 0xdeadbeef,
    trackerId: 'x y',
    ipv6: '2001:db8::1',
  });
  assert.equal(
    url,
    'http://t.test/announce?passkey=abc&info_hash=%01%23Eg%89%AB%CD%EF%01%23Eg%89%AB%CD%EF%01%23Eg' +
      '&peer_id=-BT0001-%00%FF%20abcdefg&port=6881&uploaded=1&downloaded=2&left=3&compact=1&event=started&numwant=50&key=deadbeef&trackerid=x%20y&ipv6=2001%3Adb8%3A%3A1',
  );
  const plain = buildAnnounceUrl('http://t.test/announce', { infoHash, peerId, port: 1, uploaded: 0, downloaded: 0, left: 0 });
  assert.match(plain, /^http:\/\/t\.test\/announce\?info_hash=/);
  assert.doesNotMatch(plain, /event=|numwant=|key=|trackerid=|ipv6=/);
});

test('scrape URL rule (BEP 48)', () => {
  assert.equal(scrapeUrlFor('http://t.test/announce'), 'http://t.test/scrape');
  assert.equal(scrapeUrlFor('http://t.test/x/announce.php?pk=1'), 'http://t.test/x/scrape.php?pk=1');
  assert.equal(scrapeUrlFor('http://t.test/announce/'.slice(0, -1)), 'http://t.test/scrape');
  for (const bad of ['http://t.test/a', 'http://t.test/x/announce/y', 'http://t.test', 'http://t.test/', 'http://t.test/ann?x=announce']) {
    assert.throws(
      () => scrapeUrlFor(bad),
      (e: unknown) => e instanceof TrackerError && /does not support scrape/.test(e.message),
      bad,
    );
  }
  const hashes = [Buffer.alloc(20, 0xaa), Buffer.alloc(20, 0x41)];
  assert.equal(
    buildScrapeUrl('http://t.test/announce', hashes),
    `http://t.test/scrape?info_hash=${'%AA'.repeat(20)}&info_hash=${'A'.repeat(20)}`,
  );
});

test('compact IPv4 peers (BEP 23), ragged tail and port 0 ignored', () => {
  const data = Buffer.from([127, 0, 0, 1, 0x1a, 0xe1, 10, 20, 30, 40, 0xff, 0xff, 1, 2, 3, 4, 0, 0, 9, 9]);
  assert.deepEqual(parseCompactPeers4(data), [
    { host: '127.0.0.1', port: 6881 },
    { host: '10.20.30.40', port: 65535 },
  ]);
  assert.deepEqual(parseCompactPeers4(Buffer.alloc(0)), []);
});

test('compact IPv6 peers (BEP 7) in RFC 5952 form', () => {
  const a = Buffer.alloc(18);
  a[15] = 1;
  a.writeUInt16BE(6881, 16);
  const b = Buffer.from('20010db8000000000001000000000002', 'hex');
  const data = Buffer.concat([a, b, Buffer.from([0x00, 0x50]), Buffer.alloc(5)]);
  assert.deepEqual(parseCompactPeers6(data), [
    { host: '::1', port: 6881 },
    { host: '2001:db8::1:0:0:2', port: 80 },
  ]);
  assert.equal(formatIPv6(Buffer.alloc(16)), '::');
  assert.equal(formatIPv6(Buffer.from('fe800000000000000000000000000000', 'hex')), 'fe80::');
  assert.equal(formatIPv6(Buffer.from('00010002000300040005000600070008', 'hex')), '1:2:3:4:5:6:7:8');
  assert.equal(formatIPv6(Buffer.from('00010000000300040005000600070008', 'hex')), '1:0:3:4:5:6:7:8');
});

test('announce reply: compact v4 + v6 peers, intervals, counts, tracker id, warning', () => {
  const reply = encode(
    dict({
      interval: 900,
      'min interval': 60,
      complete: 3,
      incomplete: 4,
      'tracker id': Buffer.from('tid'),
      'warning message': Buffer.from('be nice'),
      peers: Buffer.from([1, 2, 3, 4, 0, 80]),
      peers6: Buffer.concat([Buffer.from('00000000000000000000000000000001', 'hex'), Buffer.from([0, 81])]),
    }),
  );
  assert.deepEqual(parseAnnounceReply(URL0, reply), {
    interval: 900,
    minInterval: 60,
    complete: 3,
    incomplete: 4,
    trackerId: 'tid',
    warning: 'be nice',
    peers: [
      { host: '1.2.3.4', port: 80 },
      { host: '::1', port: 81 },
    ],
  });
});

test('announce reply: dictionary peer list (non-compact), bad entries skipped', () => {
  const reply = encode(
    dict({
      interval: 1800,
      peers: [
        dict({ ip: Buffer.from('10.0.0.1'), port: 51413, 'peer id': Buffer.alloc(20) }),
        dict({ ip: Buffer.from('host.example'), port: 1 }),
        dict({ ip: Buffer.from('10.0.0.2'), port: 70000 }),
        dict({ port: 5 }),
        7,
      ],
    }),
  );
  assert.deepEqual(parseAnnounceReply(URL0, reply).peers, [
    { host: '10.0.0.1', port: 51413 },
    { host: 'host.example', port: 1 },
  ]);
});

test('failure reason and malformed replies become TrackerError', () => {
  const failure = encode(dict({ 'failure reason': Buffer.from('torrent not registered') }));
  assert.throws(
    () => parseAnnounceReply(URL0, failure),
    (e: unknown) =>
      e instanceof TrackerError &&
      e.reason === 'torrent not registered' &&
      e.message === 'http://tracker.test/announce: torrent not registered',
  );
  assert.throws(
    () => parseAnnounceReply(URL0, Buffer.from('<html>oops</html>')),
    (e: unknown) => e instanceof TrackerError && /not bencode/.test(e.message),
  );
  assert.throws(
    () => parseAnnounceReply(URL0, Buffer.from('li1ee')),
    (e: unknown) => e instanceof TrackerError && /not a dictionary/.test(e.message),
  );
  assert.throws(() => parseScrapeReply(URL0, Buffer.from('d5:filesi1ee')), TrackerError);
});

test('scrape reply: keyed by raw hash, odd keys skipped', () => {
  const h = Buffer.from('0123456789abcdef0123456789abcdef01234567', 'hex');
  const files = new Map([
    [h.toString('latin1'), dict({ complete: 5, incomplete: 2, downloaded: 9 })],
    ['short', dict({ complete: 1 })],
  ]);
  const out = parseScrapeReply(URL0, encode(new Map([['files', files]])));
  assert.deepEqual([...out], [['0123456789abcdef0123456789abcdef01234567', { complete: 5, incomplete: 2, downloaded: 9 }]]);
});

test('error messages name the tracker without its query (passkeys)', () => {
  assert.equal(displayUrl('http://t.test/announce?passkey=secret'), 'http://t.test/announce');
  assert.equal(displayUrl('udp://127.0.0.1:6969'), 'udp://127.0.0.1:6969');
  assert.equal(new TrackerError('https://u:p@t.test/a?k=1', 'x').message, 'https://t.test/a: x');
});
