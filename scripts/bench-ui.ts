// npm run bench:ui: the two figures the TUI is held to, measured on the real `btui` in tmux.
//
//  idle      CPU of `btui` with 1,000 torrents loaded (seeding, no peers, no trackers; DHT on
//            as by default, without bootstrap nodes) and the list on a 120x40 screen, over
//            60 s (BENCH_SECONDS). The session is opened once beforehand so that, as for a
//            user's restart, the resume files exist. Target: under 2% of one core.
//  download  CPU of downloading 1 GiB (1 MiB pieces) from a libtorrent seeder found through
//            opentracker on loopback (the setup of scripts/bench.ts), with the TUI open versus
//            `btui download`; alternating runs, medians (BENCH_RUNS, default 3; BENCH_SIZE_MIB).
//            Target: the TUI adds at most 10%. Meanwhile `?` every BENCH_KEY_MS (default 200; 0: none)
//            opens/closes the help in the TUI, timed from send to screen: median, p95, max per run
//            (drawing them costs CPU: the 10% target is about BENCH_KEY_MS=0).
//            BENCH_COMPARE_CLI adds another build's TUI to each round (alternating order);
//            BENCH_DOWNLOAD_CLI=off leaves out the `btui download` runs.
//
//  startup   wall time from starting `btui` to its first full screen (the status bar drawn, and
//            with a session every row counted in the view bar) in tmux at 120x40: an empty
//            session and one of 300 seeding torrents (resume files present, as on a restart);
//            median of BENCH_RUNS (default 3) after a warm-up start, with a wall/CPU breakdown by
//            stage from btui's BTUI_STARTUP_MARKS. Targets (issue #19): under 250 ms empty, under
//            400 ms with 300 torrents; `node -e 0` measured the same way beside it, and another
//            build's cli.js too with BENCH_COMPARE_CLI. Then BENCH_STARTUP_BIG (default 10,000;
//            0 skips) one-piece torrents, all seeding, announcing to a slow tracker on 2,000
//            loopback hosts: first full frame (target under 3 s), key latency during the announce
//            storm (median under 100 ms), RSS (under 600 MB); BENCH_BIG_RUNS runs (default 2).
//
// BENCH_PART=idle|download|startup runs one of them (default: all three; startup-big: only the big session); BENCH_DHT=off measures idle without the DHT. BENCH_NODE_FLAGS are passed to node (profiling). BENCH_BIG_DIR=DIR keeps the big session there for the next run (same BENCH_STARTUP_BIG), skipping its making and first run; BENCH_COMPARE_CLI alternates another build with this one on the big session too.
import './isolated-user-dirs.js';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseMetainfo } from '../source/engine/metainfo/metainfo.js';
import { startLibtorrentPeer } from '../test/helpers/libtorrent-peer.js';
import { writeSeedingSession } from '../test/helpers/seeding-session.js';
import { startOpentracker } from '../test/helpers/opentracker.js';
import { mktorrent, setAnnounce } from '../test/helpers/torrent-files.js';
import { freePort } from '../test/helpers/opentracker.js';
import { cli, ensureBuilt, testHome, Tmux } from '../test/tui/tmux.js';
import { Cleanup } from './bench/cleanup.js';
import { startSlowTracker } from './bench/slow-tracker.js';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const COUNT = Number(process.env.BENCH_TORRENTS ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SIZE_MIB = Number(process.env.BENCH_SIZE_MIB ?? 1024);
const PART = process.env.BENCH_PART ?? 'all';
const NODE_FLAGS = process.env.BENCH_NODE_FLAGS ?? '';
const STARTUP_BIG = Number(process.env.BENCH_STARTUP_BIG ?? 10_000);
const BIG_RUNS = Number(process.env.BENCH_BIG_RUNS ?? 2);
const KEEP_DIR = process.env.BENCH_BIG_DIR;
// Another build's cli.js (say main's) measured in the same run, for a ratio under the same load.
const COMPARE_CLI = process.env.BENCH_COMPARE_CLI;
// The download part presses a key every KEY_MS during the TUI's transfer and times its answer (0: no keys).
const KEY_MS = Number(process.env.BENCH_KEY_MS ?? 200);
const TICKS = 100; // USER_HZ on Linux

function cpuTimes(pid: number): { user: number; sys: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) / TICKS, sys: Number(fields[12]) / TICKS };
}

