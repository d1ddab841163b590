/**
 * MSE/PE against a real libtorrent 2.0 (issue #16): forced encryption both ways (btui
 * downloads from it; it downloads from `btui serve`), and libtorrent's default ("enabled")
 * against btui in prefer and in plaintext mode. Every peer on loopback; libtorrent's side of
 * each connection (RC4 or not) is read from its peer list.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeTorrentFile } from '../../source/engine/metainfo/encode-torrent-file.js';
import { metainfoFromFiles } from '../../source/engine/storage/metainfo-from-files.js';
import type { Metainfo } from '../../source/engine/metainfo/metainfo.js';
import type { EncryptionMode } from '../../source/engine/transport/mse/policy.js';
import type { Torrent } from '../../source/engine/torrent/torrent.js';
import { parseMagnet } from '../../source/engine/metainfo/magnet.js';
import { CLI } from '../helpers/cli.js';
import { startLibtorrentPeer, type LibtorrentPeer } from '../helpers/libtorrent-peer.js';
import { startSession, waitForDone } from '../helpers/swarm.js';
import { needs, tempDir } from '../helpers/tools.js';

const SIZE = 8 * 1024 * 1024;

function fixture(t: import('node:test').TestContext): { meta: Metainfo; torrentPath: string; dataDir: string; data: Buffer } {
  const data = randomBytes(SIZE);
  const { meta } = metainfoFromFiles({ name: 'enc.bin', pieceLength: 256 * 1024, files: [{ path: ['enc.bin'], data }], single: true });
  const dataDir = tempDir(t);
  writeFileSync(join(dataDir, 'enc.bin'), data);
  const torrentPath = join(tempDir(t), 'enc.torrent');
  writeFileSync(torrentPath, encodeTorrentFile(meta));
  return { meta, torrentPath, dataDir, data };
}

/** Whether each peer btui held was encrypted, noted as peers join (a finished download drops its seeds). */
function watchEncryption(torrent: Torrent): boolean[] {
  const seen: boolean[] = [];
  torrent.on('peer', (id: string) => {
    const p = torrent.peerStats().find((s) => s.id === id);
    if (p) seen.push(p.encrypted);
  });
  return seen;
}

