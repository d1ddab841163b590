/**
 * The swarm row up close: 8 leechers at once from one libtorrent seeder (the bench's setup), with
 * each leecher's finish time and, for btui, its progress second by second. Contenders alternate
 * round by round, so builds can be compared in the same run (A/B under the same load).
 *
 *   node --import tsx scripts/bench/swarm-trace.ts [--runs 3] [--leechers 8] [--size-mib 256]
 *     [--contenders btui,libtorrent,base] [--base-cli DIR/cli.js] [--cpu-prof DIR] [--logs DIR]
 *
 * "base" is another build's cli.js (--base-cli, e.g. a copy of main's distribution/); any other name
 * runs --cli-NAME or this build, with its own --node-args-NAME and --env-NAME (e.g. --contenders
 * btui,gc1 --node-args-gc1 "--single-threaded-gc").
 */
import '../isolated-user-dirs.js';
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SYSTEM_PYTHON } from '../../test/helpers/tools.js';
import { measure, processCpu, settle, type Measure } from './measure.js';
import { startTrackedSeeder } from './swarm-setup.js';
import { inWorkDir } from './cleanup.js';
import { cliOf, envOf, nodeArgsOf, option } from './contender-options.js';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const runs = Number(option('runs') ?? 3);
const leechers = Number(option('leechers') ?? 8);
const sizeMiB = Number(option('size-mib') ?? 256);
const contenders = (option('contenders') ?? 'btui,libtorrent').split(',');
const cpuProfDir = option('cpu-prof');
/** --perf-events EVENTS --perf-dir DIR: the first btui leecher runs under perf record (e.g. page-faults). */
const perfEvents = option('perf-events');
/** --perf-js-map off: no --perf-basic-prof (JS frames unnamed, but V8 flags unchanged, so the code cache is accepted as in a plain run). */
const perfJsMap = option('perf-js-map') !== 'off';
const perfDir = option('perf-dir') ?? '/tmp';
/** --logs DIR: each leecher's JSON lines go to DIR/NAME-ROUND-I.log, each after the seconds since the round's start and a tab. */
const logsDir = option('logs');
const benchDir = join(root, '.bench');
const work = join(benchDir, `trace-${process.pid}`);
const cores = availableParallelism();
const log = (text: string) => process.stderr.write(`${text}\n`);

interface Leech extends Measure {
  /** Seconds from the swarm's start to this leecher's exit. */
  finishedAt: number;
  /** btui only: seconds from the swarm's start to 25, 50 and 75 % done. */
  quartiles?: number[];
  /** btui only: its `done` line's bytes downloaded and uploaded. */
  downloaded?: number;
  uploaded?: number;
}

/** Busy and total jiffies of the whole machine, from /proc/stat: how many cores a round kept busy. */
function machineJiffies(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((a, b) => a + b, 0);
  // idle and iowait
  return { busy: total - cpu[3]! - (cpu[4] ?? 0), total };
}