function cpuSeconds(pid: number): number {
  const { user, sys } = cpuTimes(pid);
  return user + sys;
}

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** The TUI (this build's, or `binary`) in a fresh tmux server; returns the tmux and btui's pid. */
function startTui(work: string, settings: Record<string, unknown>, binary = cli): { tmux: Tmux; pid: number } {
  const tmux = new Tmux();
  tmux.start(`exec ${testHome(work, settings)} ${process.execPath} ${NODE_FLAGS} ${binary}`, 120, 40);
  const pid = Number(tmux.run('display-message', '-p', '-t', 'main', '#{pane_pid}').trim());
  return { tmux, pid };
}

/** q, then waits for the process to be gone (it saves the session and resume files on the way out). */
async function quitTui(tmux: Tmux, pid: number): Promise<void> {
  // One chunk, q twice: the second answers the quit question (asked while torrents run).
  tmux.type('qq');
  const deadline = Date.now() + 60_000;
  while (existsSync(`/proc/${pid}`) && Date.now() < deadline) await sleep(100);
  tmux.kill();
}

async function idle(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'btui-bench-ui-'));
  try {
    const state = join(work, 'state');
    const data = join(work, 'data');
    mkdirSync(join(state, 'torrents'), { recursive: true });
    mkdirSync(data, { recursive: true });
    writeSeedingSession(state, data, COUNT);
    const settings = { refreshMs: 500, dht: process.env.BENCH_DHT !== 'off' };

    const allSeeding = (s: string) => new RegExp(`all ${COUNT}\\b`).test(s) && new RegExp(`seeding ${COUNT}\\b`).test(s);

    // First run: every torrent is checked once and its resume file written (on quit at the latest).
    const first = startTui(work, settings);
    await first.tmux.waitFor(allSeeding, `${COUNT} torrents seeding (first run)`, 180_000);
    const firstCpu = cpuSeconds(first.pid);
    await quitTui(first.tmux, first.pid);

    const { tmux, pid } = startTui(work, settings);
    try {
      await tmux.waitFor(allSeeding, `${COUNT} torrents seeding`, 120_000);
      const loadedCpu = cpuSeconds(pid);
      await sleep(5000);
      const start = cpuTimes(pid);
      const startedAt = Date.now();
      await sleep(SECONDS * 1000);
      const end = cpuTimes(pid);
      const user = end.user - start.user;
      const sys = end.sys - start.sys;
      const used = user + sys;
      const wall = (Date.now() - startedAt) / 1000;
      const rss = rssMiB(pid);
      await quitTui(tmux, pid);
      console.log(
        `idle: btui, ${COUNT} torrents seeding (no peers, no trackers, DHT ${settings.dht ? 'on' : 'off'}), UI on 120x40, ${wall.toFixed(0)} s:`,
      );
      console.log(
        `  CPU ${used.toFixed(2)} s (user ${user.toFixed(2)}, system ${sys.toFixed(2)}) = ${((used / wall) * 100).toFixed(2)}% of one core (target < 2%)`,
      );
      console.log(
        `  start-up until all ${COUNT} were seeding: ${firstCpu.toFixed(2)} CPU s the first time (full check), ${loadedCpu.toFixed(2)} CPU s with resume files; RSS ${rss.toFixed(0)} MiB`,
      );
    } finally {
      tmux.kill();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** BTUI_STARTUP_MARKS's file: ms since node started, and CPU ms used by then (source/startup-marks.ts). */
interface Marks {
  wall: Record<string, number>;
  cpu: Record<string, number>;
}

/**
 * Milliseconds from starting `command` in a fresh tmux until `ready` holds for the
 * screen, and btui's start-up marks (BTUI_STARTUP_MARKS). The process is then ended by closing
 * the terminal, and awaited: the next run cannot start while this one still holds the session.
 */
async function timeToScreen(
  command: string,
  ready: (screen: string) => boolean,
  marksFile?: string,
): Promise<{ ms: number; marks?: Marks }> {
  const tmux = new Tmux();
  if (marksFile) rmSync(marksFile, { force: true });
  let pid: number | undefined;
  try {
    const started = performance.now();
    tmux.start(command, 120, 40);
    tmux.run('set-option', '-t', 'main', 'remain-on-exit', 'on');
    pid = Number(tmux.run('display-message', '-p', '-t', 'main', '#{pane_pid}').trim());
    for (;;) {
      if (ready(tmux.capture())) {
        const ms = performance.now() - started;
        return { ms, marks: marksFile ? await readMarks(marksFile) : undefined };
      }
      if (performance.now() - started > 120_000) throw new Error(`no screen after 120 s: ${command}`);
      await sleep(5);
    }
  } finally {
    tmux.kill();
    const deadline = Date.now() + 60_000;
    while (pid !== undefined && existsSync(`/proc/${pid}`) && Date.now() < deadline) await sleep(20);
  }
}

/** btui writes its marks just after its first frame is on screen: read once complete. */
async function readMarks(file: string): Promise<Marks | undefined> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as Marks;
    } catch {
      await sleep(20);
    }
  }
  return undefined;
}

