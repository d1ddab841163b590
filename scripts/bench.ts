/**
 * `npm run bench`: download the same 1 GiB torrent (1 MiB pieces) on loopback from the same
 * libtorrent seeder, found through a real opentracker, with btui, the libtorrent leecher and
 * aria2c in alternating runs (A B C A B C ...), and print each one's median wall time, CPU
 * time and peak RSS, plus btui's ratios. A script, not a test: figures, not assertions.
 *
 *   npm run bench                 # 3 rounds
 *   npm run bench -- --runs 5 --size-mib 256
 *
 * Needs the Debian packages .ci/run installs (opentracker, python3-libtorrent, aria2, mktorrent, time).
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startOpentracker, freePort } from '../test/helpers/opentracker.js';
import { startLibtorrentPeer } from '../test/helpers/libtorrent-peer.js';
import { mktorrent, setAnnounce } from '../test/helpers/torrent-files.js';
import { SYSTEM_PYTHON } from '../test/helpers/tools.js';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const runs = option('runs', 3);
const sizeMiB = option('size-mib', 1024);
const benchDir = join(root, '.bench');
const CLI = join(root, 'distribution', 'cli.js');

interface Measure {
  wall: number;
  cpu: number;
  user: number;
  sys: number;
  rssMiB: number;
  ok: boolean;
}

/** A minimal stand-in for node:test's context, so the test helpers can clean up after us. */
class Cleanup {
  private readonly fns: (() => unknown)[] = [];
  after(fn: () => unknown): void {
    this.fns.push(fn);
  }
  async run(): Promise<void> {
    for (const fn of this.fns.reverse()) await fn();
  }
}

function ensurePayload(): string {
  mkdirSync(benchDir, { recursive: true });
  const name = `payload-${sizeMiB}m.bin`;
  const path = join(benchDir, name);
  if (!existsSync(path)) {
    process.stderr.write(`generating ${sizeMiB} MiB of random data in ${path}\n`);
    const fd = openSync(path, 'w');
    const chunk = randomBytes(1024 * 1024);
    for (let i = 0; i < sizeMiB; i++) {
      chunk.writeUInt32LE(i, 0);
      writeSync(fd, chunk);
    }
    closeSync(fd);
  }
  return path;
}

/** Runs a command under GNU time; wall from our clock, CPU and peak RSS from time's report. */
function measure(command: string, argv: string[], env: NodeJS.ProcessEnv = {}): Promise<Measure> {
  const report = join(benchDir, 'time.txt');
  return new Promise((resolvePromise) => {
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-o', report, '-f', '%U %S %M', command, ...argv], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const wall = (performance.now() - started) / 1000;
      const [user, sys, rssKiB] = readFileSync(report, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
      if (code !== 0) process.stderr.write(`  ${command} exited ${code}: ${stderr.trim().split('\n').slice(-2).join(' | ')}\n`);
      resolvePromise({ wall, cpu: (user ?? 0) + (sys ?? 0), user: user ?? 0, sys: sys ?? 0, rssMiB: (rssKiB ?? 0) / 1024, ok: code === 0 });
    });
  });
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function main(): Promise<void> {
  for (const tool of ['opentracker', 'aria2c', 'mktorrent', '/usr/bin/time']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) throw new Error(`${tool} is not installed (see .ci/run)`);
  }
  if (!existsSync(CLI)) throw new Error('build first: npm run build');
  const cleanup = new Cleanup();
  const t = cleanup as unknown as import('node:test').TestContext;
  try {
    const payload = ensurePayload();
    const torrent = join(benchDir, `payload-${sizeMiB}m.torrent`);
    const infoHash = mktorrent(payload, torrent, { pieceLengthLog2: 20 });
    const tracker = await startOpentracker(t, [infoHash]);
    setAnnounce(torrent, [tracker.httpAnnounce]);
    spawnSync('cat', [payload], { stdio: ['ignore', 'ignore', 'ignore'] }); // warm the page cache
    const seeder = await startLibtorrentPeer(t, { torrentPath: torrent, savePath: benchDir, mode: 'seed', listenHost: '127.0.0.2' });
    await seeder.waitForTrackerReply(20_000);

    const contenders: Record<string, (out: string) => Promise<Measure>> = {
      btui: (out) => measure(process.execPath, [CLI, 'download', '-t', torrent, '-o', out, '--host', '127.0.0.1', '--port', '0', '--no-dht'], { BTUI_HOME: join(out, '.home') }),
      libtorrent: (out) => measure(SYSTEM_PYTHON, [join(root, 'scripts/bench/lt-leech.py'), torrent, out, '127.0.0.3']),
      aria2c: async (out) => {
        const port = await freePort();
        return measure('aria2c', [
          `--dir=${out}`, '--seed-time=0', '--enable-dht=false', '--enable-dht6=false', '--bt-enable-lpd=false',
          '--enable-peer-exchange=false', '--file-allocation=none', `--listen-port=${port}`, '--summary-interval=0',
          '--console-log-level=error', torrent,
        ]);
      },
    };
    const results: Record<string, Measure[]> = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
    for (let round = 1; round <= runs; round++) {
      for (const [name, run] of Object.entries(contenders)) {
        const out = join(benchDir, `out-${name}`);
        rmSync(out, { recursive: true, force: true });
        mkdirSync(out, { recursive: true });
        const m = await run(out);
        results[name]!.push(m);
        process.stderr.write(`round ${round} ${name.padEnd(10)} ${m.wall.toFixed(2)} s wall  ${m.cpu.toFixed(2)} s CPU (${m.user.toFixed(2)} user ${m.sys.toFixed(2)} sys)  ${m.rssMiB.toFixed(0)} MiB${m.ok ? '' : '  FAILED'}\n`);
        rmSync(out, { recursive: true, force: true });
        // Let the kernel finish with the deleted gigabyte (writeback, discard) before the next run.
        spawnSync('sync');
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    const summary = Object.fromEntries(
      Object.entries(results).map(([name, ms]) => [name, { wall: median(ms.map((m) => m.wall)), cpu: median(ms.map((m) => m.cpu)), rss: Math.max(...ms.map((m) => m.rssMiB)), failed: ms.filter((m) => !m.ok).length }]),
    );
    const b = summary.btui!;
    console.log(`\nDownload ${sizeMiB} MiB (1 MiB pieces) from one libtorrent seeder over loopback, median of ${runs}:\n`);
    console.log('client       wall s   CPU s   peak RSS MiB   btui wall ratio   btui CPU ratio');
    for (const [name, s] of Object.entries(summary)) {
      const ratio = name === 'btui' ? '' : `${(b.wall / s.wall).toFixed(2)}x`.padStart(15);
      const cpuRatio = name === 'btui' ? '' : `${(b.cpu / s.cpu).toFixed(2)}x`.padStart(16);
      console.log(`${name.padEnd(10)} ${s.wall.toFixed(2).padStart(8)} ${s.cpu.toFixed(2).padStart(7)} ${s.rss.toFixed(0).padStart(14)}   ${ratio} ${cpuRatio}${s.failed ? `  (${s.failed} failed)` : ''}`);
    }
  } finally {
    await cleanup.run();
  }
}

main().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
