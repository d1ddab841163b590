/**
 * One leecher's CPU, one at a time: the swarm's fixed cost per process, measured without the other
 * leechers on the cores. A libtorrent seeder serves a small payload (default 2 MiB) on loopback and
 * each contender downloads it alone, round by round, alternated; CPU is `perf stat`'s task-clock
 * (milliseconds, where GNU time counts in 10 ms ticks). `node` runs `node -e 0` for the floor.
 *
 *   node --import tsx scripts/bench/leecher-cost.ts [--runs 15] [--size-mib 2]
 *     [--contenders node,btui,base,libtorrent] [--base-cli DIR/cli.js] [--cli-NAME DIR/cli.js]
 *     [--node-args-NAME "FLAGS"] [--env-NAME K=V,K=V]
 */
import '../isolated-user-dirs.js';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SYSTEM_PYTHON } from '../../test/helpers/tools.js';
import { startTrackedSeeder } from './swarm-setup.js';
import { inWorkDir } from './cleanup.js';
import { cliOf, envOf, nodeArgsOf, option } from './contender-options.js';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const runs = Number(option('runs') ?? 15);
const sizeMiB = Number(option('size-mib') ?? 2);
const contenders = (option('contenders') ?? 'node,btui,libtorrent').split(',');
/** --perf-dir DIR: every run also under `perf record -e cpu-clock` (DIR/NAME-ROUND.data; JS frames unnamed). */
const perfDir = option('perf-dir');
/** --strace DIR: every run also under `strace -f -c` (DIR/NAME-ROUND.txt: system calls, counts and time). */
const straceDir = option('strace');
const benchDir = join(root, '.bench');
const work = join(benchDir, `leecher-cost-${process.pid}`);

/** Task-clock milliseconds of one command, from `perf stat -x,` (stderr), and whether it exited 0. */
function taskClock(
  command: string[],
  env: Record<string, string>,
  perfData?: string,
  straceReport?: string,
): Promise<{ ms: number; ok: boolean }> {
  return new Promise((done) => {
    const report = join(work, 'perf.txt');
    const record = perfData ? ['record', '-q', '-e', 'cpu-clock', '-F', '5000', '-g', '-o', perfData, 'perf'] : [];
    const traced = straceReport ? ['strace', '-f', '-c', '-o', straceReport, ...command] : command;
    const child = spawn('perf', [...record, 'stat', '-x,', '-e', 'task-clock', '-o', report, ...traced], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code) => {
      const line = readFileSync(report, 'utf8')
        .split('\n')
        .find((l) => l.includes('task-clock'));
      if (code !== 0) process.stderr.write(`  ${command[0]} exited ${code}: ${stderr.trim().split('\n').slice(-2).join(' | ')}\n`);
      done({ ms: Number(line?.split(',')[0]), ok: code === 0 });
    });
  });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

async function main(): Promise<void> {
  await inWorkDir(work, async (t) => {
    const torrent = join(work, 'leech.torrent');
    await startTrackedSeeder(t, benchDir, sizeMiB, torrent);
    const cpu = new Map<string, number[]>(contenders.map((c) => [c, []]));
    for (let round = 0; round <= runs; round++) {
      for (const name of contenders) {
        const out = join(work, `out-${name}`);
        rmSync(out, { recursive: true, force: true });
        mkdirSync(out, { recursive: true });
        const command =
          name === 'node'
            ? [process.execPath, '-e', '0']
            : name === 'libtorrent'
              ? [SYSTEM_PYTHON, join(root, 'scripts/bench/lt-leech.py'), torrent, out, '127.0.0.3', '300']
              : [
                  process.execPath,
                  ...nodeArgsOf(name),
                  cliOf(name),
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
                  '--json',
                ];
        const perfData = perfDir && round > 0 ? join(perfDir, `${name}-${round}.data`) : undefined;
        const straceReport = straceDir && round > 0 ? join(straceDir, `${name}-${round}.txt`) : undefined;
        const { ms, ok } = await taskClock(command, { BTUI_HOME: join(out, '.home'), ...envOf(name) }, perfData, straceReport);
        if (round > 0 && ok) cpu.get(name)!.push(ms);
      }
    }
    for (const [name, xs] of cpu) {
      if (xs.length === 0) continue;
      const sorted = [...xs].sort((a, b) => a - b);
      process.stderr.write(
        `${name.padEnd(10)} CPU median ${median(xs).toFixed(1)} ms  range ${sorted[0]?.toFixed(1)}-${sorted.at(-1)?.toFixed(1)}  (${xs.length} runs)\n`,
      );
    }
  });
}

await main();