const STAGES: [string, string][] = [
  ['cli', 'node + cli.js'],
  ['flags', 'flags'],
  ['tui-loaded', 'TUI modules'],
  ['session-open', 'settings + session open'],
  ['restored', 'session restore'],
  ['rendered', 'React/Ink first render'],
];

/** Where the time to the first frame went: each stage's wall and CPU ms, and the rest of the wall time until the screen was full. */
function breakdown(marks: Marks, total: number): { name: string; wall: number; cpu: number }[] {
  const parts = STAGES.map(([mark, name], i) => {
    const before = i === 0 ? undefined : STAGES[i - 1]![0];
    const span = (at: Record<string, number>) => (at[mark] ?? NaN) - (before === undefined ? 0 : (at[before] ?? NaN));
    return { name, wall: span(marks.wall), cpu: span(marks.cpu) };
  });
  parts.push({ name: 'until the screen is full', wall: total - (marks.wall.rendered ?? NaN), cpu: NaN });
  return parts;
}

function formatBreakdown(parts: { name: string; wall: number; cpu: number }[]): string {
  return parts.map((p) => `${p.name} ${p.wall.toFixed(0)}${Number.isNaN(p.cpu) ? '' : `/${p.cpu.toFixed(0)}`}`).join(', ');
}

const drawn = (s: string) => /\? help\s*$/m.test(s);
const allListed = (count: number) => (s: string) => drawn(s) && new RegExp(`all ${count}\\b`).test(s);
const HELP_OPEN = /Space\s+start \/ pause/;

/** Key latency: `?` opens the help and `?` closes it, each timed until the screen shows it. */
async function keyLatencies(tmux: Tmux, samples: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const open = i % 2 === 0;
    const started = performance.now();
    tmux.type('?');
    for (;;) {
      const screen = tmux.capture();
      if (HELP_OPEN.test(screen) === open) break;
      if (performance.now() - started > 30_000) throw new Error(`key not answered in 30 s:\n${screen}`);
      await sleep(2);
    }
    times.push(performance.now() - started);
    await sleep(100);
  }
  return times;
}

const percentile = (values: number[], p: number) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function startup(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'btui-bench-startup-'));
  const cleanup = new Cleanup();
  try {
    const marksFile = join(work, 'marks.json');
    const empty = join(work, 'empty');
    const full = join(work, 'full');
    const fullCount = 300;
    writeSeedingSession(join(full, 'state'), join(full, 'data'), fullCount);
    // A fixed listen port, as most users keep: it is on the first screen, which a saved frame shows as it was.
    const port = await freePort();
    const btui = (dir: string, binary = cli) =>
      `exec ${testHome(dir, { dht: false, port })} BTUI_STARTUP_MARKS=${marksFile} ${process.execPath} ${NODE_FLAGS} ${binary}`;
    // Resume files written once, as on a user's restart.
    const first = startTui(full, { dht: false });
    await first.tmux.waitFor((s) => new RegExp(`seeding ${fullCount}\\b`).test(s), 'the 300 seeding', 180_000);
    await quitTui(first.tmux, first.pid);
    const rows: [string, string, (s: string) => boolean, boolean][] = [
      ['node -e 0 (an empty screen)', `${process.execPath} -e "console.log('ready')"; sleep 30`, (s) => s.includes('ready'), false],
      ['btui, empty session', btui(empty), (s) => drawn(s) && s.includes('No torrents yet'), true],
      [`btui, ${fullCount} torrents`, btui(full), allListed(fullCount), true],
    ];
    if (COMPARE_CLI) {
      rows.push(
        [`${COMPARE_CLI}, empty session`, btui(empty, COMPARE_CLI), (s) => drawn(s) && s.includes('No torrents yet'), false],
        [`${COMPARE_CLI}, ${fullCount} torrents`, btui(full, COMPARE_CLI), allListed(fullCount), false],
      );
    }
    console.log(`startup: time to the first full screen in tmux at 120x40, median of ${RUNS} after a warm-up:`);
    const medians: number[] = [];
    for (const [label, command, ready, marked] of rows) {
      await timeToScreen(command, ready);
      const runs: { ms: number; marks?: Marks }[] = [];
      for (let r = 0; r < RUNS; r++) runs.push(await timeToScreen(command, ready, marked ? marksFile : undefined));
      const times = runs.map((r) => r.ms);
      medians.push(median(times));
      console.log(`  ${label}: ${median(times).toFixed(0)} ms (${times.map((t) => t.toFixed(0)).join(', ')})`);
      if (marked) {
        printBreakdown(runs);
        printSavedFrame(runs);
      }
    }
    console.log(
      `  ratios to node -e 0: empty ${(medians[1]! / medians[0]!).toFixed(1)}x, ${fullCount} torrents ${(medians[2]! / medians[0]!).toFixed(1)}x`,
    );
    console.log('  targets: under 250 ms empty, under 400 ms with 300 torrents');
    if (STARTUP_BIG > 0) await bigSession(work, marksFile, cleanup);
  } finally {
    await cleanup.run();
    rmSync(work, { recursive: true, force: true });
  }
}

