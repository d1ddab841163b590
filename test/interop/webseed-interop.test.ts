/**
 * BEP 19 web seeds against a real HTTP server (nginx on 127.0.0.1): web seed only, single-
 * and multi-file; web seed and peer together; broken web seeds beside a peer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Torrent } from '../../source/engine/torrent/torrent.js';
import { metainfoFromFiles } from '../../source/engine/storage/metainfo-from-files.js';
import { needs, tempDir } from '../helpers/tools.js';
import { startNginx } from '../helpers/nginx.js';
import { runCli } from '../helpers/cli.js';
import { mktorrent } from '../helpers/torrent-files.js';
import { assertSameFiles, randomTorrent, startSession as session, waitForDone, writeTorrentFiles } from '../helpers/swarm.js';

const TOOLS = { commands: ['nginx'] };

function collectWarnings(torrent: Torrent): string[] {
  const warnings: string[] = [];
  torrent.on('warning', (w: string) => warnings.push(w));
  return warnings;
}

/** Largest `downloaded` seen per peer-list entry, keyed by id. */
function trackSources(torrent: Torrent): Map<string, { client: string; host: string; downloaded: number }> {
  const seen = new Map<string, { client: string; host: string; downloaded: number }>();
  const sample = () => {
    for (const p of torrent.peerStats()) {
      const before = seen.get(p.id)?.downloaded ?? 0;
      seen.set(p.id, { client: p.client, host: p.host, downloaded: Math.max(before, p.downloaded) });
    }
  };
  torrent.on('piece', sample);
  torrent.on('tick', sample);
  return seen;
}

test('web seed only, single file: the URL is the file', async (t) => {
  if (!needs(t, TOOLS)) return;
  const { meta, data } = randomTorrent({ name: 'single.bin', sizes: [3_000_001], pieceLength: 64 * 1024, single: true });
  const root = tempDir(t);
  writeTorrentFiles(root, meta, data);
  const web = await startNginx(t, { root });
  const leecher = await session(t);
  const dir = tempDir(t);
  const torrent = leecher.add({ ...meta, urlList: [`${web.url}single.bin`] }, { directory: dir });
  const sources = trackSources(torrent);
  await waitForDone(torrent, 30_000);
  assertSameFiles(meta, data, dir);
  const ws = sources.get(`web:${web.url}single.bin`);
  assert.equal(ws?.client, 'web seed');
  assert.equal(ws?.host, '127.0.0.1');
  assert.ok(ws!.downloaded >= meta.length, `the web seed delivered ${ws?.downloaded} bytes`);
});

test('web seed only, multi-file: URL/name/path, percent-encoded, padding files not fetched', async (t) => {
  if (!needs(t, TOOLS)) return;
  const files = [
    { path: ['a.bin'], data: randomBytes(100_003) },
    { path: ['.pad', '31069'], padding: true, length: 31_069 },
    { path: ['dir with space', 'ü #1 %2F?.bin'], data: randomBytes(777_777) },
    { path: ['empty'], data: Buffer.alloc(0) },
    { path: ['sub', 'c.bin'], data: randomBytes(1_234_567) },
  ];
  const { meta, data } = metainfoFromFiles({ name: 'multi web', pieceLength: 32 * 1024, files });
  const root = tempDir(t);
  writeTorrentFiles(root, meta, data);
  const web = await startNginx(t, { root });
  const leecher = await session(t);
  const dir = tempDir(t);
  // No trailing slash: the client adds one before the name.
  const torrent = leecher.add({ ...meta, urlList: [web.url.replace(/\/$/, '')] }, { directory: dir });
  const warnings = collectWarnings(torrent);
  await waitForDone(torrent, 30_000);
  assertSameFiles(meta, data, dir);
  assert.deepEqual(warnings, []);
});

test('web seed only: a skipped file (priority 0) is not fetched', async (t) => {
  if (!needs(t, TOOLS)) return;
  const { meta, data } = randomTorrent({ sizes: [300_000, 2_000_000, 300_000], pieceLength: 32 * 1024 });
  const root = tempDir(t);
  writeTorrentFiles(root, meta, data);
  const web = await startNginx(t, { root });
  const leecher = await session(t);
  const dir = tempDir(t);
  const torrent = leecher.add({ ...meta, urlList: [web.url] }, { directory: dir, filePriorities: Uint8Array.from([1, 0, 1]) });
  const sources = trackSources(torrent);
  await waitForDone(torrent, 30_000);
  for (const i of [0, 2]) {
    const f = meta.files[i]!;
    assert.ok(readFileSync(join(dir, ...f.path)).equals(data.subarray(f.offset, f.offset + f.length)));
  }
  // The wanted files plus, at most, the pieces they share with the skipped one.
  const fetched = sources.get(`web:${web.url}`)?.downloaded ?? 0;
  assert.ok(fetched >= 600_000 && fetched <= 600_000 + 2 * 32 * 1024, `fetched ${fetched} bytes`);
});

