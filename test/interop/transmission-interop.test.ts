/**
 * btui and a real transmission-daemon 3.00 on loopback (issue #20). Transmission never dials
 * 127.x addresses itself, so btui dials it, whichever of the two has the data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeTorrentFile } from '../../source/engine/metainfo/encode-torrent-file.js';
import { metainfoFromFiles } from '../../source/engine/storage/metainfo-from-files.js';
import type { Metainfo } from '../../source/engine/metainfo/metainfo.js';
import { startSession, waitForDone } from '../helpers/swarm.js';
import { freePort } from '../helpers/opentracker.js';
import { needs, tempDir, until } from '../helpers/tools.js';

const TOOLS = { commands: ['transmission-daemon', 'transmission-remote'] };

interface Daemon {
  peerPort: number;
  remote(...args: string[]): string;
}

/** A transmission-daemon on 127.0.0.1 with its own config dir, stopped by its pid after the test. */
async function startTransmission(t: import('node:test').TestContext, downloadDir: string): Promise<Daemon> {
  const config = tempDir(t, 'btui-tr-');
  const rpcPort = await freePort();
  const peerPort = await freePort();
  // Loopback only; no blocklist, DHT, LSD, PEX or uTP: btui is the one peer it hears of.
  writeFileSync(
    join(config, 'settings.json'),
    JSON.stringify({ 'bind-address-ipv4': '127.0.0.1', 'rpc-bind-address': '127.0.0.1', 'pex-enabled': false, 'utp-enabled': false, 'message-level': 1 }),
  );
  const child = spawn('transmission-daemon', ['-f', '-g', config, '-p', String(rpcPort), '-w', downloadDir, '-P', String(peerPort), '-O', '--no-dht', '--no-lpd', '--no-auth'], {
    stdio: 'ignore',
  });
  t.after(() => {
    child.kill('SIGKILL');
  });
  const remote = (...args: string[]) => {
    const r = spawnSync('transmission-remote', [`127.0.0.1:${rpcPort}`, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`transmission-remote ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  await until('transmission-daemon to answer', () => {
    try {
      remote('-l');
      return true;
    } catch {
      return false;
    }
  }, 15_000, 100);
  return { peerPort, remote };
}

function percentDone(daemon: Daemon): number {
  const m = /Percent Done: ([\d.]+)%/.exec(daemon.remote('-t', '1', '-i'));
  return m ? Number(m[1]) : 0;
}

function fixture(t: import('node:test').TestContext, size: number): { meta: Metainfo; torrentPath: string; dataDir: string; data: Buffer } {
  const data = randomBytes(size);
  const { meta } = metainfoFromFiles({ name: 'tr.bin', pieceLength: 256 * 1024, files: [{ path: ['tr.bin'], data }], single: true });
  const dataDir = tempDir(t);
  writeFileSync(join(dataDir, 'tr.bin'), data);
  const torrentPath = join(tempDir(t), 'tr.torrent');
  writeFileSync(torrentPath, encodeTorrentFile(meta));
  return { meta, torrentPath, dataDir, data };
}

test('a 32 MiB download from a transmission-daemon seeder completes with no multi-second stall', async (t) => {
  if (!needs(t, TOOLS)) return;
  const f = fixture(t, 32 * 1024 * 1024);
  const daemon = await startTransmission(t, f.dataDir);
  daemon.remote('-a', f.torrentPath, '-w', f.dataDir);
  await until('transmission to verify its copy', () => percentDone(daemon) === 100, 30_000, 200);

  const session = await startSession(t);
  const out = tempDir(t);
  const torrent = session.add(f.meta, { directory: out });
  // Between pieces, from the first on (before it: the dial, and Transmission's unchoke).
  let last: number | undefined;
  let firstPieceAt = 0;
  let longestGap = 0;
  torrent.on('piece', () => {
    const now = Date.now();
    if (last === undefined) firstPieceAt = now;
    else longestGap = Math.max(longestGap, now - last);
    last = now;
  });
  await torrent.start();
  const started = Date.now();
  const done = waitForDone(torrent, 60_000);
  torrent.addPeers([{ host: '127.0.0.1', port: daemon.peerPort, explicit: true }]);
  await done;
  const elapsed = Date.now() - started;
  t.diagnostic(`32 MiB from transmission-daemon in ${elapsed} ms (first piece after ${firstPieceAt - started} ms); longest wait between pieces ${longestGap} ms`);
  assert.ok(readFileSync(join(out, 'tr.bin')).equals(f.data));
  assert.ok(longestGap < 2000, `a ${longestGap} ms stall between pieces`);
  assert.ok(elapsed < 15_000, `took ${elapsed} ms`);
});

test('a btui seed dials a transmission-daemon leecher it was told of, and serves it', async (t) => {
  if (!needs(t, TOOLS)) return;
  const f = fixture(t, 4 * 1024 * 1024);
  const leechDir = tempDir(t);
  mkdirSync(leechDir, { recursive: true });
  const daemon = await startTransmission(t, leechDir);
  daemon.remote('-a', f.torrentPath, '-w', leechDir);

  const session = await startSession(t);
  const torrent = session.add(f.meta, { directory: f.dataDir, seedMode: true });
  await torrent.start();
  assert.equal(torrent.state, 'seeding');
  torrent.addPeers([{ host: '127.0.0.1', port: daemon.peerPort }]);
  await until('transmission to have every piece', () => percentDone(daemon) === 100, 30_000, 250);
  assert.ok(readFileSync(join(leechDir, 'tr.bin')).equals(f.data));
});

test('a 32 MiB magnet (x.pe) from a transmission-daemon seeder: the metadata connection carries the data', async (t) => {
  if (!needs(t, TOOLS)) return;
  const f = fixture(t, 32 * 1024 * 1024);
  const daemon = await startTransmission(t, f.dataDir);
  daemon.remote('-a', f.torrentPath, '-w', f.dataDir);
  await until('transmission to verify its copy', () => percentDone(daemon) === 100, 30_000, 200);

  const session = await startSession(t);
  const started = Date.now();
  const magnet = { infoHash: f.meta.infoHash, trackers: [], webSeeds: [], peers: [{ host: '127.0.0.1', port: daemon.peerPort }] };
  const resolved = await session.resolveMagnet(magnet, { timeoutMs: 30_000 });
  const metadataAt = Date.now();
  const out = tempDir(t);
  const torrent = session.add(resolved.meta, { directory: out, paused: true });
  const done = waitForDone(torrent, 60_000);
  await torrent.start();
  torrent.addPeers(resolved.peers);
  await done;
  const elapsed = Date.now() - started;
  t.diagnostic(`32 MiB magnet from transmission-daemon in ${elapsed} ms (metadata after ${metadataAt - started} ms)`);
  assert.ok(readFileSync(join(out, 'tr.bin')).equals(f.data));
  assert.ok(elapsed < 15_000, `took ${elapsed} ms`);
});