/** BENCH_PART=startup-big: only the BENCH_STARTUP_BIG session. */
async function startupBigOnly(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'btui-bench-startup-'));
  const cleanup = new Cleanup();
  try {
    await bigSession(work, join(work, 'marks.json'), cleanup);
  } finally {
    await cleanup.run();
    rmSync(work, { recursive: true, force: true });
  }
}

function printBreakdown(runs: { ms: number; marks?: Marks }[]): void {
  const parts = runs.filter((r) => r.marks).map((r) => breakdown(r.marks!, r.ms));
  if (parts.length === 0) return;
  const medians = parts[0]!.map((p, i) => ({
    name: p.name,
    wall: median(parts.map((q) => q[i]!.wall)),
    cpu: median(parts.map((q) => q[i]!.cpu)),
  }));
  console.log(`    median wall/CPU ms: ${formatBreakdown(medians)}`);
}

/**
 * The frame the last quit drew (source/startup-frame.ts) is the first on screen when it applies;
 * keys are answered from the TUI's own first frame, estimated as the time to the screen plus the
 * marks' interval from the saved frame to the TUI's.
 */
function printSavedFrame(runs: { ms: number; marks?: Marks }[]): void {
  const marked = runs.filter((r) => r.marks);
  const saved = marked.filter((r) => r.marks!.wall['saved-frame'] !== undefined);
  const same = saved.filter((r) => r.marks!.wall['frame-same'] !== undefined).length;
  const live = marked.map(
    (r) => r.ms + (r.marks!.wall['saved-frame'] === undefined ? 0 : r.marks!.wall.rendered! - r.marks!.wall['saved-frame']),
  );
  console.log(
    `    saved first frame shown in ${saved.length} of ${marked.length} runs (${same} the same as the TUI's own); the TUI's own frame (keys answered) ${median(live).toFixed(0)} ms (${live.map((t) => t.toFixed(0)).join(', ')})`,
  );
}

