/**
 * What a running seeding torrent with no peers costs: heapUsed and RSS per torrent after N
 * one-piece torrents (data on disk, no resume data) are added running to an engine Session, have
 * been checked and seed, against the same N added paused. No RPC, no service. Announces go to a
 * closed loopback port (refused at once). Also the peak RSS while they check.
 * tsx inflates closures, so run it bundled:
 *
 *   node scripts/soak/seeding-memory.mjs [N]     (bundles this file with esbuild, runs it with --expose-gc)
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from '../../source/engine/session/session.js';
import { writeSeedFiles } from '../../test/helpers/seed-files.js';
import type { Torrent } from '../../source/engine/torrent/torrent.js';

const count = Number(process.argv[2] ?? 2000);
const gc = (globalThis as { gc?: () => void }).gc;

function sample(): { heapUsed: number; rss: number } {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss };
}

const dir = mkdtempSync(join(tmpdir(), 'btui-seeding-memory-'));
const data = join(dir, 'data');
mkdirSync(data, { recursive: true });
const metas = writeSeedFiles(data, count, (i) => 1000 + (i % 7) * 100);

const session = new Session({ host: '127.0.0.1', port: 0, resumePath: (hash) => join(dir, 'resume', `${hash}.resume`) });
session.on('warning', () => undefined);
const before = sample();
const torrents: Torrent[] = metas.map((meta) => session.add(meta, { directory: data, paused: true }));
const paused = sample();

let peakRss = 0;
const watch = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
const started = performance.now();
const seeding = torrents.map(
  (t) =>
    new Promise<void>((resolve, reject) => {
      if (t.state === 'seeding') return resolve();
      t.on('state', (state) => (state === 'seeding' ? resolve() : state === 'error' ? reject(new Error(t.error)) : undefined));
    }),
);
for (const t of torrents) void t.start();
await Promise.all(seeding);
const checkSeconds = (performance.now() - started) / 1000;
// Work begun as they turned to seeding (resume saves, announces, closes) settles first.
await new Promise((resolve) => setTimeout(resolve, 2000));
clearInterval(watch);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
const running = sample();

const perTorrent = (a: number, b: number) => Math.round((b - a) / count);
const mib = (n: number) => Math.round(n / 2 ** 20);
console.log(
  JSON.stringify({
    torrents: count,
    gc: Boolean(gc),
    checkSeconds: Math.round(checkSeconds * 10) / 10,
    rssPeakWhileCheckingMiB: mib(peakRss),
    heapUsedMiB: mib(running.heapUsed),
    heapTotalMiB: mib(process.memoryUsage().heapTotal),
    externalMiB: mib(process.memoryUsage().external),
    rssMiB: mib(running.rss),
    pausedHeapBytesPerTorrent: perTorrent(before.heapUsed, paused.heapUsed),
    seedingHeapBytesPerTorrent: perTorrent(before.heapUsed, running.heapUsed),
    seedingOverPausedHeapBytes: perTorrent(paused.heapUsed, running.heapUsed),
    seedingOverPausedRssBytes: perTorrent(paused.rss, running.rss),
  }),
);
if (process.env.SEEDING_MEMORY_SNAPSHOT) {
  const { writeHeapSnapshot } = await import('node:v8');
  console.error(`heap snapshot: ${writeHeapSnapshot(process.env.SEEDING_MEMORY_SNAPSHOT)}`);
}
await session.close();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
