/**
 * Soak: one engine process seeding many torrents while client sessions keep hundreds of
 * loopback connections busy (downloading, finishing, removing and adding again) for a
 * while. Prints one JSON summary line: RSS after warm-up and at the end, the slowest
 * answer of the engine to a stats() request, errors.
 *
 *   node --import tsx scripts/soak.ts [--duration S] [--torrents N] [--connections N]
 *
 * `--mode daemon` instead soaks a real `btui daemon` at seedbox scale (scripts/soak/daemon-scale.ts):
 *
 *   npm run soak -- --mode daemon --torrents 10000 [--start] [--hosts N] [--in-flight N]
 *
 * `--mode seeding` soaks a `btui daemon` whose torrents all seed and announce (scripts/soak/seeding-scale.ts):
 *
 *   npm run soak -- --mode seeding --torrents 10000 [--hosts N] [--tracker-delay-ms MS] [--hanging-dns K]
 */
import './isolated-user-dirs.js';
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseMetainfo, type Metainfo } from '../source/engine/metainfo/metainfo.js';
import { Session } from '../source/engine/session/session.js';
import { metainfoFromFiles } from '../source/engine/storage/metainfo-from-files.js';
import { encode } from '../source/engine/codec/bencode.js';
import { daemonSoak } from './soak/daemon-scale.js';
import { seedingSoak } from './soak/seeding-scale.js';

const CLIENTS = 5;

interface EngineSample {
  rss: number;
  heapUsed: number;
  /** Heap and buffers still reachable after a full collection: asked for every few samples. */
  live?: number;
  connections: number;
  torrents: number;
}

if (process.argv[2] === 'engine') runEngine(process.argv[3]!, Number(process.argv[4]));
else if (process.argv.includes('daemon') && process.argv.includes('--mode')) void soakDaemon();
else if (process.argv.includes('seeding') && process.argv.includes('--mode')) void soakSeeding();
else void orchestrate();

async function soakDaemon(): Promise<void> {
  const { values } = parseArgs({
    options: {
      mode: { type: 'string' },
      duration: { type: 'string', default: '30' },
      torrents: { type: 'string', default: '10000' },
      start: { type: 'boolean', default: false },
      hosts: { type: 'string', default: '50' },
      'in-flight': { type: 'string', default: '32' },
    },
  });
  const summary = await daemonSoak({
    torrents: Number(values.torrents),
    durationS: Number(values.duration),
    start: values.start ?? false,
    hosts: Number(values.hosts),
    inFlight: Number(values['in-flight']),
  });
  console.log(JSON.stringify(summary));
  process.exit(0);
}

async function soakSeeding(): Promise<void> {
  const { values } = parseArgs({
    options: {
      mode: { type: 'string' },
      duration: { type: 'string', default: '120' },
      torrents: { type: 'string', default: '10000' },
      hosts: { type: 'string', default: '2000' },
      'tracker-delay-ms': { type: 'string', default: '500' },
      'hanging-dns': { type: 'string', default: '0' },
      'in-flight': { type: 'string', default: '32' },
    },
  });
  const torrents = Number(values.torrents);
  const summary = await seedingSoak({
    torrents,
    durationS: Number(values.duration),
    hosts: Math.min(torrents, Number(values.hosts)),
    trackerDelayMs: Number(values['tracker-delay-ms']),
    hangingDns: Number(values['hanging-dns']),
    inFlight: Number(values['in-flight']),
  });
  console.log(JSON.stringify(summary));
  process.exit(0);
}

/** The process under test: seeds every torrent in `dir`, answers stats requests over IPC. */
async function runEngine(dir: string, torrentCount: number): Promise<void> {
  const session = new Session({ host: '127.0.0.1', port: 0, maxConnections: 2000, uploadLimit: 6 * 1024 * 1024 });
  session.on('warning', () => undefined);
  await session.listen();
  for (let i = 0; i < torrentCount; i++) {
    const meta = parseMetainfo(readFileSync(join(dir, 'torrents', `${i}.torrent`)));
    const torrent = session.add(meta, { directory: join(dir, 'data'), seedMode: true });
    torrent.on('warning', () => undefined);
  }
  process.on('message', (m: { id: number; collect?: boolean }) => {
    const stats = session.stats();
    let live: number | undefined;
    if (m.collect && typeof globalThis.gc === 'function') {
      globalThis.gc();
      const after = process.memoryUsage();
      live = after.heapUsed + after.arrayBuffers;
    }
    const memory = process.memoryUsage();
    const sample: EngineSample = {
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      connections: stats.connections,
      torrents: stats.torrents.length,
      live,
    };
    process.send!({ id: m.id, sample });
  });
  process.send!({ ready: session.port });
  process.on('disconnect', () => void session.close().then(() => process.exit(0)));
}

