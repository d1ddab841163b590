// npm run bench:ui: CPU used by the real `btui` with 1,000 torrents loaded (seeding, no
// peers, no trackers) and the UI idle on a 120x40 terminal in tmux, over 60 s
// (BENCH_SECONDS to change). Target: under 2% of one core.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { metainfoFromFiles } from '../source/engine/storage/metainfo-from-files.js';
import { torrentBytes } from '../source/store/torrent-bytes.js';
import { cli, ensureBuilt, testHome, Tmux } from '../test/tui/tmux.js';

const COUNT = Number(process.env.BENCH_TORRENTS ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const TICKS = 100; // USER_HZ on Linux

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

async function main(): Promise<void> {
  ensureBuilt();
  const work = mkdtempSync(join(tmpdir(), 'btui-bench-ui-'));
  const tmux = new Tmux();
  try {
    const state = join(work, 'state');
    const data = join(work, 'data');
    mkdirSync(join(state, 'torrents'), { recursive: true });
    const torrents = [];
    for (let i = 0; i < COUNT; i++) {
      const name = `bench-${String(i).padStart(4, '0')}.bin`;
      const { meta, data: bytes } = metainfoFromFiles({ name, pieceLength: 16384, files: [{ path: [name], data: randomBytes(16384 + (i % 7) * 1000) }], single: true });
      mkdirSync(data, { recursive: true });
      writeFileSync(join(data, name), bytes);
      writeFileSync(join(state, 'torrents', `${meta.infoHash}.torrent`), torrentBytes(meta));
      torrents.push({ infoHash: meta.infoHash, torrentFile: `torrents/${meta.infoHash}.torrent`, directory: data, paused: false, priority: 2, filePriorities: [1], addedAt: Date.now(), downloaded: 0, uploaded: 0 });
    }
    writeFileSync(join(state, 'session.json'), JSON.stringify({ version: 1, torrents }));

    tmux.start(`exec ${testHome(work)} ${process.execPath} ${process.env.BENCH_NODE_FLAGS ?? ''} ${cli}`, 120, 40);
    const pid = Number(tmux.run('display-message', '-p', '-t', 'main', '#{pane_pid}').trim());
    await tmux.waitFor((s) => new RegExp(`all ${COUNT}\\b`).test(s) && new RegExp(`seeding ${COUNT}\\b`).test(s), `${COUNT} torrents seeding`, 120_000);
    const loadedCpu = cpuSeconds(pid);
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const start = cpuSeconds(pid);
    const startedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
    const used = cpuSeconds(pid) - start;
    const wall = (Date.now() - startedAt) / 1000;
    const rss = rssMiB(pid);
    tmux.keys('q');
    await tmux.waitFor((s) => !s.includes('btui'), 'the exit', 60_000).catch(() => undefined);
    console.log(`btui, ${COUNT} torrents seeding (idle: no peers, no trackers), UI on 120x40, ${wall.toFixed(0)} s:`);
    console.log(`  CPU ${used.toFixed(2)} s = ${((used / wall) * 100).toFixed(2)}% of one core (target < 2%)`);
    console.log(`  start-up until all ${COUNT} were seeding: ${loadedCpu.toFixed(2)} CPU s; RSS ${rss.toFixed(0)} MiB`);
  } finally {
    tmux.kill();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
