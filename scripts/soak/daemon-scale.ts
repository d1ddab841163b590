/**
 * `npm run soak -- --mode daemon --torrents 10000`: a real `btui daemon` filled over the RPC
 * (torrent-add with metainfo, 32 requests in flight, as an importer does), then left running.
 * Prints, per 1,000 added: the add rate and the daemon's RSS; then Flood's torrent-get and
 * `recently-active` times, and RSS and the RPC's answer time (session-get) each second while it
 * runs for --duration seconds. With --start the torrents are added running (no data on disk:
 * each checks, finds nothing, and announces to its tracker, one distinct unresolvable host per
 * torrent with --hosts N), else paused.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBtuiDaemon } from '../../test/helpers/btui-daemon.js';
import { FLOOD_FIELDS } from '../../test/helpers/flood-fields.js';
import { Cleanup } from '../bench/cleanup.js';
import { median } from '../bench/measure.js';
import { client, rssMiB, time, tinyTorrents } from '../bench/rpc-bench.js';

export interface DaemonSoakOptions {
  torrents: number;
  durationS: number;
  start: boolean;
  hosts: number;
  inFlight: number;
}

export async function daemonSoak(options: DaemonSoakOptions): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'btui-soak-daemon-'));
  const cleanup = new Cleanup();
  cleanup.after(() => rmSync(dir, { recursive: true, force: true }));
  try {
    const data = join(dir, 'data');
    mkdirSync(data, { recursive: true });
    const daemon = await startBtuiDaemon(cleanup, { home: join(dir, 'home'), downloads: data });
    const rpc = client('btui daemon', daemon.pid, daemon.rpcPort);
    const torrents = tinyTorrents(options.torrents, options.hosts);
    const steps: { added: number; seconds: number; perSecond: number; rssMiB: number }[] = [];
    const started = performance.now();
    let last = started;
    let next = 0;
    let added = 0;
    await Promise.all(
      Array.from({ length: options.inFlight }, async () => {
        while (next < torrents.length) {
          const metainfo = torrents[next++]!;
          const reply = await rpc.call({ method: 'torrent-add', arguments: { metainfo, paused: !options.start, 'download-dir': data } });
          if (reply.json?.result !== 'success') throw new Error(`torrent-add: ${reply.json?.result}`);
          if (++added % 1000 === 0) {
            const now = performance.now();
            const step = { added, seconds: (now - started) / 1000, perSecond: 1000 / ((now - last) / 1000), rssMiB: rssMiB(daemon.pid) };
            last = now;
            steps.push(step);
            process.stderr.write(`${JSON.stringify(step)}\n`);
          }
        }
      }),
    );
    const addSeconds = (performance.now() - started) / 1000;
    const saved = daemon.savedTorrents().length;
    const full = { method: 'torrent-get', arguments: { fields: FLOOD_FIELDS, format: 'objects' } };
    const recent = { method: 'torrent-get', arguments: { fields: FLOOD_FIELDS, ids: 'recently-active' } };
    await rpc.call(full);
    const f = await time(rpc, full, 10);
    // Torrents added in the last 60 s count as recently active (Transmission's rule): wait them out.
    await new Promise((resolve) => setTimeout(resolve, 61_000));
    const r = await time(rpc, recent, 10, () => rpc.call(full));
    const rssAfterAdds = rssMiB(daemon.pid);
    const samples: { rss: number; answerMs: number }[] = [];
    const end = Date.now() + options.durationS * 1000;
    while (Date.now() < end) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const t0 = performance.now();
      await rpc.call({ method: 'session-get' });
      samples.push({ rss: rssMiB(daemon.pid), answerMs: performance.now() - t0 });
    }
    const t0 = performance.now();
    await daemon.stop();
    const ms = (x: number) => Math.round(x * 10000) / 10;
    return {
      mode: 'daemon',
      torrents: options.torrents,
      running: options.start,
      addSeconds: Math.round(addSeconds * 10) / 10,
      addsPerSecond: Math.round(options.torrents / addSeconds),
      slowestThousandPerSecond: Math.round(Math.min(...steps.map((s) => s.perSecond))),
      savedInSessionJson: saved,
      rssAfterAddsMiB: Math.round(rssAfterAdds),
      floodTorrentGetMs: { best: ms(f.best), median: ms(f.median), serverCpu: ms(f.cpu) },
      recentlyActiveMs: { best: ms(r.best), median: ms(r.median), serverCpu: ms(r.cpu) },
      runS: options.durationS,
      rssPeakMiB: Math.round(Math.max(rssAfterAdds, ...samples.map((s) => s.rss))),
      rssEndMiB: Math.round(samples.at(-1)?.rss ?? rssAfterAdds),
      answerMs: samples.length
        ? { median: Math.round(median(samples.map((s) => s.answerMs))), max: Math.round(Math.max(...samples.map((s) => s.answerMs))) }
        : undefined,
      stopS: Math.round((performance.now() - t0) / 100) / 10,
    };
  } finally {
    await cleanup.run();
  }
}