async function orchestrate(): Promise<void> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '120' },
      torrents: { type: 'string', default: '1000' },
      connections: { type: 'string', default: '500' },
    },
  });
  const durationMs = Number(values.duration) * 1000;
  const torrentCount = Number(values.torrents);
  const connections = Math.min(Number(values.connections), torrentCount * CLIENTS);
  const dir = mkdtempSync(join(tmpdir(), 'btui-soak-'));
  const cleanup: (() => Promise<void> | void)[] = [() => rmSync(dir, { recursive: true, force: true })];
  const errors: string[] = [];
  let engine: ChildProcess | undefined;
  try {
    const metas = makeTorrents(dir, torrentCount);
    engine = fork(new URL(import.meta.url).pathname, ['engine', dir, String(torrentCount)], {
      execArgv: ['--expose-gc', '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const child = engine;
    cleanup.unshift(() => {
      if (child.connected) child.disconnect();
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (m: { ready: number }) => resolve(m.ready));
      child.once('exit', (code) => reject(new Error(`engine exited with ${code}`)));
    });
    const ask = makeAsker(child);

    // Clients: each keeps its share of torrents downloading; a finished one is removed and added again.
    const clients: Session[] = [];
    let completed = 0;
    for (let c = 0; c < CLIENTS; c++) {
      const client = new Session({ host: '127.0.0.1', port: 0, maxConnections: 1000 });
      await client.listen();
      clients.push(client);
      cleanup.unshift(() => client.close());
    }
    const perClient = Math.ceil(connections / CLIENTS);
    const cycle = async (client: Session, meta: Metainfo, where: string): Promise<void> => {
      const torrent = client.add(meta, { directory: where });
      torrent.on('warning', () => undefined);
      torrent.once('error-state', (e: string) => errors.push(e));
      torrent.once('done', () => {
        completed++;
        void client.remove(meta.infoHash, { deleteData: true }).then(() => {
          if (running) void cycle(client, meta, where);
        });
      });
      torrent.addPeers([{ host: '127.0.0.1', port }]);
    };
    let running = true;
    clients.forEach((client, c) => {
      for (let k = 0; k < perClient; k++) {
        const i = (c * perClient + k) % torrentCount;
        const where = join(dir, `client-${c}`, String(k));
        mkdirSync(where, { recursive: true });
        void cycle(client, metas[i]!, where);
      }
    });

    const samples: { at: number; sample: EngineSample; latencyMs: number }[] = [];
    // Every this many samples (one a second) the engine collects garbage first and reports what is
    // live: often enough for a few such samples after a short run's warm-up, not so often in a long one.
    const liveEvery = durationMs >= 60_000 ? 5 : 3;
    const started = Date.now();
    let slowest = 0;
    let peakConnections = 0;
    while (Date.now() - started < durationMs) {
      await new Promise((r) => setTimeout(r, 1000));
      const collect = samples.length % liveEvery === liveEvery - 1;
      const t0 = performance.now();
      const sample = await ask(collect);
      const latencyMs = performance.now() - t0;
      // A sample that forced a full collection waited for it: not the engine's own answer time.
      if (!collect) slowest = Math.max(slowest, latencyMs);
      peakConnections = Math.max(peakConnections, sample.connections);
      samples.push({ at: Date.now() - started, sample, latencyMs });
    }
    running = false;
    const warm = samples.filter((s) => s.at >= durationMs * 0.4);
    const mb = (n: number) => Math.round(n / 2 ** 20);
    const rssWarm = warm[0]!.sample.rss;
    const rssEnd = warm.reduce((m, s) => Math.max(m, s.sample.rss), 0);
    const rssLast = samples[samples.length - 1]!.sample.rss;
    // A leak raises the typical RSS of the later samples; one sample's garbage peak does not.
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    const half = Math.floor(warm.length / 2);
    const rssMedianEarly = median(warm.slice(0, half).map((s) => s.sample.rss));
    const rssMedianLate = median(warm.slice(half).map((s) => s.sample.rss));
    const live = warm.filter((s) => s.sample.live !== undefined).map((s) => s.sample.live!);
    const liveHalf = Math.floor(live.length / 2);
    const summary = {
      durationS: Math.round(durationMs / 1000),
      torrents: samples[samples.length - 1]!.sample.torrents,
      peakConnections,
      meanConnections: Math.round(warm.reduce((s, x) => s + x.sample.connections, 0) / warm.length),
      downloadsCompleted: completed,
      rssAfterWarmupMb: mb(rssWarm),
      rssPeakAfterWarmupMb: mb(rssEnd),
      rssEndMb: mb(rssLast),
      rssMedianEarlyMb: mb(rssMedianEarly),
      rssMedianLateMb: mb(rssMedianLate),
      liveMedianEarlyMb: mb(median(live.slice(0, liveHalf))),
      liveMedianLateMb: mb(median(live.slice(liveHalf))),
      liveSamples: live.length,
      slowestAnswerMs: Math.round(slowest),
      // One RSS sample in five, so a failed leak check in CI shows its shape.
      rssEvery5sMb: samples.filter((_, i) => i % 5 === 0).map((s) => mb(s.sample.rss)),
      liveSeriesMb: samples.filter((s) => s.sample.live !== undefined).map((s) => mb(s.sample.live!)),
      errors: errors.slice(0, 5),
    };
    console.log(JSON.stringify(summary));
  } finally {
    for (const fn of cleanup) await fn();
  }
  process.exit(0);
}

function makeTorrents(dir: string, count: number): Metainfo[] {
  mkdirSync(join(dir, 'torrents'), { recursive: true });
  mkdirSync(join(dir, 'data'), { recursive: true });
  const metas: Metainfo[] = [];
  for (let i = 0; i < count; i++) {
    const data = randomBytes(96 * 1024 + i);
    const { meta } = metainfoFromFiles({
      name: `soak-${i}.bin`,
      pieceLength: 16 * 1024,
      files: [{ path: [`soak-${i}.bin`], data }],
      single: true,
    });
    writeFileSync(join(dir, 'data', meta.name), data);
    writeFileSync(join(dir, 'torrents', `${i}.torrent`), encode(meta.raw));
    metas.push(meta);
  }
  return metas;
}

function makeAsker(child: ChildProcess): (collect: boolean) => Promise<EngineSample> {
  let next = 0;
  return (collect) =>
    new Promise((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => reject(new Error('the engine did not answer within 10 s')), 10_000);
      const on = (m: { id?: number; sample?: EngineSample }) => {
        if (m.id !== id) return;
        clearTimeout(timer);
        child.off('message', on);
        resolve(m.sample!);
      };
      child.on('message', on);
      child.send({ id, collect });
    });
}