/** BENCH_STARTUP_BIG torrents (default 10,000; 0 skips), all seeding, announcing to a slow tracker on many loopback hosts. */
async function bigSession(work: string, marksFile: string, cleanup: Cleanup): Promise<void> {
  // BENCH_BIG_DIR keeps the session (and the tracker's port) for the next bench run: no 10-minute first run each time.
  const dir = KEEP_DIR ?? join(work, 'big');
  const portFile = join(dir, 'tracker-port');
  const kept = existsSync(portFile) ? Number(readFileSync(portFile, 'utf8')) : undefined;
  const hosts = Math.min(STARTUP_BIG, 2000);
  const tracker = await startSlowTracker({ hosts, delayMs: 2000, port: kept });
  cleanup.after(() => tracker.close());
  // A fixed listen port, as most users keep (it is on the first screen, which a saved first frame shows).
  const settings = { dht: false, refreshMs: 500, port: await freePort() };
  if (kept === undefined) {
    rmSync(dir, { recursive: true, force: true });
    const made = performance.now();
    writeSeedingSession(join(dir, 'state'), join(dir, 'data'), STARTUP_BIG, {
      data: (i) => randomBytes(1000 + (i % 7) * 100),
      announce: (i) => tracker.url(i),
      resume: true,
    });
    console.log(
      `${STARTUP_BIG} torrents (1 piece each) announcing to ${hosts} hosts (127.77.x.y, answers after 2 s); made in ${((performance.now() - made) / 1000).toFixed(0)} s`,
    );
    const first = startTui(dir, settings);
    const checked = performance.now();
    await first.tmux.waitFor((s) => new RegExp(`seeding ${STARTUP_BIG}\\b`).test(s), `${STARTUP_BIG} seeding`, 900_000);
    console.log(
      `  first run (resume files trusted; the session is saved with each row's figures on quit): ${((performance.now() - checked) / 1000).toFixed(1)} s to all seeding`,
    );
    await quitTui(first.tmux, first.pid);
    if (KEEP_DIR) writeFileSync(portFile, String(new URL(tracker.url(0)).port));
  } else console.log(`${STARTUP_BIG} torrents kept in ${dir} (tracker port ${kept})`);

  // The floor, in the same run: the same keys in an empty session (tmux, the capture, the machine's load).
  const floorDir = join(work, 'floor');
  const floor = startTui(floorDir, settings);
  let floorKeys: number[] = [];
  try {
    await floor.tmux.waitFor((s) => drawn(s) && s.includes('No torrents yet'), 'the empty session', 60_000);
    // The first presses after a start pay for what is done once (code compiled, caches filled): not counted.
    await keyLatencies(floor.tmux, 10);
    floorKeys = await keyLatencies(floor.tmux, 20);
    console.log(
      `  keys in an empty session (the floor): median ${median(floorKeys).toFixed(0)} ms, p95 ${percentile(floorKeys, 95).toFixed(0)} ms`,
    );
  } finally {
    await quitTui(floor.tmux, floor.pid);
  }

  // With BENCH_COMPARE_CLI, that build's runs alternate with this one's, on the same session.
  const binaries = COMPARE_CLI ? [cli, COMPARE_CLI] : [cli];
  for (let run = 0; run < BIG_RUNS * binaries.length; run++) {
    const r = Math.floor(run / binaries.length);
    const binary = binaries[run % binaries.length]!;
    if (COMPARE_CLI) console.log(`  ${binary}:`);
    rmSync(marksFile, { force: true });
    const tmux = new Tmux();
    const started = performance.now();
    tmux.start(`exec ${testHome(dir, settings)} BTUI_STARTUP_MARKS=${marksFile} ${process.execPath} ${NODE_FLAGS} ${binary}`, 120, 40);
    const pid = Number(tmux.run('display-message', '-p', '-t', 'main', '#{pane_pid}').trim());
    try {
      await tmux.waitFor(allListed(STARTUP_BIG), `all ${STARTUP_BIG} listed`, 300_000);
      const firstFrame = performance.now() - started;
      const marks = await readMarks(marksFile);
      console.log(`  run ${r + 1}: first full frame ${firstFrame.toFixed(0)} ms (target < 3000)`);
      if (marks) {
        console.log(`    wall/CPU ms: ${formatBreakdown(breakdown(marks, firstFrame))}`);
        printSavedFrame([{ ms: firstFrame, marks }]);
      }
      // While the torrents open (parsed, hashed, resume data read) after the first frame.
      const opening = await keyLatencies(tmux, 10);
      console.log(
        `    keys while the torrents open: median ${median(opening).toFixed(0)} ms, p95 ${percentile(opening, 95).toFixed(0)} ms, ${(median(opening) / median(floorKeys)).toFixed(2)}x the empty session's; RSS ${rssMiB(pid).toFixed(0)} MiB`,
      );
      const seeding = new RegExp(`seeding ${STARTUP_BIG}\\b`);
      await tmux.waitFor((s) => seeding.test(s) && !HELP_OPEN.test(s), `${STARTUP_BIG} seeding`, 600_000);
      console.log(`    all ${STARTUP_BIG} open and seeding ${((performance.now() - started) / 1000).toFixed(1)} s after the start`);
      const openCpu = cpuSeconds(pid);
      const stormStarted = performance.now();
      const answeredBefore = tracker.answered();
      const keys = await keyLatencies(tmux, 20);
      const storm = tracker.answered() - answeredBefore;
      // btui's own CPU: less at the mercy of the machine's load than the latencies.
      const stormCpu = cpuSeconds(pid) - openCpu;
      const stormSeconds = (performance.now() - stormStarted) / 1000;
      console.log(
        `    btui's CPU: ${openCpu.toFixed(1)} s to all seeding; ${stormCpu.toFixed(2)} s over the ${stormSeconds.toFixed(1)} s of the storm's 20 keys (${((100 * stormCpu) / stormSeconds).toFixed(0)}% of a core)`,
      );
      const rss = rssMiB(pid);
      console.log(
        `    keys during the announce storm (${storm} announces answered meanwhile, ${tracker.answered()} so far): median ${median(keys).toFixed(0)} ms, p95 ${percentile(keys, 95).toFixed(0)} ms (target median < 100), ${(median(keys) / median(floorKeys)).toFixed(2)}x the empty session's; RSS ${rss.toFixed(0)} MiB (target < 600)`,
      );
      await quitTui(tmux, pid);
    } finally {
      tmux.kill();
    }
  }
}

type Kind = 'cli' | 'tui' | 'compare';
const LABELS: Record<Kind, string> = {
  cli: 'btui download',
  tui: 'btui (TUI)   ',
  compare: 'compare (TUI)',
};
// BENCH_DOWNLOAD_CLI=off leaves out the `btui download` runs (the TUI's keys only, say to compare two builds).
const WITH_CLI = process.env.BENCH_DOWNLOAD_CLI !== 'off';

