/**
 * `npm run bench`: btui against libtorrent, aria2c, mktorrent and node itself, on loopback, with a
 * real opentracker and the same seeder for every contender; rounds alternate (A B A B ...) and
 * each figure is a median. A script, not a test: figures, not assertions.
 *
 *   npm run bench                              every row, 3 rounds (~10 minutes)
 *   npm run bench -- --runs 5 --only download,seed
 *   npm run bench -- --only small --runs 2 --cpu-prof /tmp/prof     (a CPU profile of each btui leecher)
 *   npm run bench -- --size-mib 256            quick: 256 MiB instead of 1 GiB (64 MiB for small/swarm)
 *   npm run bench -- --write-doc               also put the table into docs/benchmarks.md
 *
 * Rows: download (1 GiB, 1 MiB pieces, from a libtorrent seeder: btui / libtorrent / aria2c),
 * seed (the libtorrent leecher from a btui seeder / from a libtorrent seeder), small (a quarter
 * of the size in 16 KiB pieces), swarm (8 leechers at once from one libtorrent seeder), utp (the
 * download row over uTP only: btui / libtorrent from a libtorrent seeder with TCP off), create
 * (btui create / mktorrent), recheck (btui / libtorrent checking complete data), startup
 * (btui metainfo on 10,000 files / node -e 0), rpc (a btui daemon holding 10,000 torrents: Flood's
 * torrent-get and recently-active against transmission-daemon 3.00, and the CPU of Flood's 2 s poll
 * during a download; scripts/bench/rpc-bench.ts; alone: --only rpc, about 2 minutes), encrypted
 * (the download row's 1 GiB with btui --encryption require, RC4 both ways, against btui in
 * plaintext from the same libtorrent seeder; alone: --only encrypted; --rc4-typescript adds a btui
 * running its TypeScript RC4, BTUI_RC4=typescript).
 *
 * Needs the Debian packages .ci/run installs (opentracker, python3-libtorrent, aria2, mktorrent, time).
 */
import './isolated-user-dirs.js';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startOpentracker, freePort } from '../test/helpers/opentracker.js';
import { startLibtorrentPeer, type LibtorrentPeer } from '../test/helpers/libtorrent-peer.js';
import { mktorrent, setAnnounce } from '../test/helpers/torrent-files.js';
import { SYSTEM_PYTHON } from '../test/helpers/tools.js';
import { parseMetainfo } from '../source/engine/metainfo/metainfo.js';
import { measure, processCpu, settle, summarize, type Measure } from './bench/measure.js';
import { ensurePayload, manyFilesTorrent, waitForSeeders, warm } from './bench/swarm-setup.js';
import { formatTable, replaceDocTable, type Row } from './bench/report.js';
import { Cleanup } from './bench/cleanup.js';
import { rpcRows } from './bench/rpc-bench.js';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const ROWS = ['download', 'encrypted', 'seed', 'small', 'swarm', 'utp', 'create', 'recheck', 'startup', 'rpc'] as const;
type RowName = (typeof ROWS)[number];
const runs = Number(option('runs') ?? 3);
const sizeMiB = Number(option('size-mib') ?? 1024);
const smallMiB = Math.max(16, sizeMiB / 4);
const only = new Set((option('only') ?? ROWS.join(',')).split(',').map((s) => s.trim()) as RowName[]);
for (const name of only) if (!ROWS.includes(name)) throw new Error(`unknown row '${name}' (rows: ${ROWS.join(', ')})`);
const SWARM_SIZE = 8;
const benchDir = join(root, '.bench');
const work = join(benchDir, `run-${process.pid}`);
const CLI = join(root, 'distribution', 'cli.js');
const LT_LEECH = join(root, 'scripts/bench/lt-leech.py');
const LT_CHECK = join(root, 'test/helpers/lt-check.py');

