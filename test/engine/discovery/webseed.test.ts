import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileUrl, planRange } from '../../../source/engine/discovery/webseed/url.js';
import { contiguousRuns } from '../../../source/engine/discovery/webseed/web-seed.js';
import { fetchRange, HttpRangeError } from '../../../source/engine/discovery/webseed/http-range.js';

const multi = {
  name: 'My Album',
  files: [
    { path: ['My Album', 'a b.flac'], length: 10, offset: 0, padding: false },
    { path: ['My Album', '.pad', '6'], length: 6, offset: 10, padding: true },
    { path: ['My Album', 'CD 2', '#1 ü?.flac'], length: 20, offset: 16, padding: false },
  ],
};
const single = { name: 'x y.iso', files: [{ path: ['x y.iso'], length: 100, offset: 0, padding: false }] };

test('BEP 19 URLs: single file as given or under a directory URL; multi-file per component', () => {
  assert.equal(fileUrl('http://h/dl/x.iso', single, 0), 'http://h/dl/x.iso');
  assert.equal(fileUrl('http://h/dl/', single, 0), 'http://h/dl/x%20y.iso');
  assert.equal(fileUrl('http://h/dl', multi, 2), 'http://h/dl/My%20Album/CD%202/%231%20%C3%BC%3F.flac');
  assert.equal(fileUrl('http://h/dl/', multi, 0), 'http://h/dl/My%20Album/a%20b.flac');
});

test('planRange: a range over several files, padding as zeros', () => {
  assert.deepEqual(planRange('http://h/', multi, 5, 20), [
    { url: 'http://h/My%20Album/a%20b.flac', start: 5, length: 5 },
    { zeros: 6 },
    { url: 'http://h/My%20Album/CD%202/%231%20%C3%BC%3F.flac', start: 0, length: 9 },
  ]);
});

test('contiguousRuns joins blocks across piece boundaries and splits at gaps', () => {
  const runs = contiguousRuns(
    [
      { index: 1, begin: 0, length: 16384 },
      { index: 0, begin: 16384, length: 16384 },
      { index: 3, begin: 0, length: 100 },
    ],
    32768,
  );
  assert.deepEqual(
    runs.map((r) => [r.offset, r.length, r.blocks.length]),
    [
      [16384, 32768, 2],
      [98304, 100, 1],
    ],
  );
});

async function server(t: import('node:test').TestContext, handler: http.RequestListener): Promise<string> {
  const s = http.createServer(handler);
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => s.close(() => resolve())));
  t.after(() => s.closeAllConnections());
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

function get(url: string, start: number, length: number, idleTimeoutMs = 2000): Promise<Buffer> {
  const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent() };
  const chunks: Buffer[] = [];
  return fetchRange(url, start, length, { agents, idleTimeoutMs, onData: (c) => (chunks.push(Buffer.from(c)), 0) })
    .then(() => Buffer.concat(chunks))
    .finally(() => agents.http.destroy());
}

test('fetchRange: 206 with a range, redirects, 200 from the start, and the errors', async (t) => {
  const body = Buffer.from('0123456789abcdefghij');
  const url = await server(t, (req, res) => {
    const m = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '')!;
    const [from, to] = [Number(m[1]), Number(m[2])];
    if (req.url === '/file') {
      res.writeHead(206, { 'content-range': `bytes ${from}-${to}/${body.length}` });
      res.end(body.subarray(from, to + 1));
    } else if (req.url === '/moved') {
      res.writeHead(302, { location: '/file' }).end();
    } else if (req.url === '/norange') {
      res.writeHead(200).end(body);
    } else if (req.url === '/short') {
      res.writeHead(206, { 'content-range': `bytes ${from}-${to}/${body.length}`, 'content-length': String(to - from + 1) });
      res.write(body.subarray(from, from + 2));
      setTimeout(() => res.destroy(), 20);
    } else if (req.url === '/shifted') {
      res.writeHead(206, { 'content-range': `bytes ${from + 1}-${to + 1}/${body.length}` }).end(body.subarray(from + 1, to + 2));
    } else if (req.url === '/busy') {
      res.writeHead(503).end();
    } else if (req.url === '/stall') {
      res.writeHead(206);
    } else {
      res.writeHead(404).end();
    }
  });
  assert.equal((await get(`${url}/file`, 3, 5)).toString(), '34567');
  assert.equal((await get(`${url}/moved`, 10, 4)).toString(), 'abcd');
  assert.equal((await get(`${url}/norange`, 0, 4)).toString(), '0123');
  const failure = async (path: string, start: number, permanent: boolean, message: RegExp, timeout?: number) => {
    await assert.rejects(get(`${url}${path}`, start, 5, timeout), (e: unknown) => {
      assert.ok(e instanceof HttpRangeError, String(e));
      assert.equal(e.permanent, permanent, `${path}: ${e.message}`);
      assert.match(e.message, message);
      return true;
    });
  };
  await failure('/norange', 5, true, /ignores range/);
  await failure('/shifted', 2, true, /Content-Range/);
  await failure('/gone', 0, true, /HTTP 404/);
  await failure('/busy', 0, false, /HTTP 503/);
  await failure('/short', 0, false, /.+/);
  await failure('/stall', 0, false, /no data/, 200);
});
