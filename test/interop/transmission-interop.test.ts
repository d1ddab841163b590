/**
 * btui and a real transmission-daemon 3.00 on loopback (issue #20). Transmission never dials
 * 127.x addresses itself, so btui dials it, whichever of the two has the data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeTorrentFile } from '../../source/engine/metainfo/encode-torrent-file.js';
import { metainfoFromFiles } from '../../source/engine/storage/metainfo-from-files.js';
import type { Metainfo } from '../../source/engine/metainfo/metainfo.js';
import { startSession, waitForDone } from '../helpers/swarm.js';
import { freePort } from '../helpers/opentracker.js';
import { needs, tempDir } from '../helpers/tools.js';

const TOOLS = { commands: ['transmission-daemon', 'transmission-remote'] };

interface Daemon {
  peerPort: number;
  /** transmission-remote against it; asynchronous: the btui session in this process runs meanwhile. */
  remote(...args: string[]): Promise<string>;
}

const run = promisify(execFile);

/** Polls an asynchronous condition (a synchronous child process would stop btui's event loop too). */
async function waitFor(what: string, done: () => Promise<boolean>, timeoutMs: number, pollMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** A transmission-daemon on 127.0.0.1 with its own config dir, stopped by its pid after the test. */
async function startTransmission(
  t: import('node:test').TestContext,
  downloadDir: string,
  extraSettings: Record<string, unknown> = {},
): Promise<Daemon> {
  const config = tempDir(t, 'btui-tr-');
  const rpcPort = await freePort();
  const peerPort = await freePort();
  // Loopback only; no blocklist, DHT, LSD, PEX or uTP: btui is the one peer it hears of.
  writeFileSync(
    join(config, 'settings.json'),
    JSON.stringify({
      'bind-address-ipv4': '127.0.0.1',
      'rpc-bind-address': '127.0.0.1',
      'pex-enabled': false,
      'utp-enabled': false,
      'message-level': 1,
      ...extraSettings,
    }),
  );
  const child = spawn(
    'transmission-daemon',
    ['-f', '-g', config, '-p', String(rpcPort), '-w', downloadDir, '-P', String(peerPort), '-O', '--no-dht', '--no-lpd', '--no-auth'],
    {
      stdio: 'ignore',
    },
  );
  t.after(() => {
    child.kill('SIGKILL');
  });
  const remote = async (...args: string[]) =>
    (await run('transmission-remote', [`127.0.0.1:${rpcPort}`, ...args], { encoding: 'utf8' })).stdout;
  await waitFor(
    'transmission-daemon to answer',
    () =>
      remote('-l').then(
        () => true,
        () => false,
      ),
    15_000,
    100,
  );
  return { peerPort, remote };
}

async function percentDone(daemon: Daemon): Promise<number> {
  const m = /Percent Done: ([\d.]+)%/.exec(await daemon.remote('-t', '1', '-i'));
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
  await daemon.remote('-a', f.torrentPath, '-w', f.dataDir);
  await waitFor('transmission to verify its copy', async () => (await percentDone(daemon)) === 100, 30_000);

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
  t.diagnostic(
    `32 MiB from transmission-daemon in ${elapsed} ms (first piece after ${firstPieceAt - started} ms); longest wait between pieces ${longestGap} ms`,
  );
  assert.ok(readFileSync(join(out, 'tr.bin')).equals(f.data));
  assert.ok(longestGap < 2000, `a ${longestGap} ms stall between pieces`);
  // Transmission unchokes a new peer at its next rechoke, run every 10 s: the first piece comes
  // 1-11 s after the dial whatever btui does, so the transfer is timed from it.
  assert.ok(firstPieceAt - started < 15_000, `the first piece only after ${firstPieceAt - started} ms`);
  const transfer = started + elapsed - firstPieceAt;
  assert.ok(transfer < 10_000, `${transfer} ms from the first piece to the last`);
});

test('a btui seed dials a transmission-daemon leecher it was told of, and serves it', async (t) => {
  if (!needs(t, TOOLS)) return;
  const f = fixture(t, 4 * 1024 * 1024);
  const leechDir = tempDir(t);
  mkdirSync(leechDir, { recursive: true });
  const daemon = await startTransmission(t, leechDir);
  await daemon.remote('-a', f.torrentPath, '-w', leechDir);
  // It holds incoming handshakes for a torrent it is still checking (8 s here).
  await waitFor(
    'transmission to check its (empty) copy',
    async () => /State: (Idle|Downloading)/.test(await daemon.remote('-t', '1', '-i')),
    30_000,
  );

  const session = await startSession(t);
  const torrent = session.add(f.meta, { directory: f.dataDir, seedMode: true });
  await torrent.start();
  assert.equal(torrent.state, 'seeding');
  const started = Date.now();
  let firstUpload = 0;
  torrent.once('peer', () => (firstUpload = Date.now()));
  torrent.addPeers([{ host: '127.0.0.1', port: daemon.peerPort }]);
  await waitFor('transmission to have every piece', async () => (await percentDone(daemon)) === 100, 30_000);
  t.diagnostic(
    `transmission-daemon had 4 MiB from the btui seed ${Date.now() - started} ms after the seed was told of it (connected after ${firstUpload - started} ms)`,
  );
  assert.ok(readFileSync(join(leechDir, 'tr.bin')).equals(f.data));
});