const log = (text: string) => process.stderr.write(`${text}\n`);
const line = (label: string, m: Measure) =>
  log(
    `  ${label.padEnd(28)} ${m.wall.toFixed(2)} s wall  ${m.cpu.toFixed(2)} s CPU (${m.user.toFixed(2)} user ${m.sys.toFixed(2)} sys)  ${m.rssMiB.toFixed(0)} MiB  ${(m.minorFaults / 1000).toFixed(0)}k minor faults${m.ok ? '' : '  FAILED'}`,
  );

function btuiCreate(data: string, out: string, pieceLength: string): string {
  const made = spawnSync(process.execPath, [CLI, 'create', data, '-o', out, '-l', pieceLength, '--no-date', '--force', '--json'], {
    encoding: 'utf8',
  });
  if (made.status !== 0) throw new Error(`btui create failed: ${made.stderr}`);
  return parseMetainfo(readFileSync(out)).infoHash;
}

function freshDir(name: string): string {
  const dir = join(work, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

// --cpu-prof DIR: every btui leecher writes a V8 CPU profile there (NODE_OPTIONS may not carry --cpu-prof).
const cpuProfDir = option('cpu-prof');
const cpuProf = cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir] : [];
const btuiLeech = (torrent: string, out: string, extra: string[] = [], env: Record<string, string> = {}) =>
  measure(
    work,
    process.execPath,
    [...cpuProf, CLI, 'download', '-t', torrent, '-o', out, '--host', '127.0.0.1', '--port', '0', '--no-dht', ...extra],
    {
      env: { BTUI_HOME: join(out, '.home'), ...env },
    },
  );
const LEECH_TIMEOUT_S = 300;
const ltLeech = (torrent: string, out: string, transport: 'tcp' | 'utp' = 'tcp') =>
  measure(work, SYSTEM_PYTHON, [LT_LEECH, torrent, out, '127.0.0.3', String(LEECH_TIMEOUT_S), transport]);
const aria2Leech = async (torrent: string, out: string) =>
  measure(work, 'aria2c', [
    `--dir=${out}`,
    '--seed-time=0',
    '--enable-dht=false',
    '--enable-dht6=false',
    '--bt-enable-lpd=false',
    '--enable-peer-exchange=false',
    '--file-allocation=none',
    `--listen-port=${await freePort()}`,
    '--summary-interval=0',
    '--console-log-level=error',
    torrent,
  ]);

type Contender = (out: string, round: number) => Promise<Measure>;

/**
 * Alternating rounds of downloads: fresh output directory, then delete, sync and settle.
 * `warmUp`: an uncounted round first. A seeder's first upload of a torrent is the slowest (1 GiB:
 * ~2.6 s for whoever went first, 1.5-2.2 s after), and btui always went first.
 */
async function race(
  title: string,
  contenders: Record<string, Contender>,
  options: { warmUp?: boolean } = {},
): Promise<Record<string, Measure[]>> {
  log(`\n${title}`);
  const results: Record<string, Measure[]> = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
  for (let round = options.warmUp ? 0 : 1; round <= runs; round++) {
    for (const [name, run] of Object.entries(contenders)) {
      const out = freshDir(`out-${name}`);
      const m = await run(out, round);
      if (round > 0) results[name]!.push(m);
      line(round > 0 ? `round ${round} ${name}` : `warm-up ${name}`, m);
      rmSync(out, { recursive: true, force: true });
      await settle();
    }
  }
  return results;
}

/** Process CPU seconds per GiB moved, btui's and the contender's (the median run of each). */
function cpuPerGib(results: Record<string, Measure[]>, sizeMiB: number): string {
  const perGib = (ms: Measure[]) => ((summarize(ms).cpu * 1024) / sizeMiB).toFixed(1);
  const [name, theirs] = Object.entries(results).find(([n]) => n !== 'btui')!;
  return `CPU per GiB: btui ${perGib(results.btui!)} s, ${name} ${perGib(theirs)} s`;
}

function rowsFrom(benchmark: string, results: Record<string, Measure[]>, note = ''): Row[] {
  const btui = summarize(results.btui!);
  return Object.entries(results)
    .filter(([name]) => name !== 'btui')
    .map(([name, ms]) => ({ benchmark, contender: name, btui, other: summarize(ms), note }));
}

/**
 * A btui seeder on complete data (it checks the data first), registered with its own tracker.
 * It listens on 127.0.0.1, the address its announces come from: the tracker hands that out.
 */
async function startBtuiSeeder(
  cleanup: Cleanup,
  torrent: string,
  trackerPort: number,
  infoHash: string,
  extra: string[] = [],
): Promise<ChildProcess> {
  const home = freshDir('seed-home');
  const child = spawn(
    process.execPath,
    [
      CLI,
      'download',
      '-t',
      torrent,
      '-o',
      benchDir,
      '--seed-time',
      '600',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--no-dht',
      '--json',
      ...extra,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, BTUI_HOME: home },
    },
  );
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  child.stdout!.resume();
  cleanup.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
  try {
    await waitForSeeders(trackerPort, infoHash, 1, 120_000);
  } catch (error) {
    throw new Error(`btui seeder: ${(error as Error).message}; ${stderr.trim().split('\n').slice(-2).join(' | ')}`);
  }
  return child;
}

