// Benchmark: `btui create` against mktorrent on a 1 GiB file, same piece length (1 MiB).
//   npm run build && npm run bench:create [-- --runs 9 --size-mib 1024]
// The data file is made once in .bench/ (gitignored) and reused; it is read once before
// timing so both tools hash from the page cache. Runs alternate btui / mktorrent; a run takes
// about half a second, and on a shared machine a single run swings by 30% or more, so the
// default is 9 runs each and the medians are compared, wall and CPU.
import './isolated-user-dirs.js';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: { runs: { type: 'string', default: '9' }, 'size-mib': { type: 'string', default: '1024' } },
});
const runs = Number(values.runs);
const sizeMiB = Number(values['size-mib']);
const MiB = 1024 * 1024;
const benchDir = join(root, '.bench');
const data = join(benchDir, `data-${sizeMiB}MiB.bin`);
const cli = join(root, 'distribution', 'cli.js');

function fail(message: string): never {
  console.error(`bench-create: ${message}`);
  process.exit(1);
}

if (!existsSync(cli)) fail('distribution/cli.js is missing: run `npm run build` first');
if (spawnSync('sh', ['-c', 'command -v mktorrent'], { stdio: 'ignore' }).status !== 0) fail('mktorrent is not installed');

mkdirSync(benchDir, { recursive: true });
if (!existsSync(data) || statSync(data).size !== sizeMiB * MiB) {
  process.stderr.write(`making ${data} (${sizeMiB} MiB of random bytes)...\n`);
  const fd = openSync(data, 'w');
  for (let i = 0; i < sizeMiB; i++) writeSync(fd, randomBytes(MiB));
  closeSync(fd);
}

// Warm the page cache so both tools measure hashing, not the disk.
{
  const fd = openSync(data, 'r');
  const buffer = Buffer.allocUnsafe(4 * MiB);
  while (readSync(fd, buffer, 0, buffer.length, null) > 0);
  closeSync(fd);
}

const loadAverage = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const loadBefore = loadAverage();
const btuiOut = join(benchDir, 'btui.torrent');
const mkOut = join(benchDir, 'mktorrent.torrent');

// CPU time (user + sys, all threads) is reported too: unlike wall time it hardly moves when
// other processes compete for the cores.
const haveTime = existsSync('/usr/bin/time');

function timed(command: string, args: string[]): { wall: number; cpu: number } {
  const argv = haveTime ? ['/usr/bin/time', '-f', 'cpu %U %S', command, ...args] : [command, ...args];
  const start = process.hrtime.bigint();
  const result = spawnSync(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) fail(`${command} failed: ${result.stderr.trim() || result.stdout.trim()}`);
  const cpu = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(result.stderr);
  return { wall, cpu: cpu ? Number(cpu[1]) + Number(cpu[2]) : Number.NaN };
}

const infoHashOf = (torrent: string) =>
  spawnSync(process.execPath, [cli, 'metainfo', '--json', '-t', torrent], { encoding: 'utf8' }).stdout.match(
    /"infoHash": "([0-9a-f]{40})"/,
  )?.[1];

const times = { btui: [] as number[], mktorrent: [] as number[] };
const cpu = { btui: [] as number[], mktorrent: [] as number[] };
const record = (tool: 'btui' | 'mktorrent', t: { wall: number; cpu: number }) => {
  times[tool].push(t.wall);
  cpu[tool].push(t.cpu);
};
for (let i = 0; i < runs; i++) {
  record('btui', timed(process.execPath, [cli, 'create', data, '-o', btuiOut, '-l', '1M', '--no-date', '--force']));
  rmSync(mkOut, { force: true }); // mktorrent will not overwrite
  record('mktorrent', timed('mktorrent', ['-d', '-l', '20', '-o', mkOut, data]));
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmt = (s: number) => `${s.toFixed(3)} s`;
const rows = (['btui', 'mktorrent'] as const).map((tool) => {
  const xs = times[tool];
  return [
    tool,
    fmt(median(xs)),
    fmt(Math.min(...xs)),
    xs.map((x) => x.toFixed(3)).join(' '),
    `${((sizeMiB * MiB) / median(xs) / 1e9).toFixed(2)} GB/s`,
    fmt(median(cpu[tool])),
  ];
});
const header = ['tool', 'median', 'best', 'runs (s)', 'throughput', 'cpu (median)'];
const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
const line = (cells: string[]) => cells.map((cell, c) => cell.padEnd(widths[c]!)).join('  ');
console.log(
  `btui create vs mktorrent: ${sizeMiB} MiB file, 1 MiB pieces, page cache warm, ${runs} runs each, ${spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()} cores`,
);
console.log(line(header));
for (const row of rows) console.log(line(row));
console.log(
  `ratio btui/mktorrent (median wall): ${(median(times.btui) / median(times.mktorrent)).toFixed(2)}, (median CPU): ${(median(cpu.btui) / median(cpu.mktorrent)).toFixed(2)}`,
);
console.log(`load average before/after: ${loadBefore} / ${loadAverage()}`);

const hashes = [infoHashOf(btuiOut), infoHashOf(mkOut)];
if (hashes[0] && hashes[0] === hashes[1]) console.log(`same info-hash: ${hashes[0]}`);
else console.log(`info-hashes differ or unreadable: btui ${hashes[0]}, mktorrent ${hashes[1]}`);
