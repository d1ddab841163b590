/**
 * btui against real clients: downloads from libtorrent and aria2c seeders found through a
 * real opentracker (HTTP and UDP), and libtorrent and aria2c downloading from a btui seeder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { needs, tempDir } from '../helpers/tools.js';
import { runCli, CLI } from '../helpers/cli.js';
import { startOpentracker, freePort } from '../helpers/opentracker.js';
import { startLibtorrentPeer } from '../helpers/libtorrent-peer.js';
import { assertSameTree, makeDataDir, mktorrent, setAnnounce } from '../helpers/torrent-files.js';

const TOOLS = { commands: ['opentracker', 'mktorrent', 'aria2c'], libtorrent: true };

interface Fixture {
  dataParent: string;
  name: string;
  expected: Map<string, Buffer>;
  torrent: string;
  infoHash: string;
  single: boolean;
}

function fixture(t: import('node:test').TestContext, single: boolean): Fixture {
  const dataParent = tempDir(t);
  const name = single ? 'single.bin' : 'multi';
  let expected: Map<string, Buffer>;
  if (single) {
    const data = randomBytes(3 * 1024 * 1024 + 12345);
    writeFileSync(join(dataParent, name), data);
    expected = new Map([['', data]]);
  } else {
    expected = makeDataDir(join(dataParent, name), [1_000_003, 7, 2_345_678, 65_536, 0 + 99_999]);
  }
  const torrent = join(tempDir(t), `${name}.torrent`);
  const infoHash = mktorrent(join(dataParent, name), torrent, { pieceLengthLog2: 16 });
  return { dataParent, name, expected, torrent, infoHash, single };
}

function verify(f: Fixture, downloadDir: string): void {
  if (f.single) assertSameTree(new Map([[f.name, f.expected.get('')!]]), downloadDir);
  else assertSameTree(f.expected, join(downloadDir, f.name));
}

async function btuiDownload(t: import('node:test').TestContext, torrent: string, extra: string[] = []) {
  const out = tempDir(t);
  const home = tempDir(t);
  const result = await runCli(['download', '-t', torrent, '-o', out, '--host', '127.0.0.1', '--port', '0', ...extra], {
    env: { BTUI_HOME: home },
    timeoutMs: 90_000,
  });
  return { out, result };
}

for (const transport of ['http', 'udp'] as const) {
  for (const single of [false, true]) {
    test(`btui downloads from a libtorrent seeder via opentracker over ${transport} (${single ? 'single' : 'multi'}-file)`, async (t) => {
      if (!needs(t, TOOLS)) return;
      const f = fixture(t, single);
      const tracker = await startOpentracker(t, [f.infoHash]);
      setAnnounce(f.torrent, [transport === 'http' ? tracker.httpAnnounce : tracker.udpAnnounce]);
      const seeder = await startLibtorrentPeer(t, {
        torrentPath: f.torrent,
        savePath: f.dataParent,
        mode: 'seed',
        listenHost: '127.0.0.2',
      });
      await seeder.waitForTrackerReply(15_000);
      const { out, result } = await btuiDownload(t, f.torrent);
      assert.equal(result.code, 0, `btui download failed: ${result.stderr}`);
      verify(f, out);
    });
  }
}

test('btui downloads from an aria2c seeder via opentracker', async (t) => {
  if (!needs(t, TOOLS)) return;
  const f = fixture(t, false);
  const tracker = await startOpentracker(t, [f.infoHash]);
  setAnnounce(f.torrent, [tracker.httpAnnounce]);
  const port = await freePort();
  const aria = spawn(
    'aria2c',
    [
      `--dir=${f.dataParent}`,
      '--check-integrity=true',
      '--bt-seed-unverified=false',
      '--seed-ratio=0.0',
      '--enable-dht=false',
      '--enable-dht6=false',
      '--bt-enable-lpd=false',
      '--enable-peer-exchange=false',
      `--listen-port=${port}`,
      '--summary-interval=0',
      '--console-log-level=warn',
      f.torrent,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  t.after(() => aria.kill('SIGKILL'));
  // aria2c announces once its check of the existing data is done.
  await waitForSeeders(tracker.httpAnnounce, f.infoHash, 20_000);
  const { out, result } = await btuiDownload(t, f.torrent);
  assert.equal(result.code, 0, `btui download failed: ${result.stderr}`);
  verify(f, out);
});

async function waitForSeeders(announce: string, infoHash: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const r = await runCli(['scrape', '-t', announce, '-i', infoHash, '--json']);
    if (r.code === 0 && (JSON.parse(r.stdout) as { seeders: number }[])[0]?.seeders) return;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error('no seeder registered at the tracker in time');
}

/** Starts `btui download` on complete data so it seeds; returns once the tracker lists it. */
async function btuiSeeder(t: import('node:test').TestContext, f: Fixture, announce: string) {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [CLI, 'download', '-t', f.torrent, '-o', f.dataParent, '--host', '127.0.0.1', '--port', String(port), '--seed-time', '5'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, BTUI_HOME: tempDir(t) },
    },
  );
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  t.after(() => child.kill('SIGKILL'));
  await waitForSeeders(announce, f.infoHash, 20_000).catch((e: Error) => {
    throw new Error(`${e.message}; btui said: ${stderr}`);
  });
  return { port, child, stderr: () => stderr };
}

test('libtorrent downloads from a btui seeder', async (t) => {
  if (!needs(t, TOOLS)) return;
  const f = fixture(t, false);
  const tracker = await startOpentracker(t, [f.infoHash]);
  setAnnounce(f.torrent, [tracker.httpAnnounce]);
  const seeder = await btuiSeeder(t, f, tracker.httpAnnounce);
  const out = tempDir(t);
  const leecher = await startLibtorrentPeer(t, {
    torrentPath: f.torrent,
    savePath: out,
    mode: 'leech',
    listenHost: '127.0.0.3',
    extraPeers: [{ host: '127.0.0.1', port: seeder.port }],
  });
  await leecher.waitFor('finished', 60_000);
  verify(f, out);
});

test('aria2c downloads from a btui seeder', async (t) => {
  if (!needs(t, TOOLS)) return;
  const f = fixture(t, true);
  const tracker = await startOpentracker(t, [f.infoHash]);
  setAnnounce(f.torrent, [tracker.httpAnnounce]);
  await btuiSeeder(t, f, tracker.httpAnnounce);
  const out = tempDir(t);
  mkdirSync(out, { recursive: true });
  const port = await freePort();
  const code = await new Promise<number | null>((resolve) => {
    const aria = spawn(
      'aria2c',
      [
        `--dir=${out}`,
        '--seed-time=0',
        '--enable-dht=false',
        '--enable-dht6=false',
        '--bt-enable-lpd=false',
        '--enable-peer-exchange=false',
        `--listen-port=${port}`,
        '--summary-interval=0',
        '--console-log-level=warn',
        '--bt-stop-timeout=60',
        f.torrent,
      ],
      { stdio: 'ignore' },
    );
    const timer = setTimeout(() => aria.kill('SIGKILL'), 60_000);
    aria.on('close', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  assert.equal(code, 0, 'aria2c finished the download');
  verify(f, out);
});