/** The libtorrent leecher downloads from one seeder; the seeder's CPU for that run is read from /proc. */
async function leechFrom(seederPid: number, torrent: string, out: string, transport: 'tcp' | 'utp' = 'tcp'): Promise<Measure> {
  const before = processCpu(seederPid);
  const m = await ltLeech(torrent, out, transport);
  const seederCpu = processCpu(seederPid) - before;
  log(`    seeder CPU ${seederCpu.toFixed(2)} s`);
  // The row is about the seeder: its CPU and RSS; wall is the leecher's download time.
  return { ...m, cpu: seederCpu, user: seederCpu, sys: 0, rssMiB: peakRss(seederPid) };
}

function peakRss(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : 0;
}

/** `count` leechers at once; wall until the last is done, CPU per leecher (median), RSS the largest. */
async function swarmOf(count: number, start: (out: string) => Promise<Measure>, out: string): Promise<Measure> {
  const started = performance.now();
  const ms = await Promise.all(
    Array.from({ length: count }, (_, i) => {
      const dir = join(out, String(i));
      mkdirSync(dir, { recursive: true });
      return start(dir);
    }),
  );
  const cpus = ms.map((m) => m.cpu).sort((a, b) => a - b);
  log(`    per-leecher CPU s: ${cpus.map((c) => c.toFixed(2)).join(' ')}`);
  const faults = ms.map((m) => m.minorFaults).sort((a, b) => a - b);
  log(`    per-leecher minor page faults (thousands): ${faults.map((f) => (f / 1000).toFixed(0)).join(' ')}`);
  return {
    wall: (performance.now() - started) / 1000,
    cpu: cpus[Math.floor(cpus.length / 2)]!,
    user: 0,
    sys: 0,
    rssMiB: Math.max(...ms.map((m) => m.rssMiB)),
    minorFaults: faults[Math.floor(faults.length / 2)]!,
    ok: ms.every((m) => m.ok),
  };
}

