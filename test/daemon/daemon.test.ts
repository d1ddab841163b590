/**
 * `btui daemon` as a seedbox runs it: the real binary, driven by the real transmission-remote,
 * downloading from a real libtorrent seeder found through a real opentracker.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, runCli } from '../helpers/cli.js';
import { freePort, startOpentracker } from '../helpers/opentracker.js';
import { startLibtorrentPeer } from '../helpers/libtorrent-peer.js';
import { mktorrent, setAnnounce } from '../helpers/torrent-files.js';
import { needs, tempDir, until } from '../helpers/tools.js';
import { savedOnDisk } from '../helpers/saved-session.js';
import { RpcClient } from '../../source/remote/rpc-client.js';

interface Daemon {
  child: ChildProcess;
  rpcPort: number;
  log(): string;
  exited: Promise<number | null>;
}

async function startDaemon(t: TestContext, home: string, args: string[] = [], { dht = false, ownConfig = false } = {}): Promise<Daemon> {
  const rpcPort = await freePort();
  const child = spawn(
    process.execPath,
    [CLI, 'daemon', '--port', '0', ...(dht ? [] : ['--no-dht']), '--rpc-port', String(rpcPort), ...args],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      // ownConfig: a settings file of its own, so that what this test saves reaches no other test.
      env: { ...process.env, BTUI_HOME: home, ...(ownConfig ? { XDG_CONFIG_HOME: join(home, 'config') } : {}) },
    },
  );
  t.after(() => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  await Promise.race([
    until('the daemon serves its RPC', () => stderr.includes('RPC at'), 15_000),
    exited.then((code) => {
      throw new Error(`the daemon exited (${code}): ${stderr}`);
    }),
  ]);
  return { child, rpcPort, log: () => stderr, exited };
}

function remote(port: number, ...args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('transmission-remote', [`127.0.0.1:${port}`, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

async function remoteOk(port: number, ...args: string[]): Promise<string> {
  const r = await remote(port, ...args);
  assert.equal(r.code, 0, `transmission-remote ${args.join(' ')}: ${r.out}`);
  return r.out;
}

/** transmission-remote -l's row for a torrent id, as columns. */
async function listRow(port: number, id: number): Promise<string | undefined> {
  const out = await remoteOk(port, '-l');
  return out.split('\n').find((line) => line.trim().startsWith(`${id} `));
}

function sessionTorrents(home: string): { infoHash: string; directory: string; paused: boolean }[] {
  return savedOnDisk(join(home, 'session.json')).torrents;
}