const loadAverage = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
const formatKeys = (keys: number[]) =>
  keys.length === 0
    ? 'none'
    : `${keys.length}, median ${median(keys).toFixed(0)} ms, p95 ${percentile(keys, 95).toFixed(0)} ms, max ${Math.max(...keys).toFixed(0)} ms`;

/** The same key in an empty session, as in startup-big: what tmux, the capture and the machine's load cost alone. */
async function keyFloor(dir: string): Promise<{ keys: number[]; load: number }> {
  const { tmux, pid } = startTui(dir, { dht: false });
  try {
    await tmux.waitFor((s) => drawn(s) && s.includes('No torrents yet'), 'the empty session', 60_000);
    await keyLatencies(tmux, 10); // the first presses compile code and fill caches: not counted
    const load = loadAverage();
    return { keys: await keyLatencies(tmux, 20), load };
  } finally {
    await quitTui(tmux, pid);
  }
}

/** The payload of scripts/bench.ts (the same file, made the same way when missing). */
function ensurePayload(benchDir: string): string {
  mkdirSync(benchDir, { recursive: true });
  const path = join(benchDir, `payload-${SIZE_MIB}m.bin`);
  if (!existsSync(path)) {
    process.stderr.write(`generating ${SIZE_MIB} MiB of random data in ${path}\n`);
    const fd = openSync(path, 'w');
    const chunk = randomBytes(1024 * 1024);
    for (let i = 0; i < SIZE_MIB; i++) {
      chunk.writeUInt32LE(i, 0);
      writeSync(fd, chunk);
    }
    closeSync(fd);
  }
  return path;
}

interface Run {
  wall: number;
  /** The TUI's runs: ms from each key sent during the transfer to the screen showing its effect. */
  keys?: number[];
  /** The whole process: start-up, transfer, shutdown. */
  cpu: number;
  /** From the first data on disk to completion: what the download itself cost. */
  transferCpu: number;
  /** Wall seconds of the same span. */
  transferWall: number;
}

/** Polls a process's CPU: remembered when its download's first bytes are on disk, and when `done()` says so. */
function transferSampler(
  pid: () => number | undefined,
  dataFile: string,
  done: () => boolean,
): { stop(): void; result(): number; wall(): number } {
  let start: number | undefined;
  let end: number | undefined;
  let startedAt = NaN;
  let endedAt = NaN;
  const timer = setInterval(() => {
    const id = pid();
    if (id === undefined || end !== undefined) return;
    try {
      const cpu = cpuSeconds(id);
      if (start === undefined && existsSync(dataFile) && statSync(dataFile).size > 0) {
        start = cpu;
        startedAt = performance.now();
      }
      if (start !== undefined && done()) {
        end = cpu;
        endedAt = performance.now();
      }
    } catch {
      // not started yet, or gone
    }
  }, 25);
  return {
    stop: () => clearInterval(timer),
    result: () => (end ?? NaN) - (start ?? NaN),
    wall: () => (endedAt - startedAt) / 1000,
  };
}

/** `btui download` under GNU time (user + sys of the whole run), as scripts/bench.ts measures it. */
function cliDownload(torrent: string, out: string, dataFile: string): Promise<Run> {
  const report = join(out, '..', 'time.txt');
  const doneFile = join(out, '..', 'done');
  rmSync(doneFile, { force: true });
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const args = [
      '-o',
      report,
      '-f',
      '%U %S',
      process.execPath,
      ...NODE_FLAGS.split(' ').filter(Boolean),
      cli,
      'download',
      '-t',
      torrent,
      '-o',
      out,
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--no-dht',
      '--on-done',
      `touch ${doneFile}`,
    ];
    const child = spawn('/usr/bin/time', args, { stdio: 'ignore', env: { ...process.env, BTUI_HOME: join(out, '.home') } });
    // The node process is /usr/bin/time's child.
    let nodePid: number | undefined;
    const findNode = () => {
      if (nodePid === undefined) {
        const children = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim();
        if (children) nodePid = Number(children.split(' ')[0]);
      }
      return nodePid;
    };
    const sampler = transferSampler(findNode, dataFile, () => existsSync(doneFile));
    child.on('exit', (code) => {
      sampler.stop();
      if (code !== 0) return reject(new Error(`btui download exited ${code}`));
      const [user, sys] = readFileSync(report, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
      resolvePromise({
        wall: (performance.now() - started) / 1000,
        cpu: (user ?? 0) + (sys ?? 0),
        transferCpu: sampler.result(),
        transferWall: sampler.wall(),
      });
    });
  });
}