async function main(): Promise<void> {
  await inWorkDir(work, async (t) => {
    const torrent = join(work, 'swarm.torrent');
    const { seeder } = await startTrackedSeeder(t, benchDir, sizeMiB, torrent);

    const leech = (name: string, out: string, started: number, first: boolean, logFile?: string): Promise<Leech> => {
      const quartiles: number[] = [];
      const done: { downloaded?: number; uploaded?: number } = {};
      // btui download --json's lines, and lt-leech.py's under LT_LEECH_PROGRESS=1: progress, then the totals.
      const readProgress = (child: ChildProcess): void => {
        let pending = '';
        child.stdout!.on('data', (b: Buffer) => {
          pending += b.toString();
          const lines = pending.split('\n');
          pending = lines.pop()!;
          const at = ((performance.now() - started) / 1000).toFixed(3);
          if (logFile) appendFileSync(logFile, lines.map((l) => `${at}\t${l}\n`).join(''));
          for (const line of lines) {
            if (line.includes('"event":"done"') || line.includes('"event": "done"')) {
              Object.assign(done, JSON.parse(line.slice(line.indexOf('{"event"'))) as object);
            }
            const progress = /"progress": ?([0-9.]+)/.exec(line);
            if (!progress) continue;
            const p = Number(progress[1]);
            while (quartiles.length < 3 && p >= (quartiles.length + 1) * 0.25) quartiles.push((performance.now() - started) / 1000);
          }
        });
      };
      const finished = (m: Measure): Leech => ({
        ...m,
        finishedAt: (performance.now() - started) / 1000,
        quartiles,
        downloaded: done.downloaded,
        uploaded: done.uploaded,
      });
      if (name === 'libtorrent') {
        const lt = [SYSTEM_PYTHON, join(root, 'scripts/bench/lt-leech.py'), torrent, out, '127.0.0.3', '300'];
        const cmd =
          first && perfEvents ? ['perf', 'record', '-q', '-e', perfEvents, '-g', '-o', join(perfDir, 'perf-libtorrent.data'), ...lt] : lt;
        return measure(work, cmd[0]!, cmd.slice(1), { env: { LT_LEECH_PROGRESS: '1' }, onSpawn: readProgress }).then(finished);
      }
      const prof = cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', join(cpuProfDir, name)] : [];
      const node = [process.execPath, ...prof, ...nodeArgsOf(name)];
      const perf =
        first && perfEvents
          ? [
              'perf',
              'record',
              '-q',
              '-e',
              perfEvents,
              '-g',
              '-o',
              join(perfDir, `perf-${name}.data`),
              ...node,
              ...(perfJsMap ? ['--perf-basic-prof'] : []),
            ]
          : node;
      return measure(
        work,
        perf[0]!,
        [...perf.slice(1), cliOf(name), 'download', '-t', torrent, '-o', out, '--host', '127.0.0.1', '--port', '0', '--no-dht', '--json'],
        { env: { BTUI_HOME: join(out, '.home'), ...envOf(name) }, onSpawn: readProgress },
      ).then(finished);
    };

    for (let round = 0; round <= runs; round++) {
      for (const name of contenders) {
        const out = join(work, `out-${name}`);
        rmSync(out, { recursive: true, force: true });
        const seederUpBefore = seeder.lastStatus?.total_upload ?? 0;
        const started = performance.now();
        const jiffiesBefore = machineJiffies();
        const seederCpuBefore = processCpu(seeder.pid);
        const ms = await Promise.all(
          Array.from({ length: leechers }, (_, i) => {
            const dir = join(out, String(i));
            mkdirSync(dir, { recursive: true });
            const logFile = logsDir ? join(logsDir, `${name}-${round}-${i}.log`) : undefined;
            return leech(name, dir, started, i === 0, logFile);
          }),
        );
        const wall = (performance.now() - started) / 1000;
        const jiffiesAfter = machineJiffies();
        const seederCpu = processCpu(seeder.pid) - seederCpuBefore;
        const busyCores = ((jiffiesAfter.busy - jiffiesBefore.busy) / (jiffiesAfter.total - jiffiesBefore.total)) * cores;
        const finished = ms.map((m) => m.finishedAt).sort((a, b) => a - b);
        const cpus = ms.map((m) => m.cpu).sort((a, b) => a - b);
        const label = round === 0 ? 'warm-up' : `round ${round}`;
        const faults = ms.reduce((a, m) => a + m.minorFaults, 0);
        log(
          `${label} ${name.padEnd(10)} wall ${wall.toFixed(2)} s  CPU sum ${cpus.reduce((a, b) => a + b, 0).toFixed(1)} s  median ${cpus[cpus.length >> 1]!.toFixed(2)} s  minor faults ${(faults / 1000).toFixed(0)}k  machine busy ${busyCores.toFixed(2)} of ${cores} cores${ms.every((m) => m.ok) ? '' : '  FAILED'}`,
        );
        await new Promise((r) => setTimeout(r, 1500)); // the seeder's next status line
        log(
          `    the seeder uploaded ${(((seeder.lastStatus?.total_upload ?? 0) - seederUpBefore) / 1048576).toFixed(0)} MiB, used ${seederCpu.toFixed(1)} s of CPU`,
        );
        log(`    finished at: ${finished.map((f) => f.toFixed(1)).join(' ')}`);
        const q = ms.filter((m) => m.quartiles?.length).map((m) => m.quartiles!.map((x) => x.toFixed(1)).join('/'));
        if (q.length) log(`    25/50/75 % at: ${q.join('  ')}`);
        const mib = (n?: number) => (n === undefined ? '?' : (n / 1048576).toFixed(0));
        if (ms.some((m) => m.uploaded !== undefined))
          log(`    MiB down/up per leecher: ${ms.map((m) => `${mib(m.downloaded)}/${mib(m.uploaded)}`).join(' ')}`);
        rmSync(out, { recursive: true, force: true });
        await settle();
      }
    }
  });
}

await main();
