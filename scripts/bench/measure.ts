/**
 * Running a command under GNU time for the benchmarks: wall time from our clock, user and
 * system CPU and peak RSS from time's report; medians over rounds.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export interface Measure {
  wall: number;
  cpu: number;
  user: number;
  sys: number;
  rssMiB: number;
  /** Minor page faults (GNU time's %R): fresh memory touched for the first time. */
  minorFaults: number;
  ok: boolean;
  /** The command's stdout, when asked for. */
  stdout?: string;
}

let reports = 0;

export interface MeasureOptions {
  env?: NodeJS.ProcessEnv;
  keepStdout?: boolean;
  timeoutMs?: number;
  /** Called with the child once it runs (to watch its output, say). */
  onSpawn?: (child: ChildProcess) => void;
}

export function measure(dir: string, command: string, argv: string[], options: MeasureOptions = {}): Promise<Measure> {
  const report = join(dir, `time-${process.pid}-${++reports}.txt`);
  return new Promise((resolvePromise) => {
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-o', report, '-f', '%U %S %M %R', command, ...argv], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (b: Buffer) => {
      if (options.keepStdout) stdout += b.toString();
    });
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    options.onSpawn?.(child);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const wall = (performance.now() - started) / 1000;
      let user = 0;
      let sys = 0;
      let rssKiB = 0;
      let minorFaults = 0;
      try {
        [user = 0, sys = 0, rssKiB = 0, minorFaults = 0] = readFileSync(report, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
      } catch {
        // time was killed with its child: no report
      }
      rmSync(report, { force: true });
      if (code !== 0) process.stderr.write(`  ${command} exited ${code}: ${stderr.trim().split('\n').slice(-2).join(' | ')}\n`);
      resolvePromise({
        wall,
        cpu: user + sys,
        user,
        sys,
        rssMiB: rssKiB / 1024,
        minorFaults,
        ok: code === 0,
        ...(options.keepStdout ? { stdout } : {}),
      });
    });
  });
}

/** CPU seconds (user + system) a running process has used so far, from /proc. */
export function processCpu(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 (1-based) of the whole line: 11 and 12 here.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / clockTicks();
}

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  ticksPerSecond ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  return ticksPerSecond;
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function summarize(ms: Measure[]): { wall: number; cpu: number; rss: number; failed: number } {
  const good = ms.filter((m) => m.ok);
  const use = good.length > 0 ? good : ms;
  return {
    wall: median(use.map((m) => m.wall)),
    cpu: median(use.map((m) => m.cpu)),
    rss: Math.max(0, ...use.map((m) => m.rssMiB)),
    failed: ms.length - good.length,
  };
}

/** Between download runs: let the kernel finish with deleted data (writeback, discard). */
export async function settle(): Promise<void> {
  spawnSync('sync');
  await new Promise((r) => setTimeout(r, 1000));
}
