import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import { dict, encode } from '../../../source/engine/codec/bencode.js';
import { announce, scrape, TrackerError } from '../../../source/engine/discovery/tracker/index.js';
import { Limiter } from '../../../source/engine/discovery/tracker/limiter.js';
import { Announcer } from '../../../source/engine/discovery/announcer.js';

const infoHash = Buffer.from('0123456789abcdef0123456789abcdef01234567', 'hex');
const peerId = Buffer.from('-BT0001-abcdefghijkl');
const params = { infoHash, peerId, port: 6881, uploaded: 0, downloaded: 0, left: 100 };

async function fakeTracker(t: TestContext, handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('HTTP announce sends the raw info-hash and returns compact peers', async (t) => {
  let seenUrl = '';
  const base = await fakeTracker(t, (req, res) => {
    seenUrl = req.url!;
    res.end(encode(dict({ interval: 120, complete: 1, incomplete: 0, peers: Buffer.from([127, 0, 0, 1, 0x1a, 0xe1]) })));
  });
  const result = await announce(`${base}/announce`, { ...params, event: 'started' });
  assert.deepEqual(result, { interval: 120, complete: 1, incomplete: 0, peers: [{ host: '127.0.0.1', port: 6881 }] });
  assert.match(seenUrl, /^\/announce\?info_hash=%01%23Eg%89%AB%CD%EF%01%23Eg%89%AB%CD%EF%01%23Eg&peer_id=-BT0001-abcdefghijkl&port=6881&/);
  assert.match(seenUrl, /&compact=1&event=started$/);
});

test('HTTP failure reason arrives as TrackerError, even with an error status', async (t) => {
  const base = await fakeTracker(t, (_req, res) => {
    res.statusCode = 400;
    res.end(encode(dict({ 'failure reason': Buffer.from('unregistered torrent') })));
  });
  await assert.rejects(
    announce(`${base}/announce`, params),
    (e: unknown) => e instanceof TrackerError && e.reason === 'unregistered torrent',
  );
});

test('HTTP status errors, garbage bodies and oversized bodies are TrackerErrors', async (t) => {
  const base = await fakeTracker(t, (req, res) => {
    if (req.url!.startsWith('/missing')) {
      res.statusCode = 404;
      res.end('<html>not here</html>');
    } else if (req.url!.startsWith('/garbage')) {
      res.end('<html>hello</html>');
    } else {
      res.write(Buffer.alloc(1024 * 1024, 0x61));
      res.write(Buffer.alloc(1024 * 1024, 0x61));
      res.end(Buffer.alloc(1024, 0x61));
    }
  });
  await assert.rejects(
    announce(`${base}/missing/announce`, params),
    (e: unknown) => e instanceof TrackerError && e.reason === 'HTTP 404 Not Found',
  );
  await assert.rejects(
    announce(`${base}/garbage/announce`, params),
    (e: unknown) => e instanceof TrackerError && /not bencode/.test(e.reason),
  );
  await assert.rejects(
    announce(`${base}/huge/announce`, params),
    (e: unknown) => e instanceof TrackerError && /larger than/.test(e.reason),
  );
});

test('HTTP redirects are followed a few times, then refused', async (t) => {
  const base = await fakeTracker(t, (req, res) => {
    const url = new URL(req.url!, 'http://x');
    const hop = Number(url.pathname.split('/')[1]);
    if (hop > 0) {
      res.writeHead(302, { location: `/${hop - 1}/announce${url.search}` });
      res.end();
    } else {
      res.end(encode(dict({ interval: 60, peers: Buffer.alloc(0), complete: url.searchParams.has('info_hash') ? 7 : 0 })));
    }
  });
  assert.equal((await announce(`${base}/3/announce`, params)).complete, 7);
  await assert.rejects(
    announce(`${base}/9/announce`, params),
    (e: unknown) => e instanceof TrackerError && /too many redirects/.test(e.reason),
  );
});

test('HTTP timeout and abort', async (t) => {
  const base = await fakeTracker(t, () => {
    /* never answers */
  });
  const started = Date.now();
  await assert.rejects(
    announce(`${base}/announce`, params, { timeoutMs: 200 }),
    (e: unknown) => e instanceof TrackerError && /no answer within 0.2 s/.test(e.reason),
  );
  assert.ok(Date.now() - started < 2000);
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error('stopped by test')), 100);
  await assert.rejects(announce(`${base}/announce`, params, { signal: controller.signal }), /stopped by test/);
});

