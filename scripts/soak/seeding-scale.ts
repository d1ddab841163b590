/**
 * `npm run soak -- --mode seeding --torrents 10000`: a real `btui daemon` with every torrent
 * seeding and announcing. Each torrent (one piece, ~1 KB of data written beforehand) is added over
 * the RPC running, so the daemon checks it, finds it complete and announces it to a tracker on one
 * of --hosts loopback addresses (127.77.x.y, every answer --tracker-delay-ms late). With
 * --hanging-dns K every K-th torrent's tracker is a host name instead, and the daemon runs in a
 * mount namespace whose /etc/resolv.conf names a resolver that never answers (root and unshare
 * needed; skipped with a note otherwise): those lookups hang for 30 s each.
 *
 * Every second for --duration seconds: RSS, Flood's torrent-get (its fields, all torrents) and
 * session-get answer times, torrents seeding, announces answered and waiting at the tracker.
 * Prints a line every 10 s to stderr and one JSON summary on stdout.
 */
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeTorrentFile } from '../../source/engine/metainfo/encode-torrent-file.js';
import { metainfoFromFiles } from '../../source/engine/storage/metainfo-from-files.js';
import { startBtuiDaemon } from '../../test/helpers/btui-daemon.js';
import { FLOOD_FIELDS } from '../../test/helpers/flood-fields.js';
import { Cleanup } from '../bench/cleanup.js';
import { median } from '../bench/measure.js';
import { client, rssMiB } from '../bench/rpc-bench.js';
import { startSlowTracker } from '../bench/slow-tracker.js';

function rssRange(rss: number[]): { low: number; high: number } | null {
  return rss.length ? { low: Math.round(Math.min(...rss)), high: Math.round(Math.max(...rss)) } : null;
}

export interface SeedingSoakOptions {
  torrents: number;
  durationS: number;
  hosts: number;
  trackerDelayMs: number;
  /** Every K-th torrent announces to a host name whose lookup hangs (0: none). */
  hangingDns: number;
  inFlight: number;
}

const BLACKHOLE_RESOLVER = '127.0.0.99';

/** A DNS server that reads every query and answers none; null where it cannot listen (not root). */
async function startBlackholeResolver(): Promise<dgram.Socket | null> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', () => undefined);
  return new Promise((resolve) => {
    socket.once('error', () => resolve(null));
    socket.bind(53, BLACKHOLE_RESOLVER, () => resolve(socket));
  });
}

interface DaemonProbe {
  lag: { p50: number; p99: number; max: number };
  memory: { heapUsed: number; heapTotal: number; external: number; arrayBuffers: number; rss: number; liveHeap?: number };
}

/** The daemon's event-loop delay over the last second and its memory, from scripts/soak/daemon-probe.mjs preloaded into it. */
function readProbe(file: string): DaemonProbe | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as DaemonProbe;
  } catch {
    return undefined;
  }
}

const memoryLine = (m: DaemonProbe['memory'] | undefined) =>
  m
    ? `, heap ${m.heapUsed}/${m.heapTotal} MiB, external ${m.external} MiB (array buffers ${m.arrayBuffers})${m.liveHeap === undefined ? '' : `, heap after the last gc ${m.liveHeap} MiB`}`
    : '';

const canUnshare = () => spawnSync('unshare', ['-m', 'true']).status === 0;