test('a peer and a web seed both contribute to one download', async (t) => {
  if (!needs(t, TOOLS)) return;
  const { meta, data } = randomTorrent({ sizes: [6_000_000, 2_500_001], pieceLength: 64 * 1024 });
  const root = tempDir(t);
  writeTorrentFiles(root, meta, data);
  // Both sources limited, so neither finishes the job before the other gets going.
  const web = await startNginx(t, { root, extra: 'limit_rate 512k;' });
  const seeder = await session(t);
  seeder.setLimits({ upload: 2_000_000 });
  await seeder.add(meta, { directory: root, seedMode: true }).start();
  const leecher = await session(t);
  const dir = tempDir(t);
  const torrent = leecher.add({ ...meta, urlList: [web.url] }, { directory: dir });
  const sources = trackSources(torrent);
  const done = waitForDone(torrent, 30_000);
  torrent.addPeers([{ host: '127.0.0.1', port: seeder.port }]);
  await done;
  assertSameFiles(meta, data, dir);
  const fromWeb = sources.get(`web:${web.url}`)?.downloaded ?? 0;
  const fromPeer = sources.get(`127.0.0.1:${seeder.port}`)?.downloaded ?? 0;
  // Bytes received minus every wasted byte: a lower bound of what each source got accepted.
  const { wasted } = torrent.stats();
  assert.ok(fromWeb - wasted > 0 && fromPeer - wasted > 0, `web seed ${fromWeb} bytes, peer ${fromPeer} bytes, ${wasted} wasted`);
});

test('broken web seeds (wrong data, 404, 500, slow) beside a peer: warnings, and the download completes', async (t) => {
  if (!needs(t, TOOLS)) return;
  const { meta, data } = randomTorrent({ sizes: [2_000_000, 1_000_001], pieceLength: 64 * 1024 });
  const root = tempDir(t);
  writeTorrentFiles(join(root, 'good'), meta, data);
  // Same names and sizes, other bytes.
  writeTorrentFiles(join(root, 'wrong'), meta, randomBytes(data.length));
  const web = await startNginx(t, {
    root,
    extra: `location /err/ { return 500; }
    location /slow/ { alias ${join(root, 'good')}/; limit_rate 8k; }`,
  });
  const seeder = await session(t);
  seeder.setLimits({ upload: 1_500_000 });
  await seeder.add(meta, { directory: join(root, 'good'), seedMode: true }).start();
  const leecher = await session(t);
  const dir = tempDir(t);
  const urls = ['wrong/', 'missing/', 'err/', 'slow/'].map((p) => web.url + p);
  const torrent = leecher.add({ ...meta, urlList: urls }, { directory: dir });
  const warnings = collectWarnings(torrent);
  const done = waitForDone(torrent, 40_000);
  torrent.addPeers([{ host: '127.0.0.1', port: seeder.port }]);
  await done;
  assertSameFiles(meta, data, dir);
  const text = warnings.join('\n');
  assert.match(text, /web seed .*\/wrong\/ disabled: served data that failed the hash check/);
  assert.match(text, /web seed .*\/missing\/ disabled: HTTP 404/);
  assert.match(text, /web seed .*\/err\/: HTTP 500/);
  assert.ok(torrent.stats().hashFailures >= 1);
});

test('btui download of a mktorrent .torrent with a web seed and no peers', async (t) => {
  if (!needs(t, { commands: ['nginx', 'mktorrent'] })) return;
  const root = tempDir(t);
  const data = randomBytes(2_500_000);
  mkdirSync(join(root, 'files'));
  writeFileSync(join(root, 'files', 'payload.bin'), data);
  const web = await startNginx(t, { root: join(root, 'files') });
  const torrentPath = join(tempDir(t), 'payload.torrent');
  mktorrent(join(root, 'files', 'payload.bin'), torrentPath, { webSeeds: [`${web.url}payload.bin`] });
  const out = tempDir(t);
  const result = await runCli(['download', '-t', torrentPath, '-o', out, '--host', '127.0.0.1', '--port', '0'], {
    env: { BTUI_HOME: tempDir(t) },
    timeoutMs: 60_000,
  });
  assert.equal(result.code, 0, `btui download failed: ${result.stderr}`);
  assert.ok(readFileSync(join(out, 'payload.bin')).equals(data));
});