test('HTTP scrape maps hashes; an unreported hash is absent', async (t) => {
  let query = '';
  const other = Buffer.alloc(20, 0xee);
  const base = await fakeTracker(t, (req, res) => {
    query = req.url!;
    const files = new Map([[infoHash.toString('latin1'), dict({ complete: 2, incomplete: 5, downloaded: 11 })]]);
    res.end(encode(new Map([['files', files]])));
  });
  const stats = await scrape(`${base}/announce`, [infoHash, other]);
  assert.equal(query, `/scrape?info_hash=%01%23Eg%89%AB%CD%EF%01%23Eg%89%AB%CD%EF%01%23Eg&info_hash=${'%EE'.repeat(20)}`);
  assert.deepEqual([...stats], [[infoHash.toString('hex'), { complete: 2, incomplete: 5, downloaded: 11 }]]);
  await assert.rejects(scrape(`${base}/tracker`, [infoHash]), /does not support scrape/);
});

test('bad input is refused before any network use', async () => {
  await assert.rejects(announce('wss://t.test/announce', params), /unsupported tracker protocol 'wss:'/);
  await assert.rejects(announce('http://t.test/announce', { ...params, infoHash: Buffer.alloc(19) }), /info-hash must be 20 bytes/);
  await assert.rejects(scrape('udp://t.test/announce', [infoHash]), /needs a port/);
});

test('an announce queued behind others (bounded concurrency) is not sent once its torrent stopped', async (t) => {
  const events: string[] = [];
  const base = await fakeTracker(t, (req, res) => {
    events.push(new URL(req.url!, 'http://x').searchParams.get('event') ?? '');
    res.end(encode(dict({ interval: 120, peers: Buffer.alloc(0) })));
  });
  const limiter = new Limiter(1);
  let release!: () => void;
  const busy = limiter.run(() => new Promise<void>((resolve) => (release = resolve)));
  const announcer = new Announcer([[`${base}/announce`]], { params: () => params, limiter });
  announcer.start();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(limiter.queued, 1, 'its started announce waits for the slot');
  await announcer.stop();
  release();
  await busy;
  // Sent or not, a request would be done by the time a second task gets the slot.
  await limiter.run(async () => undefined);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(events, [], 'neither started (it stopped) nor stopped (nothing was started)');
});

test("'stopped' announces of many torrents stopping together go out at most 64 at once, every one sent", async (t) => {
  let open = 0;
  let peak = 0;
  let stopped = 0;
  const base = await fakeTracker(t, (req, res) => {
    const reply = () => res.end(encode(dict({ interval: 120, peers: Buffer.alloc(0) })));
    if (new URL(req.url!, 'http://x').searchParams.get('event') !== 'stopped') return reply();
    peak = Math.max(peak, ++open);
    setTimeout(() => {
      open--;
      stopped++;
      reply();
    }, 200);
  });
  const announcers = Array.from({ length: 150 }, () => new Announcer([[`${base}/announce`]], { params: () => params }));
  await Promise.all(
    announcers.map((a) => {
      const answered = new Promise<void>((resolve) => {
        const check = () => {
          if (a.stats()[0]?.status !== 'working') return;
          a.off('update', check);
          resolve();
        };
        a.on('update', check);
      });
      a.start();
      return answered;
    }),
  );
  await Promise.all(announcers.map((a) => a.stop()));
  assert.equal(stopped, 150);
  assert.ok(peak <= 64, `at most 64 at the tracker at once (saw ${peak})`);
});