/** The most RC4 and plaintext peers libtorrent held at once while data flowed, sampled until `until` settles. */
async function libtorrentSide(peer: LibtorrentPeer, until: Promise<void>): Promise<{ rc4: number; plaintext: number }> {
  const most = { rc4: 0, plaintext: 0 };
  let settled = false;
  const done = until.finally(() => (settled = true));
  while (!settled) {
    const s = peer.lastStatus;
    if (s && s.total_download > 0) {
      most.rc4 = Math.max(most.rc4, s.rc4_peers ?? 0);
      most.plaintext = Math.max(most.plaintext, s.plaintext_peers ?? 0);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await done;
  return most;
}

async function btuiDownloadsFrom(
  t: import('node:test').TestContext,
  mode: EncryptionMode,
  lt: 'forced' | 'enabled',
): Promise<{ encrypted: boolean[]; ms: number }> {
  const f = fixture(t);
  const seeder = await startLibtorrentPeer(t, {
    torrentPath: f.torrentPath,
    savePath: f.dataDir,
    mode: 'seed',
    listenHost: '127.0.0.2',
    encryption: lt,
  });
  const session = await startSession(t, { encryption: mode });
  const out = tempDir(t);
  const torrent = session.add(f.meta, { directory: out });
  const encrypted = watchEncryption(torrent);
  await torrent.start();
  const started = Date.now();
  const done = waitForDone(torrent, 60_000);
  torrent.addPeers([{ host: '127.0.0.2', port: seeder.port, explicit: true }]);
  await done;
  const ms = Date.now() - started;
  assert.ok(readFileSync(join(out, 'enc.bin')).equals(f.data));
  return { encrypted, ms };
}

async function libtorrentDownloadsFrom(
  t: import('node:test').TestContext,
  mode: EncryptionMode,
  lt: 'forced' | 'enabled',
): Promise<{ encrypted: boolean[]; ltSide: { rc4: number; plaintext: number } }> {
  const f = fixture(t);
  const session = await startSession(t, { encryption: mode });
  const torrent = session.add(f.meta, { directory: f.dataDir, seedMode: true });
  const encrypted = watchEncryption(torrent);
  await torrent.start();
  const out = tempDir(t);
  const leecher = await startLibtorrentPeer(t, {
    torrentPath: f.torrentPath,
    savePath: out,
    mode: 'leech',
    listenHost: '127.0.0.3',
    encryption: lt,
    // 8 MiB at 8 MiB/s: about a second of data flow, so the 250 ms status samples see the peer
    downloadLimit: 8 * 1024 * 1024,
    extraPeers: [{ host: '127.0.0.1', port: session.port }],
  });
  const ltSide = await libtorrentSide(leecher, leecher.waitFor('finished', 60_000));
  assert.ok(readFileSync(join(out, 'enc.bin')).equals(f.data));
  return { encrypted, ltSide };
}

test('btui (require) downloads from a libtorrent seeder with forced encryption, over RC4', async (t) => {
  if (!needs(t, { libtorrent: true })) return;
  const { encrypted, ms } = await btuiDownloadsFrom(t, 'require', 'forced');
  t.diagnostic(`8 MiB over RC4 from libtorrent in ${ms} ms`);
  assert.ok(encrypted.length > 0 && encrypted.every(Boolean), `peers: ${encrypted}`);
});

test('btui (prefer, the default) downloads from a libtorrent seeder with forced encryption', async (t) => {
  if (!needs(t, { libtorrent: true })) return;
  const { encrypted } = await btuiDownloadsFrom(t, 'prefer', 'forced');
  assert.ok(encrypted.length > 0 && encrypted.every(Boolean), `peers: ${encrypted}`);
});

test('a libtorrent leecher with forced encryption downloads from a btui seed (prefer), over RC4', async (t) => {
  if (!needs(t, { libtorrent: true })) return;
  const { ltSide, encrypted } = await libtorrentDownloadsFrom(t, 'prefer', 'forced');
  assert.ok(encrypted.length > 0 && encrypted.every(Boolean), `peers: ${encrypted}`);
  assert.ok(ltSide.rc4 >= 1, `libtorrent's side: ${JSON.stringify(ltSide)}`);
});

test('libtorrent with encryption enabled and btui in prefer: both directions work', async (t) => {
  if (!needs(t, { libtorrent: true })) return;
  await btuiDownloadsFrom(t, 'prefer', 'enabled');
  await libtorrentDownloadsFrom(t, 'prefer', 'enabled');
});

test('libtorrent with encryption enabled and btui in plaintext: both directions work, in plaintext', async (t) => {
  if (!needs(t, { libtorrent: true })) return;
  const down = await btuiDownloadsFrom(t, 'plaintext', 'enabled');
  assert.ok(down.encrypted.every((e) => !e));
  const up = await libtorrentDownloadsFrom(t, 'plaintext', 'enabled');
  assert.ok(up.encrypted.every((e) => !e));
  assert.deepEqual(up.ltSide, { rc4: 0, plaintext: 1 });
});

test('btui in require mode and a libtorrent peer with encryption disabled exchange nothing', async (t) => {
  if (!needs(t, { libtorrent: true })) return;
  const f = fixture(t);
  const seeder = await startLibtorrentPeer(t, {
    torrentPath: f.torrentPath,
    savePath: f.dataDir,
    mode: 'seed',
    listenHost: '127.0.0.2',
    encryption: 'disabled',
  });
  const session = await startSession(t, { encryption: 'require' });
  const torrent = session.add(f.meta, { directory: tempDir(t) });
  await torrent.start();
  torrent.addPeers([{ host: '127.0.0.2', port: seeder.port, explicit: true }]);
  await new Promise((r) => setTimeout(r, 3000));
  assert.equal(torrent.stats().peers, 0);
  assert.equal(torrent.stats().downloaded, 0);
});

test('a libtorrent leecher with forced encryption downloads from `btui serve` (found through its magnet x.pe)', async (t) => {
  if (!needs(t, { libtorrent: true })) return;
  const dir = tempDir(t);
  const data = randomBytes(3_000_001);
  writeFileSync(join(dir, 'clip.mp4'), data);
  const torrentDir = tempDir(t);
  const child = spawn(
    process.execPath,
    [CLI, 'serve', '-f', join(dir, 'clip.mp4'), '--host', '127.0.0.1', '--port', '0', '--torrent-dir', torrentDir, '--json', '--no-dht'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BTUI_HOME: tempDir(t) } },
  );
  t.after(() => child.kill('SIGKILL'));
  const served = await new Promise<{ magnet: string; torrent: string }>((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const line = buffered.split('\n')[0];
      if (buffered.includes('\n') && line) resolve(JSON.parse(line) as { magnet: string; torrent: string });
    });
    child.on('close', (code) => reject(new Error(`serve exited ${code}`)));
  });
  const out = tempDir(t);
  const leecher = await startLibtorrentPeer(t, {
    torrentPath: served.torrent,
    savePath: out,
    mode: 'leech',
    listenHost: '127.0.0.4',
    encryption: 'forced',
    extraPeers: [parseMagnet(served.magnet).peers[0]!],
  });
  await leecher.waitFor('finished', 60_000);
  assert.ok(readFileSync(join(out, 'clip.mp4')).equals(data));
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  child.kill('SIGINT');
  assert.equal(await exited, 0);
});
