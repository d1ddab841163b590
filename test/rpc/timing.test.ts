// torrent-get over 10,000 torrents through the whole HTTP path: Flood's field list, and the
// `recently-active` poll that web UIs make every few seconds. The client runs in its own process,
// as Flood or Sonarr would, and times each request from sending it to the response's last byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { send, startServer } from './http-client.js';
import { FakeBackend, makeTorrent, T0 } from './fake-backend.js';

import { FLOOD_FIELDS } from '../helpers/flood-fields.js';

const run = promisify(execFile);

/** Posts `body` `rounds` times over a kept-alive connection; prints the best time in ms and the last answer's size. */
const CLIENT = `
import http from 'node:http';
const [port, sid, body, rounds] = [Number(process.argv[1]), process.argv[2], process.argv[3], Number(process.argv[4])];
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const once = () => new Promise((resolve, reject) => {
  const start = performance.now();
  const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/transmission/rpc', agent,
    headers: { 'X-Transmission-Session-Id': sid, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
    let bytes = 0;
    res.on('data', (c) => (bytes += c.length));
    res.on('end', () => resolve({ ms: performance.now() - start, bytes, status: res.statusCode }));
  });
  req.on('error', reject);
  req.end(body);
});
let best = Infinity, last;
for (let i = 0; i < rounds; i++) { last = await once(); best = Math.min(best, last.ms); }
agent.destroy();
console.log(JSON.stringify({ best, bytes: last.bytes, status: last.status }));
`;

async function timeIt(port: number, sid: string, body: unknown, rounds: number): Promise<{ best: number; bytes: number; status: number }> {
  const { stdout } = await run(
    process.execPath,
    ['--input-type=module', '-e', CLIENT, String(port), sid, JSON.stringify(body), String(rounds)],
    { timeout: 60_000 },
  );
  return JSON.parse(stdout);
}

test("10,000 torrents: Flood's torrent-get well under 150 ms, recently-active under 20 ms", { timeout: 120_000 }, async (t) => {
  const backend = new FakeBackend(0);
  backend.torrents = Array.from({ length: 10_000 }, (_, i) =>
    makeTorrent(
      i + 1,
      i % 1000 === 0
        ? { activityDate: T0 - 1000 }
        : { activityDate: T0 - 3_600_000, addedDate: T0 - 7_200_000, startDate: 0, rateDownload: 0, rateUpload: 0 },
    ),
  );
  const { server, port } = await startServer({ backend, now: () => T0 });
  t.after(() => server.close());
  const sid = (await send(port, { method: 'GET' })).headers['x-transmission-session-id'] as string;
  const post = async (body: unknown) =>
    JSON.parse((await send(port, { body: JSON.stringify(body), headers: { 'X-Transmission-Session-Id': sid } })).text) as {
      result: string;
      arguments: { torrents: Record<string, unknown>[]; removed?: number[] };
    };

  const flood = await post({ method: 'torrent-get', arguments: { fields: FLOOD_FIELDS, format: 'objects' } });
  assert.equal(flood.arguments.torrents.length, 10_000);
  assert.deepEqual(Object.keys(flood.arguments.torrents[0]!), FLOOD_FIELDS);
  const recent = await post({ method: 'torrent-get', arguments: { ids: 'recently-active', fields: FLOOD_FIELDS } });
  assert.equal(recent.arguments.torrents.length, 10);

  const objects = await timeIt(port, sid, { method: 'torrent-get', arguments: { fields: FLOOD_FIELDS, format: 'objects' } }, 20);
  const table = await timeIt(port, sid, { method: 'torrent-get', arguments: { fields: FLOOD_FIELDS, format: 'table' } }, 20);
  const active = await timeIt(port, sid, { method: 'torrent-get', arguments: { ids: 'recently-active', fields: FLOOD_FIELDS } }, 20);
  for (const r of [objects, table, active]) assert.equal(r.status, 200);
  t.diagnostic(
    `Flood's fields x 10,000 torrents: objects ${objects.best.toFixed(1)} ms (${(objects.bytes / 1e6).toFixed(1)} MB), ` +
      `table ${table.best.toFixed(1)} ms (${(table.bytes / 1e6).toFixed(1)} MB); recently-active ${active.best.toFixed(1)} ms`,
  );
  assert.ok(objects.best < 150, `objects took ${objects.best.toFixed(1)} ms`);
  assert.ok(table.best < 150, `table took ${table.best.toFixed(1)} ms`);
  assert.ok(active.best < 20, `recently-active took ${active.best.toFixed(1)} ms`);
});