test('a 32 MiB magnet (x.pe) from a transmission-daemon seeder: the metadata connection carries the data', async (t) => {
  if (!needs(t, TOOLS)) return;
  const f = fixture(t, 32 * 1024 * 1024);
  const daemon = await startTransmission(t, f.dataDir);
  await daemon.remote('-a', f.torrentPath, '-w', f.dataDir);
  await waitFor('transmission to verify its copy', async () => (await percentDone(daemon)) === 100, 30_000);

  const session = await startSession(t);
  const started = Date.now();
  const magnet = { infoHash: f.meta.infoHash, trackers: [], webSeeds: [], peers: [{ host: '127.0.0.1', port: daemon.peerPort }] };
  const resolved = await session.resolveMagnet(magnet, { timeoutMs: 30_000 });
  const metadataAt = Date.now();
  const out = tempDir(t);
  const torrent = session.add(resolved.meta, { directory: out, paused: true });
  const done = waitForDone(torrent, 60_000);
  let firstPieceAt = 0;
  torrent.once('piece', () => (firstPieceAt = Date.now()));
  await torrent.start();
  torrent.addPeers(resolved.peers);
  await done;
  const elapsed = Date.now() - started;
  t.diagnostic(
    `32 MiB magnet from transmission-daemon in ${elapsed} ms (metadata after ${metadataAt - started} ms, first piece after ${firstPieceAt - started} ms)`,
  );
  assert.ok(readFileSync(join(out, 'tr.bin')).equals(f.data));
  // As above: the first piece waits for Transmission's next rechoke (every 10 s).
  assert.ok(firstPieceAt - started < 15_000, `the first piece only after ${firstPieceAt - started} ms`);
  assert.ok(Date.now() - firstPieceAt < 10_000, `${Date.now() - firstPieceAt} ms from the first piece to the last`);
});

// Transmission's `encryption`: 0 prefer plaintext, 1 prefer encrypted (its default), 2 require.
for (const btuiMode of ['prefer', 'require'] as const) {
  test(`transmission-daemon requiring encryption (encryption: 2) and btui in ${btuiMode}: btui downloads from it, over RC4`, async (t) => {
    if (!needs(t, TOOLS)) return;
    const f = fixture(t, 8 * 1024 * 1024);
    const daemon = await startTransmission(t, f.dataDir, { encryption: 2 });
    await daemon.remote('-a', f.torrentPath, '-w', f.dataDir);
    await waitFor('transmission to verify its copy', async () => (await percentDone(daemon)) === 100, 30_000);
    const session = await startSession(t, { encryption: btuiMode });
    const out = tempDir(t);
    const torrent = session.add(f.meta, { directory: out });
    const encrypted: boolean[] = [];
    torrent.on('peer', (id: string) => encrypted.push(torrent.peerStats().find((p) => p.id === id)?.encrypted ?? false));
    await torrent.start();
    const started = Date.now();
    const done = waitForDone(torrent, 60_000);
    torrent.addPeers([{ host: '127.0.0.1', port: daemon.peerPort, explicit: true }]);
    await done;
    t.diagnostic(`8 MiB from an encryption-requiring transmission-daemon in ${Date.now() - started} ms`);
    assert.ok(readFileSync(join(out, 'tr.bin')).equals(f.data));
    assert.ok(encrypted.length > 0 && encrypted.every(Boolean), `peers: ${encrypted}`);
  });
}

test('a transmission-daemon leecher requiring encryption (encryption: 2) downloads from a btui seed that dials it', async (t) => {
  if (!needs(t, TOOLS)) return;
  const f = fixture(t, 4 * 1024 * 1024);
  const leechDir = tempDir(t);
  const daemon = await startTransmission(t, leechDir, { encryption: 2 });
  await daemon.remote('-a', f.torrentPath, '-w', leechDir);
  await waitFor(
    'transmission to check its (empty) copy',
    async () => /State: (Idle|Downloading)/.test(await daemon.remote('-t', '1', '-i')),
    30_000,
  );
  const session = await startSession(t);
  const torrent = session.add(f.meta, { directory: f.dataDir, seedMode: true });
  const encrypted: boolean[] = [];
  torrent.on('peer', (id: string) => encrypted.push(torrent.peerStats().find((p) => p.id === id)?.encrypted ?? false));
  await torrent.start();
  torrent.addPeers([{ host: '127.0.0.1', port: daemon.peerPort }]);
  await waitFor('transmission to have every piece', async () => (await percentDone(daemon)) === 100, 30_000);
  assert.ok(readFileSync(join(leechDir, 'tr.bin')).equals(f.data));
  assert.ok(encrypted.length > 0 && encrypted.every(Boolean), `peers: ${encrypted}`);
});
