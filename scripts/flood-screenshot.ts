// npm run screenshot:flood: Flood 4.11.0's web UI over a real `btui daemon`, photographed by a real
// headless Chromium into screenshots/flood-btui.png. The daemon holds a seeding torrent, one
// downloading from a libtorrent seeder (throttled, found through opentracker) and a paused one.
// Needs Flood (BTUI_FLOOD_BIN or /tmp/flood-prefix, see test/helpers/flood.ts), chromium,
// opentracker, mktorrent and python3-libtorrent. Everything listens on loopback and is stopped by pid.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { Cleanup } from './bench/cleanup.js';
import { startBtuiDaemon } from '../test/helpers/btui-daemon.js';
import { renderPage } from '../test/helpers/chromium.js';
import { floodBin, startFlood } from '../test/helpers/flood.js';
import { startLibtorrentPeer } from '../test/helpers/libtorrent-peer.js';
import { startOpentracker } from '../test/helpers/opentracker.js';
import { mktorrent, setAnnounce } from '../test/helpers/torrent-files.js';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'screenshots', 'flood-btui.png');

async function main(): Promise<void> {
  const bin = floodBin();
  if (!bin) throw new Error('Flood is not installed: npm install --prefix /tmp/flood-prefix flood@4.11.0 (or set BTUI_FLOOD_BIN)');
  const cleanup = new Cleanup();
  const t = cleanup as unknown as TestContext;
  const work = mkdtempSync(join(tmpdir(), 'btui-flood-shot-'));
  cleanup.after(() => rmSync(work, { recursive: true, force: true }));
  try {
    const downloads = join(work, 'downloads');
    const seeds = join(work, 'seeds');
    for (const d of [downloads, seeds, join(work, 'home'), join(work, 'torrents')]) mkdirSync(d, { recursive: true });
    const make = (dir: string, name: string, bytes: number) => {
      writeFileSync(join(dir, name), randomBytes(bytes));
      const torrent = join(work, 'torrents', `${name}.torrent`);
      return { name, torrent, hash: mktorrent(join(dir, name), torrent, { pieceLengthLog2: 18 }) };
    };
    const seeding = make(downloads, 'Big.Buck.Bunny.2008.1080p.mkv', 24 * 1024 * 1024);
    const downloading = make(seeds, 'Sintel.2010.720p.mkv', 64 * 1024 * 1024);
    const paused = make(seeds, 'Show.S01E02.1080p.WEB.mkv', 12 * 1024 * 1024);
    const tracker = await startOpentracker(t, [seeding.hash, downloading.hash, paused.hash]);
    for (const x of [seeding, downloading, paused]) setAnnounce(x.torrent, [tracker.httpAnnounce]);
    const seeder = await startLibtorrentPeer(t, {
      torrentPath: downloading.torrent,
      savePath: seeds,
      mode: 'seed',
      listenHost: '127.0.0.2',
      uploadLimit: 3 * 1024 * 1024,
    });
    await seeder.waitForTrackerReply(20_000);

    const daemon = await startBtuiDaemon(cleanup, { home: join(work, 'home'), downloads });
    const add = (x: { torrent: string }, extra: Record<string, unknown>) =>
      daemon.rpc('torrent-add', { metainfo: readFileSync(x.torrent).toString('base64'), ...extra });
    await add(seeding, { 'download-dir': downloads, labels: ['movies'] });
    await add(downloading, { 'download-dir': join(downloads, 'movies'), labels: ['movies'] });
    await add(paused, { 'download-dir': join(downloads, 'tv-sonarr'), labels: ['tv-sonarr'], paused: true });

    const flood = await startFlood(cleanup, bin, daemon.rpcUrl);
    // Let the download get going and Flood's rate history fill a little.
    await new Promise((r) => setTimeout(r, 9000));
    const page = await renderPage(flood.url, {
      waitForText: downloading.name,
      screenshot: out,
      width: 1280,
      height: 800,
      timeoutMs: 60_000,
    });
    console.log(`screenshots/flood-btui.png (Flood showed the torrents after ${page.elapsedMs} ms)`);
  } finally {
    await cleanup.run();
  }
}

main().catch((error: unknown) => {
  console.error(`flood-screenshot: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