export async function seedingSoak(options: SeedingSoakOptions): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'btui-soak-seeding-'));
  const cleanup = new Cleanup();
  cleanup.after(() => rmSync(dir, { recursive: true, force: true }));
  const note = (text: string) => process.stderr.write(`${text}\n`);
  try {
    const data = join(dir, 'data');
    mkdirSync(data, { recursive: true });
    const tracker = await startSlowTracker({ hosts: options.hosts, delayMs: options.trackerDelayMs });
    cleanup.after(() => tracker.close());

    let wrapper: string[] | undefined;
    let hanging = options.hangingDns;
    if (hanging > 0) {
      const resolver = canUnshare() ? await startBlackholeResolver() : null;
      if (resolver) {
        cleanup.after(() => resolver.close());
        const resolvConf = join(dir, 'resolv.conf');
        writeFileSync(resolvConf, `nameserver ${BLACKHOLE_RESOLVER}\noptions timeout:30 attempts:1\n`);
        wrapper = ['unshare', '-m', '--', 'sh', '-c', 'mount --bind "$0" /etc/resolv.conf && exec "$@"', resolvConf];
      } else {
        note('hanging DNS skipped: needs root and unshare (a mount namespace for /etc/resolv.conf)');
        hanging = 0;
      }
    }
    const trackerPort = new URL(tracker.url(0)).port;
    const announce = (i: number) =>
      hanging > 0 && i % hanging === 0 ? `http://tracker-${i}.hang.test:${trackerPort}/announce` : tracker.url(i);

    const made = performance.now();
    const torrents: string[] = [];
    for (let i = 0; i < options.torrents; i++) {
      const name = `seed-${String(i).padStart(6, '0')}.bin`;
      const bytes = Buffer.alloc(1000 + (i % 7) * 100, i % 251);
      bytes.writeUInt32LE(i, 0);
      const { meta } = metainfoFromFiles({
        name,
        pieceLength: 16384,
        files: [{ path: [name], data: bytes }],
        single: true,
        announce: announce(i),
      });
      writeFileSync(join(data, name), bytes);
      torrents.push(encodeTorrentFile(meta).toString('base64'));
    }
    note(`${options.torrents} torrents and their data made in ${((performance.now() - made) / 1000).toFixed(1)} s`);

    const probeFile = join(dir, 'daemon-probe.json');
    process.env.BTUI_SOAK_PROBE_FILE = probeFile;
    const probeScript = fileURLToPath(new URL('./daemon-probe.mjs', import.meta.url));
    process.env.BTUI_DAEMON_NODE_ARGS = `${process.env.BTUI_DAEMON_NODE_ARGS ?? ''} --import ${probeScript}`;
    const daemon = await startBtuiDaemon(cleanup, { home: join(dir, 'home'), downloads: data, wrapper });
    const rpc = client('btui daemon', daemon.pid, daemon.rpcPort);
    const started = performance.now();
    const since = () => (performance.now() - started) / 1000;
    let next = 0;
    await Promise.all(
      Array.from({ length: options.inFlight }, async () => {
        while (next < torrents.length) {
          const metainfo = torrents[next++]!;
          const reply = await rpc.call({ method: 'torrent-add', arguments: { metainfo, paused: false, 'download-dir': data } });
          if (reply.json?.result !== 'success') throw new Error(`torrent-add: ${reply.json?.result}`);
        }
      }),
    );
    const addSeconds = since();
    note(`added in ${addSeconds.toFixed(1)} s (${Math.round(options.torrents / addSeconds)}/s), RSS ${rssMiB(daemon.pid).toFixed(0)} MiB`);

    const samples: {
      at: number;
      rss: number;
      floodMs: number;
      sessionMs: number;
      seeding: number;
      answered: number;
      open: number;
      lagMaxMs?: number;
      lagP99Ms?: number;
      memory?: DaemonProbe['memory'];
    }[] = [];
    const end = performance.now() + options.durationS * 1000;
    let allSeedingAt: number | undefined;
    let allAnnouncedAt: number | undefined;
    const ipTorrents = hanging > 0 ? options.torrents - Math.ceil(options.torrents / hanging) : options.torrents;
    while (performance.now() < end) {
      const tick = performance.now();
      const t0 = performance.now();
      const full = await rpc.call({ method: 'torrent-get', arguments: { fields: FLOOD_FIELDS, format: 'objects' } });
      const floodMs = performance.now() - t0;
      const t1 = performance.now();
      await rpc.call({ method: 'session-get' });
      const sessionMs = performance.now() - t1;
      // Transmission's status 6 is seeding; counted every 5 s (another call over every torrent).
      let seeding = samples.at(-1)?.seeding ?? 0;
      if (samples.length % 5 === 0) {
        const { torrents: list } = (await daemon.rpc('torrent-get', { fields: ['status'] })) as { torrents: { status: number }[] };
        seeding = list.filter((x) => x.status === 6).length;
      }
      const probe = readProbe(probeFile);
      const sample = {
        at: since(),
        lagMaxMs: probe?.lag.max,
        lagP99Ms: probe?.lag.p99,
        memory: probe?.memory,
        rss: rssMiB(daemon.pid),
        floodMs,
        sessionMs,
        seeding,
        answered: tracker.answered(),
        open: tracker.open().now,
      };
      samples.push(sample);
      if (allSeedingAt === undefined && seeding >= options.torrents) allSeedingAt = sample.at;
      if (allAnnouncedAt === undefined && sample.answered >= ipTorrents) allAnnouncedAt = sample.at;
      if (samples.length % 10 === 0)
        note(
          `${sample.at.toFixed(0)} s: RSS ${sample.rss.toFixed(0)} MiB, torrent-get ${floodMs.toFixed(0)} ms (${(full.bytes / 1e6).toFixed(1)} MB), session-get ${sessionMs.toFixed(0)} ms, seeding ${seeding}, announces answered ${sample.answered}, waiting at the tracker ${sample.open} (peak ${tracker.open().peak}), loop delay max ${sample.lagMaxMs ?? '?'} ms${memoryLine(sample.memory)}`,
        );
      const wait = 1000 - (performance.now() - tick);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    const t0 = performance.now();
    const STOP_WAIT_S = 60;
    const stopped = await Promise.race([
      daemon.stop().then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), STOP_WAIT_S * 1000).unref()),
    ]);
    const stopS = (performance.now() - t0) / 1000;
    if (stopped && stopS > 5)
      note(`the daemon took ${stopS.toFixed(1)} s to stop; its log ends:\n${daemon.log().split('\n').slice(-4).join('\n')}`);
    if (!stopped)
      note(`the daemon did not stop within ${STOP_WAIT_S} s of SIGTERM; its log ends:\n${daemon.log().split('\n').slice(-8).join('\n')}`);
    const stat = (xs: number[]) => ({ median: Math.round(median(xs)), max: Math.round(Math.max(...xs)) });
    const lagStat = (xs: (number | undefined)[]) => {
      const known = xs.filter((x): x is number => x !== undefined);
      return known.length ? stat(known) : null;
    };
    const rates = samples.slice(1).map((s, i) => s.answered - samples[i]!.answered);
    return {
      mode: 'seeding',
      torrents: options.torrents,
      trackerHosts: options.hosts,
      trackerDelayMs: options.trackerDelayMs,
      hangingDnsTorrents: hanging > 0 ? options.torrents - ipTorrents : 0,
      addSeconds: Math.round(addSeconds * 10) / 10,
      allActiveAtS: allSeedingAt === undefined ? null : Math.round(allSeedingAt),
      allIpTrackersAnsweredAtS: allAnnouncedAt === undefined ? null : Math.round(allAnnouncedAt),
      announcesAnswered: tracker.answered(),
      announcesPerSecond: rates.length ? stat(rates) : undefined,
      announcesWaitingPeak: tracker.open().peak,
      rssPeakMiB: Math.round(Math.max(...samples.map((s) => s.rss))),
      rssEndMiB: Math.round(samples.at(-1)?.rss ?? 0),
      // Once all seed: the sawtooth's range (its lows follow each major GC).
      rssAllSeedingMiB: rssRange(samples.filter((s) => s.seeding === options.torrents).map((s) => s.rss)),
      floodTorrentGetMs: stat(samples.map((s) => s.floodMs)),
      sessionGetMs: stat(samples.map((s) => s.sessionMs)),
      // The daemon's event-loop delay: each second's max and 99th percentile, as median and max over the seconds.
      loopDelayMaxMs: lagStat(samples.map((s) => s.lagMaxMs)),
      loopDelayP99Ms: lagStat(samples.map((s) => s.lagP99Ms)),
      heapUsedMiB: lagStat(samples.map((s) => s.memory?.heapUsed)),
      externalMiB: lagStat(samples.map((s) => s.memory?.external)),
      runS: options.durationS,
      stopS: stopped ? Math.round(stopS * 10) / 10 : `over ${STOP_WAIT_S} (killed)`,
    };
  } finally {
    await cleanup.run();
  }
}
