/**
 * What stopped torrents leave behind: live timers (ref'd or not, counted with async_hooks) and
 * heap after adding N torrents paused, after starting them all and after stopping them all again.
 *
 *   npx tsx --expose-gc scripts/soak/stopped-timers.ts [N]
 */
import { tinyTorrent } from '../bench/tiny-torrent.js';
import { createHook } from 'node:async_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMetainfo } from '../../source/engine/metainfo/metainfo.js';
import { Session } from '../../source/engine/session/session.js';

const count = Number(process.argv[2] ?? 1000);
const gc = (globalThis as { gc?: () => void }).gc;

const liveTimers = new Set<number>();
createHook({
  init(id, type) {
    if (type === 'Timeout') liveTimers.add(id);
  },
  destroy(id) {
    liveTimers.delete(id);
  },
}).enable();

const tiny = (i: number) => tinyTorrent(i, `http://127.0.0.1:9/announce`);

async function sample(label: string): Promise<void> {
  // Timers cleared this turn are destroyed on a later one.
  await new Promise((resolve) => setTimeout(resolve, 50));
  await new Promise((resolve) => setImmediate(resolve));
  gc?.();
  gc?.();
  const heap = process.memoryUsage().heapUsed;
  console.log(JSON.stringify({ at: label, torrents: count, liveTimers: liveTimers.size, heapMiB: +(heap / 2 ** 20).toFixed(1) }));
}

const dir = mkdtempSync(join(tmpdir(), 'btui-stopped-timers-'));
const session = new Session({ host: '127.0.0.1', port: 0, dht: { bootstrap: [] }, announceTimeoutMs: 500 });
session.on('warning', () => undefined);
await session.listen();
await sample('listening');
const torrents = Array.from({ length: count }, (_, i) =>
  session.add(parseMetainfo(tiny(i)), { directory: join(dir, 'data'), paused: true, seedMode: true }),
);
await sample('added paused');
await Promise.all(torrents.map((t) => t.start()));
await sample('started');
await Promise.all(torrents.map((t) => t.stop()));
await sample('stopped');
await Promise.all(torrents.map((t) => t.start()));
await Promise.all(torrents.map((t) => t.stop()));
await sample('second start/stop');
await session.close();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
