// torrent-get over 10,000 torrents through the whole HTTP path: Flood's field list, and the
// `recently-active` poll that web UIs make every few seconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { send, startServer } from './http-client.js';
import { FakeBackend, makeTorrent, T0 } from './fake-backend.js';

const FLOOD_FIELDS = [
  'hashString', 'downloadDir', 'name', 'haveValid', 'addedDate', 'dateCreated', 'rateDownload', 'rateUpload', 'downloadedEver', 'uploadedEver',
  'eta', 'isPrivate', 'error', 'errorString', 'peersGettingFromUs', 'peersSendingToUs', 'status', 'totalSize', 'trackers', 'labels',
];

async function best(rounds: number, fn: () => Promise<void>): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    await fn();
    min = Math.min(min, performance.now() - start);
  }
  return min;
}

// Timed from sending the request to the response's last byte; the client only counts the bytes.
test('10,000 torrents: Flood\'s torrent-get well under 150 ms, recently-active under 20 ms', async (t) => {
  const backend = new FakeBackend(0);
  backend.torrents = Array.from({ length: 10_000 }, (_, i) =>
    makeTorrent(i + 1, i % 1000 === 0 ? { activityDate: T0 - 1000 } : { activityDate: T0 - 3_600_000, addedDate: T0 - 7_200_000, startDate: 0, rateDownload: 0, rateUpload: 0 }),
  );
  const { server, port } = await startServer({ backend, now: () => T0 });
  t.after(() => server.close());
  const sid = (await send(port, { method: 'GET' })).headers['x-transmission-session-id'] as string;
  const raw = (body: unknown, discard = true) => send(port, { body: JSON.stringify(body), headers: { 'X-Transmission-Session-Id': sid }, discard });
  const post = async (body: unknown) =>
    JSON.parse((await raw(body, false)).text) as { result: string; arguments: { torrents: Record<string, unknown>[]; removed?: number[] } };

  const flood = await post({ method: 'torrent-get', arguments: { fields: FLOOD_FIELDS, format: 'objects' } });
  assert.equal(flood.arguments.torrents.length, 10_000);
  assert.deepEqual(Object.keys(flood.arguments.torrents[0]!), FLOOD_FIELDS);
  const floodMs = await best(5, async () => void (await raw({ method: 'torrent-get', arguments: { fields: FLOOD_FIELDS, format: 'objects' } })));
  const tableMs = await best(5, async () => void (await raw({ method: 'torrent-get', arguments: { fields: FLOOD_FIELDS, format: 'table' } })));
  const recent = await post({ method: 'torrent-get', arguments: { ids: 'recently-active', fields: FLOOD_FIELDS } });
  assert.equal(recent.arguments.torrents.length, 10);
  const recentMs = await best(10, async () => void (await raw({ method: 'torrent-get', arguments: { ids: 'recently-active', fields: FLOOD_FIELDS } })));
  t.diagnostic(`Flood fields x 10,000: objects ${floodMs.toFixed(1)} ms, table ${tableMs.toFixed(1)} ms; recently-active ${recentMs.toFixed(1)} ms`);
  assert.ok(floodMs < 150, `objects took ${floodMs.toFixed(1)} ms`);
  assert.ok(tableMs < 150, `table took ${tableMs.toFixed(1)} ms`);
  assert.ok(recentMs < 20, `recently-active took ${recentMs.toFixed(1)} ms`);
});