/** The TUI with the torrent in its saved session: wall until its row shows it complete, CPU until it has quit. */
async function tuiDownload(torrent: string, out: string, work: string, dataFile: string, binary = cli): Promise<Run> {
  const meta = parseMetainfo(readFileSync(torrent));
  const state = join(work, 'state');
  rmSync(state, { recursive: true, force: true });
  mkdirSync(join(state, 'torrents'), { recursive: true });
  writeFileSync(join(state, 'torrents', `${meta.infoHash}.torrent`), readFileSync(torrent));
  const entry = {
    infoHash: meta.infoHash,
    torrentFile: `torrents/${meta.infoHash}.torrent`,
    directory: out,
    paused: false,
    priority: 2,
    filePriorities: [1],
    addedAt: Date.now(),
    downloaded: 0,
    uploaded: 0,
  };
  writeFileSync(join(state, 'session.json'), JSON.stringify({ version: 1, torrents: [entry] }));
  const started = performance.now();
  // Like `btui download --no-dht`: no DHT; the default refresh (500 ms).
  const { tmux, pid } = startTui(work, { downloadDirectory: out, dht: false, refreshMs: 500 }, binary);
  let complete = false;
  const transferring = () => existsSync(dataFile) && statSync(dataFile).size > 0;
  const keys: number[] = [];
  let helpOpen = false;
  let keySentAt = -Infinity;
  const sampler = transferSampler(
    () => pid,
    dataFile,
    () => complete,
  );
  try {
    let cpu = 0;
    const deadline = Date.now() + 600_000;
    for (;;) {
      if (Date.now() > deadline) throw new Error(`the TUI did not finish; screen:\n${tmux.capture()}`);
      const screen = tmux.capture();
      cpu = cpuSeconds(pid);
      // Complete only with the help closed: the last key's answer is timed, and the list is in view.
      if (!helpOpen && /seeding\s.*100%/.test(screen)) break;
      const untilKey = keySentAt + KEY_MS - performance.now();
      if (KEY_MS > 0 && untilKey <= 0 && transferring()) {
        // `?` opens the help and closes it: timed until the screen shows it, as in startup-big.
        helpOpen = !helpOpen;
        keySentAt = performance.now();
        tmux.type('?');
        for (;;) {
          const answer = tmux.capture();
          if (HELP_OPEN.test(answer) === helpOpen) break;
          if (performance.now() - keySentAt > 30_000) throw new Error(`key not answered in 30 s:\n${answer}`);
          await sleep(2);
        }
        keys.push(performance.now() - keySentAt);
        continue;
      }
      await sleep(KEY_MS > 0 ? Math.max(2, Math.min(50, untilKey)) : 50);
    }
    complete = true;
    await sleep(60);
    sampler.stop();
    const wall = (performance.now() - started) / 1000;
    // Its shutdown counts too (as the CLI's does): the last reading before the process is gone.
    // One chunk, q twice: the second answers the quit question (asked while torrents run).
    tmux.type('qq');
    const deadline2 = Date.now() + 60_000;
    while (Date.now() < deadline2) {
      try {
        cpu = cpuSeconds(pid);
      } catch {
        break;
      }
      await sleep(20);
    }
    tmux.kill();
    return { wall, cpu, transferCpu: sampler.result(), transferWall: sampler.wall(), keys };
  } finally {
    sampler.stop();
    tmux.kill();
  }
}