test('transmission-remote drives btui daemon: add a .torrent, download from libtorrent, info, stop, start, verify, move, remove, remove with data', async (t) => {
  if (!needs(t, { commands: ['transmission-remote', 'opentracker', 'mktorrent'], libtorrent: true })) return;
  const seedDir = tempDir(t);
  const data = randomBytes(6 * 1024 * 1024 + 4321);
  writeFileSync(join(seedDir, 'show.mkv'), data);
  const torrent = join(tempDir(t), 'show.torrent');
  const infoHash = mktorrent(join(seedDir, 'show.mkv'), torrent, { pieceLengthLog2: 18 });
  const tracker = await startOpentracker(t, [infoHash]);
  setAnnounce(torrent, [tracker.httpAnnounce]);
  const seeder = await startLibtorrentPeer(t, { torrentPath: torrent, savePath: seedDir, mode: 'seed', listenHost: '127.0.0.2' });
  await seeder.waitForTrackerReply(15_000);

  const home = tempDir(t);
  const downloads = tempDir(t);
  const daemon = await startDaemon(t, home, ['--download-dir', downloads]);
  const port = daemon.rpcPort;

  assert.match(await remoteOk(port, '-a', torrent), /success/);
  await until(
    'the download completes',
    () => existsSync(join(downloads, 'show.mkv')) && readFileSync(join(downloads, 'show.mkv')).equals(data),
    60_000,
    200,
  );
  let row = '';
  for (let i = 0; i < 100 && !/100%/.test(row); i++) {
    row = (await listRow(port, 1)) ?? '';
    if (!/100%/.test(row)) await new Promise((r) => setTimeout(r, 100));
  }
  assert.match(row, /100%.*show\.mkv/, row);

  const info = await remoteOk(port, '-t', '1', '-i');
  assert.match(info, /Name: show\.mkv/);
  assert.match(info, new RegExp(`Hash: ${infoHash}`));
  assert.match(info, new RegExp(`Location: ${downloads}`));
  assert.match(info, /Percent Done: 100%/);
  assert.match(await remoteOk(port, '-t', '1', '-f'), /show\.mkv/);
  assert.match(await remoteOk(port, '-t', '1', '-it'), new RegExp(`Tracker 0: http://127\\.0\\.0\\.1:${tracker.port}`));

  await remoteOk(port, '-t', '1', '-S');
  assert.match((await listRow(port, 1)) ?? '', /Stopped/, 'stopped once the answer came');
  assert.equal(sessionTorrents(home)[0]?.paused, true, 'the stop is in session.json');
  await remoteOk(port, '-t', '1', '-s');
  await remoteOk(port, '-t', '1', '-v');
  for (let i = 0; i < 100; i++) {
    row = (await listRow(port, 1)) ?? '';
    if (/100%/.test(row) && !/Verifying|Will Verify/.test(row)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.match(row, /100%/, 'verified complete again');

  const moved = tempDir(t);
  await remoteOk(port, '-t', '1', '--move', moved);
  assert.ok(readFileSync(join(moved, 'show.mkv')).equals(data), 'the data moved whole');
  assert.ok(!existsSync(join(downloads, 'show.mkv')), 'and left the old place');
  assert.equal(sessionTorrents(home)[0]?.directory, moved);

  await remoteOk(port, '-t', '1', '-r');
  assert.equal((await listRow(port, 1)) ?? '', '');
  assert.ok(existsSync(join(moved, 'show.mkv')), '-r keeps the data');
  assert.deepEqual(sessionTorrents(home), []);

  await remoteOk(port, '-a', torrent, '-w', moved);
  row = '';
  for (let i = 0; i < 100 && !/100%/.test(row); i++) {
    row = (await listRow(port, 2)) ?? '';
    if (!/100%/.test(row)) await new Promise((r) => setTimeout(r, 100));
  }
  assert.match((await listRow(port, 2)) ?? '', /100%/, 're-added over its data: complete without downloading');
  await remoteOk(port, '-t', '2', '-rad');
  assert.ok(!existsSync(join(moved, 'show.mkv')), '-rad deletes the data');

  daemon.child.kill('SIGTERM');
  const started = Date.now();
  assert.equal(await daemon.exited, 0, daemon.log());
  assert.ok(Date.now() - started < 10_000, 'SIGTERM stops it within seconds');
  assert.match(daemon.log(), /stopping \(SIGTERM\)/);
  assert.doesNotMatch(daemon.log(), /crashed|Error:/);
});

test('an add the RPC acknowledged survives a SIGKILL right after the answer', async (t) => {
  if (!needs(t, { commands: ['transmission-remote'] })) return;
  const home = tempDir(t);
  const daemon = await startDaemon(t, home, ['--download-dir', tempDir(t)]);
  const hashes: string[] = [];
  for (let i = 0; i < 5; i++) {
    const hash = randomBytes(20).toString('hex');
    hashes.push(hash);
    await remoteOk(daemon.rpcPort, '-a', `magnet:?xt=urn:btih:${hash}&dn=item-${i}`);
  }
  daemon.child.kill('SIGKILL');
  await daemon.exited;
  assert.deepEqual(new Set(sessionTorrents(home).map((s) => s.infoHash)), new Set(hashes));
  const again = await startDaemon(t, home);
  const list = await remoteOk(again.rpcPort, '-l');
  for (let i = 0; i < 5; i++) assert.match(list, new RegExp(`item-${i}`));
});

test('session-set changes the RPC acknowledged (queue size, seed goals, download directory) survive a SIGKILL right after the answer', async (t) => {
  const home = tempDir(t);
  const downloads = tempDir(t);
  const daemon = await startDaemon(t, home, [], { ownConfig: true });
  const rpc = new RpcClient({ url: `http://127.0.0.1:${daemon.rpcPort}/transmission/rpc` });
  const change = {
    'download-queue-enabled': true,
    'download-queue-size': 1,
    seedRatioLimited: true,
    seedRatioLimit: 1.5,
    'idle-seeding-limit-enabled': true,
    'idle-seeding-limit': 45,
    'download-dir': downloads,
  };
  await rpc.call('session-set', change);
  daemon.child.kill('SIGKILL');
  await daemon.exited;
  const again = await startDaemon(t, home, [], { ownConfig: true });
  const after = await new RpcClient({ url: `http://127.0.0.1:${again.rpcPort}/transmission/rpc` }).call('session-get', {
    fields: Object.keys(change),
  });
  for (const [key, value] of Object.entries(change)) assert.deepEqual(after[key], value, key);

  // Goals switched off stay off, their values kept for the next time they are switched on (as Transmission).
  const rpcAgain = new RpcClient({ url: `http://127.0.0.1:${again.rpcPort}/transmission/rpc` });
  await rpcAgain.call('session-set', { seedRatioLimited: false, 'idle-seeding-limit-enabled': false });
  again.child.kill('SIGKILL');
  await again.exited;
  const third = await startDaemon(t, home, [], { ownConfig: true });
  const off = await new RpcClient({ url: `http://127.0.0.1:${third.rpcPort}/transmission/rpc` }).call('session-get', {
    fields: ['seedRatioLimited', 'idle-seeding-limit-enabled', 'download-queue-size'],
  });
  assert.equal(off.seedRatioLimited, false);
  assert.equal(off['idle-seeding-limit-enabled'], false);
  assert.equal(off['download-queue-size'], 1);
});

test('one process per session: a second daemon (or TUI) is refused naming the first; the RPC never listens exposed without credentials', async (t) => {
  const home = tempDir(t);
  const daemon = await startDaemon(t, home);
  const second = await runCli(['daemon', '--port', '0', '--no-dht', '--rpc-port', '0'], { env: { BTUI_HOME: home } });
  assert.equal(second.code, 1);
  assert.equal(second.stderr, `btui: the session in ${home} is in use by process ${daemon.child.pid} (btui daemon); quit it first\n`);

  const exposed = await runCli(['daemon', '--rpc-bind', '0.0.0.0', '--rpc-port', '0'], {
    env: { BTUI_HOME: tempDir(t), BTUI_RPC_AUTH: '' },
  });
  assert.equal(exposed.code, 2);
  assert.match(exposed.stderr, /^btui: refusing to serve the RPC on 0\.0\.0\.0 without credentials.*--rpc-auth/);
  assert.equal(exposed.stderr.split('\n').length, 2, 'one line');

  const badAuth = await runCli(['daemon', '--rpc-auth', 'nopassword', '--rpc-port', '0'], { env: { BTUI_HOME: tempDir(t) } });
  assert.equal(badAuth.code, 2);
  assert.match(badAuth.stderr, /--rpc-auth: expected USER:PASSWORD/);
});

test('an unreadable session.json: the daemon changes nothing and says how to go on; --rebuild-session rebuilds from the .torrent copies', async (t) => {
  if (!needs(t, { commands: ['transmission-remote'] })) return;
  const home = tempDir(t);
  const first = await startDaemon(t, home);
  const hash = randomBytes(20).toString('hex');
  const data = tempDir(t);
  writeFileSync(join(data, 'a.bin'), randomBytes(100_000));
  const made = await runCli(['create', join(data, 'a.bin'), '-o', join(data, 'a.torrent')]);
  assert.equal(made.code, 0, made.stderr);
  await remoteOk(first.rpcPort, '-a', join(data, 'a.torrent'), '-w', data);
  await remoteOk(first.rpcPort, '-a', `magnet:?xt=urn:btih:${hash}&dn=waiting`);
  first.child.kill('SIGTERM');
  assert.equal(await first.exited, 0);

  writeFileSync(join(home, 'session.json'), 'garbage{');
  const refused = await runCli(['daemon', '--port', '0', '--no-dht', '--rpc-port', '0'], { env: { BTUI_HOME: home } });
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(refused.stderr, /set aside, unchanged, as .*session\.json\.bad-.*--rebuild-session/);
  assert.ok(
    !existsSync(join(home, 'session.json')) || readFileSync(join(home, 'session.json'), 'utf8') === 'garbage{',
    'nothing saved over it',
  );

  const rebuilt = await startDaemon(t, home, ['--rebuild-session']);
  assert.match(await remoteOk(rebuilt.rpcPort, '-l'), /a\.bin/);
});

test('the DHT follows the settings unless --no-dht says otherwise (no bootstrap nodes: nothing leaves the machine)', async (t) => {
  if (!needs(t, { commands: ['transmission-remote'] })) return;
  const on = await startDaemon(t, tempDir(t), [], { dht: true });
  assert.match(await remoteOk(on.rpcPort, '-si'), /Distributed hash table enabled: Yes/);
  const off = await startDaemon(t, tempDir(t));
  assert.match(await remoteOk(off.rpcPort, '-si'), /Distributed hash table enabled: No/);
});