async function main(): Promise<void> {
  for (const tool of ['opentracker', 'aria2c', 'mktorrent', '/usr/bin/time']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) throw new Error(`${tool} is not installed (see .ci/run)`);
  }
  if (!existsSync(CLI)) throw new Error('build first: npm run build');
  const cleanup = new Cleanup();
  const t = cleanup as unknown as import('node:test').TestContext;
  const rows: Row[] = [];
  const loadBefore = loadavg()[0]!;
  const began = Date.now();
  mkdirSync(work, { recursive: true });
  cleanup.after(() => rmSync(work, { recursive: true, force: true }));
  try {
    const needsSwarm = ['download', 'encrypted', 'seed', 'small', 'swarm'].some((r) => only.has(r as RowName));
    const needsBig = needsSwarm || ['create', 'recheck', 'utp'].some((r) => only.has(r as RowName));
    const big = needsBig ? ensurePayload(benchDir, sizeMiB) : '';
    const small = ['small', 'swarm'].some((r) => only.has(r as RowName)) ? ensurePayload(benchDir, smallMiB) : undefined;
    // Torrents: the big payload in 1 MiB pieces; the small one in 16 KiB pieces and in 1 MiB pieces.
    const bigTorrent = join(work, 'big.torrent');
    const bigHash = needsBig ? mktorrent(big, bigTorrent, { pieceLengthLog2: 20 }) : '';
    const torrents: { path: string; hash: string; data: string }[] = [{ path: bigTorrent, hash: bigHash, data: big }];
    const small16k = small && join(work, 'small-16k.torrent');
    const swarmTorrent = small && join(work, 'swarm.torrent');
    if (small) {
      // mktorrent's smallest piece is 32 KiB: btui create makes the 16 KiB one.
      torrents.push({ path: small16k!, hash: btuiCreate(small, small16k!, '16K'), data: small });
      torrents.push({ path: swarmTorrent!, hash: mktorrent(small, swarmTorrent!, { pieceLengthLog2: 20 }), data: small });
    }

    if (needsSwarm) {
      const tracker = await startOpentracker(
        t,
        torrents.map((x) => x.hash),
      );
      for (const x of torrents) setAnnounce(x.path, [tracker.httpAnnounce]);
      const seeders = new Map<string, LibtorrentPeer>();
      for (const x of torrents) {
        warm(x.data);
        const seeder = await startLibtorrentPeer(t, { torrentPath: x.path, savePath: benchDir, mode: 'seed', listenHost: '127.0.0.2' });
        await seeder.waitForTrackerReply(20_000);
        seeders.set(x.path, seeder);
      }

      if (only.has('download')) {
        const results = await race(
          `download ${sizeMiB} MiB, 1 MiB pieces, from one libtorrent seeder`,
          {
            btui: (out) => btuiLeech(bigTorrent, out),
            libtorrent: (out) => ltLeech(bigTorrent, out),
            aria2c: (out) => aria2Leech(bigTorrent, out),
          },
          { warmUp: true },
        );
        rows.push(...rowsFrom(`download ${sizeMiB} MiB (1 MiB pieces)`, results));
      }

      if (only.has('encrypted')) {
        // libtorrent's default policy picks RC4 when that is all btui offers (require), plaintext when offered both.
        const results = await race(
          `download ${sizeMiB} MiB from one libtorrent seeder: btui --encryption require (RC4) vs plaintext`,
          {
            btui: (out) => btuiLeech(bigTorrent, out, ['--encryption', 'require']),
            'btui plaintext': (out) => btuiLeech(bigTorrent, out, ['--encryption', 'plaintext']),
            ...(args.includes('--rc4-typescript')
              ? {
                  'btui, TypeScript RC4': (out: string) =>
                    btuiLeech(bigTorrent, out, ['--encryption', 'require'], { BTUI_RC4: 'typescript' }),
                }
              : {}),
          },
          { warmUp: true },
        );
        rows.push(...rowsFrom(`download ${sizeMiB} MiB encrypted (RC4)`, results));
      }

      if (only.has('seed')) {
        // Its own tracker, so the libtorrent leecher finds only the btui seeder; same info-hash.
        const trackerB = await startOpentracker(t, [bigHash]);
        const bTorrent = join(work, 'big-btui-seed.torrent');
        writeFileSync(bTorrent, readFileSync(bigTorrent));
        setAnnounce(bTorrent, [trackerB.httpAnnounce]);
        log('\nstarting the btui seeder (it checks its data first)');
        const btuiSeeder = await startBtuiSeeder(cleanup, bTorrent, trackerB.port, bigHash);
        const ltSeeder = seeders.get(bigTorrent)!;
        const results = await race(
          `seed ${sizeMiB} MiB: the libtorrent leecher from each seeder (CPU and RSS: the seeder's)`,
          {
            btui: (out) => leechFrom(btuiSeeder.pid!, bTorrent, out),
            libtorrent: (out) => leechFrom(ltSeeder.pid, bigTorrent, out),
          },
          { warmUp: true },
        );
        rows.push(...rowsFrom(`seed ${sizeMiB} MiB to a libtorrent leecher`, results, "wall: the leecher's; CPU, RSS: the seeder's"));
        btuiSeeder.kill('SIGTERM');
      }

      if (small16k && only.has('small')) {
        const results = await race(
          `download ${smallMiB} MiB in 16 KiB pieces from one libtorrent seeder`,
          {
            btui: (out) => btuiLeech(small16k, out),
            libtorrent: (out) => ltLeech(small16k, out),
            aria2c: (out) => aria2Leech(small16k, out),
          },
          { warmUp: true },
        );
        rows.push(...rowsFrom(`download ${smallMiB} MiB (16 KiB pieces)`, results));
      }

      if (swarmTorrent && only.has('swarm')) {
        const results = await race(
          `swarm: ${SWARM_SIZE} leechers at once, ${smallMiB} MiB, one libtorrent seeder`,
          {
            btui: (out) => swarmOf(SWARM_SIZE, (dir) => btuiLeech(swarmTorrent, dir), out),
            libtorrent: (out) => swarmOf(SWARM_SIZE, (dir) => ltLeech(swarmTorrent, dir), out),
          },
          { warmUp: true },
        );
        rows.push(
          ...rowsFrom(`swarm: ${SWARM_SIZE} leechers, ${smallMiB} MiB`, results, 'wall: until all are done; CPU: per leecher (median)'),
        );
      }
    }

    if (only.has('utp')) {
      // A libtorrent seeder that speaks uTP only, behind its own tracker: each leecher must use uTP.
      const utpTracker = await startOpentracker(t, [bigHash]);
      const utpTorrent = join(work, 'big-utp.torrent');
      writeFileSync(utpTorrent, readFileSync(bigTorrent));
      setAnnounce(utpTorrent, [utpTracker.httpAnnounce]);
      warm(big);
      const seeder = await startLibtorrentPeer(t, {
        torrentPath: utpTorrent,
        savePath: benchDir,
        mode: 'seed',
        listenHost: '127.0.0.5',
        utpOnly: true,
      });
      await seeder.waitForTrackerReply(20_000);
      const results = await race(
        `uTP: download ${sizeMiB} MiB from a libtorrent seeder that speaks uTP only`,
        {
          btui: (out) => btuiLeech(utpTorrent, out, ['--utp', '--no-tcp']),
          libtorrent: (out) => ltLeech(utpTorrent, out, 'utp'),
        },
        { warmUp: true },
      );
      rows.push(...rowsFrom(`uTP download ${sizeMiB} MiB (loopback)`, results, `uTP only both ways; ${cpuPerGib(results, sizeMiB)}`));
      // The other way: a libtorrent leecher with TCP off, from a btui seeder (--utp --no-tcp) / from the libtorrent one.
      const trackerB = await startOpentracker(t, [bigHash]);
      const bTorrent = join(work, 'big-btui-utp-seed.torrent');
      writeFileSync(bTorrent, readFileSync(bigTorrent));
      setAnnounce(bTorrent, [trackerB.httpAnnounce]);
      const btuiSeeder = await startBtuiSeeder(cleanup, bTorrent, trackerB.port, bigHash, ['--utp', '--no-tcp']);
      const seedResults = await race(
        `uTP: seed ${sizeMiB} MiB to a libtorrent leecher that speaks uTP only (CPU and RSS: the seeder's)`,
        {
          btui: (out) => leechFrom(btuiSeeder.pid!, bTorrent, out, 'utp'),
          libtorrent: (out) => leechFrom(seeder.pid, utpTorrent, out, 'utp'),
        },
        { warmUp: true },
      );
      rows.push(
        ...rowsFrom(
          `uTP seed ${sizeMiB} MiB (loopback)`,
          seedResults,
          `uTP only; wall: the leecher's; CPU, RSS: the seeder's; ${cpuPerGib(seedResults, sizeMiB)}`,
        ),
      );
      btuiSeeder.kill('SIGTERM');
      await seeder.stop();
    }

    if (only.has('create')) {
      warm(big);
      const out = freshDir('create');
      const results = await race(`create: ${sizeMiB} MiB, 1 MiB pieces, page cache warm`, {
        btui: () =>
          measure(work, process.execPath, [CLI, 'create', big, '-o', join(out, 'btui.torrent'), '-l', '1M', '--no-date', '--force']),
        mktorrent: () => {
          rmSync(join(out, 'mk.torrent'), { force: true });
          return measure(work, 'mktorrent', ['-d', '-l', '20', '-o', join(out, 'mk.torrent'), big]);
        },
      });
      rows.push(...rowsFrom(`create ${sizeMiB} MiB (1 MiB pieces)`, results));
    }

    if (only.has('recheck')) {
      warm(big);
      // No reachable tracker: the check is all there is to do.
      const torrent = join(work, 'recheck.torrent');
      writeFileSync(torrent, readFileSync(bigTorrent));
      setAnnounce(torrent, ['http://127.0.0.1:1/announce']);
      const results = await race(`recheck: ${sizeMiB} MiB of complete data, no resume data, page cache warm`, {
        btui: async () => {
          const home = freshDir('recheck-home');
          return measure(
            work,
            process.execPath,
            [CLI, 'download', '-t', torrent, '-o', benchDir, '--host', '127.0.0.1', '--port', '0', '--no-dht'],
            { env: { BTUI_HOME: home } },
          );
        },
        libtorrent: () => measure(work, SYSTEM_PYTHON, [LT_CHECK, torrent, benchDir]),
        // The yardstick for a check: no slower than mktorrent hashing the same data.
        'mktorrent (create)': () => {
          const out = join(work, 'recheck-mk.torrent');
          rmSync(out, { force: true });
          return measure(work, 'mktorrent', ['-d', '-l', '20', '-o', out, big]);
        },
      });
      rows.push(...rowsFrom(`recheck ${sizeMiB} MiB (whole process)`, results));
    }

    if (only.has('startup')) {
      const torrent = join(work, 'many-files.torrent');
      manyFilesTorrent(torrent);
      const startupRuns = Math.max(15, runs * 5);
      log(`\nstart-up: btui metainfo -t (10,000 files) against node -e 0, ${startupRuns} alternating runs`);
      const results: Record<string, Measure[]> = { btui: [], 'node -e 0': [] };
      for (let i = 0; i < startupRuns; i++) {
        results.btui!.push(await measure(work, process.execPath, [CLI, 'metainfo', '-t', torrent]));
        results['node -e 0']!.push(await measure(work, process.execPath, ['-e', '0']));
      }
      const b = summarize(results.btui!);
      const n = summarize(results['node -e 0']!);
      log(
        `  btui ${(b.wall * 1000).toFixed(0)} ms wall ${(b.cpu * 1000).toFixed(0)} ms CPU; node ${(n.wall * 1000).toFixed(0)} ms wall ${(n.cpu * 1000).toFixed(0)} ms CPU`,
      );
      rows.push(
        ...rowsFrom(
          'start-up: metainfo, 10,000 files',
          results,
          `btui - node: ${((b.wall - n.wall) * 1000).toFixed(0)} ms wall, ${((b.cpu - n.cpu) * 1000).toFixed(0)} ms CPU`,
        ),
      );
    }

    if (only.has('rpc')) {
      const haveTransmission = spawnSync('sh', ['-c', 'command -v transmission-daemon']).status === 0;
      if (!haveTransmission) log('rpc: transmission-daemon is not installed; btui alone, against the targets');
      rows.push(...(await rpcRows(cleanup, work, { haveTransmission, log })));
    }
  } finally {
    await cleanup.run();
  }

  const minutes = ((Date.now() - began) / 60_000).toFixed(1);
  const context = `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${runs} alternating rounds after a warm-up round where a seeder serves (start-up: ${Math.max(15, runs * 5)}), medians; ${minutes} min; load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after`;
  const table = formatTable(rows);
  console.log(`\n${table}\n\n${context}`);
  if (args.includes('--write-doc')) {
    replaceDocTable(join(root, 'docs', 'benchmarks.md'), `${table}\n\n${context}`);
    log('docs/benchmarks.md updated');
  }
}

main().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