async function download(): Promise<void> {
  const benchDir = join(root, '.bench');
  const work = mkdtempSync(join(benchDir, 'ui-'));
  const cleanup = new Cleanup();
  const t = cleanup as unknown as import('node:test').TestContext;
  try {
    const payload = ensurePayload(benchDir);
    const torrent = join(work, 'payload.torrent');
    const infoHash = mktorrent(payload, torrent, { pieceLengthLog2: 20 });
    const tracker = await startOpentracker(t, [infoHash]);
    setAnnounce(torrent, [tracker.httpAnnounce]);
    spawnSync('cat', [payload], { stdio: ['ignore', 'ignore', 'ignore'] }); // warm the page cache
    const seeder = await startLibtorrentPeer(t, { torrentPath: torrent, savePath: benchDir, mode: 'seed', listenHost: '127.0.0.2' });
    await seeder.waitForTrackerReply(20_000);

    const floor = KEY_MS > 0 ? await keyFloor(join(work, 'floor')) : undefined;
    // With BENCH_COMPARE_CLI, that build's TUI runs in each round too, before this one's in every other round.
    const results: Record<Kind, Run[]> = { cli: [], tui: [], compare: [] };
    const loads: Record<Kind, number[]> = { cli: [], tui: [], compare: [] };
    for (let round = 1; round <= RUNS; round++) {
      const tuis: Kind[] = !COMPARE_CLI ? ['tui'] : round % 2 ? ['tui', 'compare'] : ['compare', 'tui'];
      for (const kind of [...(WITH_CLI ? (['cli'] as const) : []), ...tuis]) {
        const out = join(work, `out-${kind}`);
        rmSync(out, { recursive: true, force: true });
        mkdirSync(out, { recursive: true });
        const dataFile = join(out, basename(payload));
        const load = loadAverage();
        const run =
          kind === 'cli'
            ? await cliDownload(torrent, out, dataFile)
            : await tuiDownload(torrent, out, join(work, 'tui-home'), dataFile, kind === 'compare' ? COMPARE_CLI : cli);
        results[kind].push(run);
        loads[kind].push(load);
        process.stderr.write(
          `round ${round} ${LABELS[kind]} ${run.wall.toFixed(2)} s wall  ${run.cpu.toFixed(2)} s CPU (transfer ${run.transferCpu.toFixed(2)} s CPU in ${run.transferWall.toFixed(2)} s)  load ${load.toFixed(1)}${run.keys ? `  keys: ${formatKeys(run.keys)}` : ''}\n`,
        );
        rmSync(out, { recursive: true, force: true });
        spawnSync('sync');
        await sleep(1000);
      }
    }
    const figures = (runs: Run[]) => ({
      wall: median(runs.map((r) => r.wall)),
      cpu: median(runs.map((r) => r.cpu)),
      transfer: median(runs.map((r) => r.transferCpu)),
      transferWall: median(runs.map((r) => r.transferWall)),
    });
    const more = (a: number, b: number) => `${(((a - b) / b) * 100).toFixed(1)}%`;
    console.log(`download: ${SIZE_MIB} MiB (1 MiB pieces) from one libtorrent seeder over loopback, median of ${RUNS}:`);
    console.log('                  wall s   CPU s (whole process)   CPU s / wall s (first byte on disk to complete)   load average');
    for (const kind of Object.keys(LABELS) as Kind[]) {
      if (results[kind].length === 0) continue;
      const f = figures(results[kind]);
      const range = `${Math.min(...loads[kind]).toFixed(1)}-${Math.max(...loads[kind]).toFixed(1)}`;
      console.log(
        `  ${LABELS[kind]}  ${f.wall.toFixed(2).padStart(7)} ${f.cpu.toFixed(2).padStart(8)} ${f.transfer.toFixed(2).padStart(24)} / ${f.transferWall.toFixed(2).padStart(5)} ${range.padStart(16)}`,
      );
    }
    if (WITH_CLI) {
      const c = figures(results.cli);
      const u = figures(results.tui);
      console.log(
        `  the TUI adds ${more(u.transfer, c.transfer)} CPU to the transfer (target at most 10%), ${more(u.cpu, c.cpu)} to the whole run (start-up of Ink/React included)${KEY_MS > 0 ? ' (the TUI also drew the keys: BENCH_KEY_MS=0 for the figure the target is about)' : ''}`,
      );
    }
    if (KEY_MS > 0) {
      console.log(`  keys during the transfer (\`?\` every ${KEY_MS} ms, send to screen), medians over runs of each run's figure [range]:`);
      if (floor)
        console.log(
          `    the floor (an empty session, this build, before the runs, load ${floor.load.toFixed(1)}): ${formatKeys(floor.keys)}`,
        );
      for (const kind of ['tui', 'compare'] as const) {
        const runs = results[kind].filter((r) => r.keys && r.keys.length > 0).map((r) => r.keys!);
        if (runs.length === 0) continue;
        const stat = (f: (k: number[]) => number) => {
          const v = runs.map(f);
          return `${median(v).toFixed(0)} [${Math.min(...v).toFixed(0)}-${Math.max(...v).toFixed(0)}]`;
        };
        console.log(
          `    ${LABELS[kind]}  ${runs.map((k) => k.length).join('/')} keys: median ${stat(median)}, p95 ${stat((k) => percentile(k, 95))}, max ${stat((k) => Math.max(...k))} ms`,
        );
      }
    }
  } finally {
    await cleanup.run();
    rmSync(work, { recursive: true, force: true });
  }
}

ensureBuilt();
if (PART === 'idle' || PART === 'both' || PART === 'all') await idle();
if (PART === 'download' || PART === 'both' || PART === 'all') await download();
if (PART === 'startup' || PART === 'all') await startup();
if (PART === 'startup-big') await startupBigOnly();
