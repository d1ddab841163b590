/**
 * What a paused torrent costs: heapUsed and RSS after adding N paused torrents to an engine
 * Session (no RPC, no service), per torrent. tsx inflates closures, so for RSS run it bundled:
 *
 *   node scripts/soak/paused-memory.mjs [N]     (bundles this file with esbuild, runs it with --expose-gc)
 */
import { tinyTorrent } from '../bench/tiny-torrent.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMetainfo } from '../../source/engine/metainfo/metainfo.js';
import { Session } from '../../source/engine/session/session.js';

const count = Number(process.argv[2] ?? 10000);
const gc = (globalThis as { gc?: () => void }).gc;

const tiny = (i: number) => tinyTorrent(i, `http://tracker-${i % 50}.invalid:6969/announce`);

function sample(): { heapUsed: number; rss: number } {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, rss: m.rss };
}

const dir = mkdtempSync(join(tmpdir(), 'btui-paused-memory-'));
const metas = Array.from({ length: count }, (_, i) => parseMetainfo(tiny(i)));
const session = new Session({ host: '127.0.0.1', port: 0, resumePath: (hash) => join(dir, 'resume', `${hash}.resume`) });
session.on('warning', () => undefined);
const before = sample();
for (const meta of metas) session.add(meta, { directory: join(dir, 'data'), paused: true });
const after = sample();
const perTorrent = (a: number, b: number) => Math.round((b - a) / count);
console.log(
  JSON.stringify({
    torrents: count,
    gc: Boolean(gc),
    heapUsedMiB: Math.round(after.heapUsed / 2 ** 20),
    rssMiB: Math.round(after.rss / 2 ** 20),
    heapBytesPerTorrent: perTorrent(before.heapUsed, after.heapUsed),
    rssBytesPerTorrent: perTorrent(before.rss, after.rss),
  }),
);
await session.close();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
