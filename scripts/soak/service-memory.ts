/**
 * What a seeding torrent costs in a daemon, beyond the engine: N one-piece torrents (data on disk)
 * are added running to a TorrentService over an engine Session, with the Transmission RPC served
 * over them on loopback as `btui daemon` does; once all seed, heapUsed per torrent (after gc) with
 * the service alone, then after Flood's full torrent-get (what the RPC keeps between polls), and
 * the bytes one such poll allocates (V8's sampling heap profiler, collected objects included), with
 * the functions that allocate most. Announces go to a closed loopback port (refused at once).
 *
 *   node scripts/soak/service-memory.mjs [N]     (bundles this file with esbuild, runs it with --expose-gc)
 *
 * With --queued [POLLS] the torrents are added running without their data (a download directory
 * with none of it) and 5 download slots, as a seedbox's import waiting for its turn: all but 5
 * wait in the queue, and Flood's torrent-get is polled POLLS times (default 30), heapUsed after gc
 * read every 5 polls: a heap that keeps growing with the polls is a leak, one that comes back is
 * garbage. Before each poll a download is paused and the next queued one takes its slot, so that
 * the queue moves (as when a download finishes); the time from each pause to the next start is
 * printed (slotRefillMs).
 *
 * SERVICE_MEMORY_SNAPSHOT=FILE writes a heap snapshot after the polls.
 */
import { request } from 'node:http';
import { Session as Inspector } from 'node:inspector';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from '../../source/engine/session/session.js';
import { writeSeedFiles } from '../../test/helpers/seed-files.js';
import { ServiceRpcBackend } from '../../source/host/rpc-backend.js';
import { createRpcServer } from '../../source/rpc/server.js';
import { TorrentService } from '../../source/service/torrent-service.js';
import { FLOOD_FIELDS } from '../../test/helpers/flood-fields.js';

const queuedAt = process.argv.indexOf('--queued');
const queuedMode = queuedAt >= 0;
const count = Number(process.argv.find((a, i) => i >= 2 && /^\d+$/.test(a) && i !== queuedAt + 1) ?? 2000);
const queuedPolls = queuedMode && /^\d+$/.test(process.argv[queuedAt + 1] ?? '') ? Number(process.argv[queuedAt + 1]) : 30;
const polls = queuedMode ? queuedPolls : 5;
const gc = (globalThis as { gc?: () => void }).gc;

function heapUsed(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

const dir = mkdtempSync(join(tmpdir(), 'btui-service-memory-'));
const data = join(dir, 'data');
const state = join(dir, 'state');
mkdirSync(data, { recursive: true });
mkdirSync(state, { recursive: true });
const metas = writeSeedFiles(data, count, (i) => 1000 + (i % 7) * 100);

const resumePath = (hash: string) => join(state, 'resume', `${hash}.resume`);
const session = new Session({ host: '127.0.0.1', resumePath });
session.on('warning', () => undefined);
await session.listen(0);
const empty = join(dir, 'empty');
mkdirSync(empty, { recursive: true });
const service = new TorrentService(session, {
  stateDirectory: state,
  downloadDirectory: data,
  resumePath,
  maxActiveDownloads: queuedMode ? 5 : 0,
});
const backend = new ServiceRpcBackend(service, {
  version: 'service-memory',
  configDir: state,
  peerPort: () => session.port,
  settings: () => ({ dht: false, lsd: false, maxPeersPerTorrent: 50, maxConnections: 500, encryption: 'prefer' }),
});
const server = createRpcServer({ backend, host: '127.0.0.1', port: 0 });
const { port } = await server.listen();

let sessionId = '';
/** One RPC call over HTTP; the answer's bytes are counted and dropped. */
function call(body: string): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/transmission/rpc', method: 'POST', headers: { 'X-Transmission-Session-Id': sessionId } },
      (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () => {
          if (res.statusCode === 409) sessionId = String(res.headers['x-transmission-session-id']);
          resolve({ status: res.statusCode ?? 0, bytes });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
const floodPoll = JSON.stringify({ method: 'torrent-get', arguments: { fields: FLOOD_FIELDS, format: 'objects' } });
async function poll(): Promise<{ bytes: number; ms: number }> {
  const started = performance.now();
  let answer = await call(floodPoll);
  if (answer.status === 409) answer = await call(floodPoll);
  if (answer.status !== 200) throw new Error(`torrent-get: HTTP ${answer.status}`);
  return { bytes: answer.bytes, ms: performance.now() - started };
}

const before = heapUsed();
const added = performance.now();
for (const meta of metas) await service.addMetainfo(meta, { directory: queuedMode ? empty : data });
const addSeconds = (performance.now() - added) / 1000;
const stateCount = (state: string) => service.list().filter((ref) => service.summary(ref.id)?.state === state).length;
if (queuedMode) while (stateCount('queued') < count - 5) await new Promise((resolve) => setTimeout(resolve, 250));
else while (stateCount('seeding') < count) await new Promise((resolve) => setTimeout(resolve, 250));
// Work begun as they turned to seeding (resume and session saves, announces) settles first.
await new Promise((resolve) => setTimeout(resolve, 2000));
const serviceOnly = heapUsed();

/** From a pause to the start of the next queued torrent (the queue's pass and the wait before it), ms. */
const refillTimes: number[] = [];
async function pauseOneDownload(): Promise<void> {
  const running = service.list().find((ref) => ['downloading', 'checking'].includes(service.summary(ref.id)?.state ?? ''));
  if (!running) return;
  const next = service.list().find((ref) => service.summary(ref.id)?.state === 'queued');
  const started = performance.now();
  await service.stop(running.id);
  const deadline = Date.now() + 30_000;
  while (next && service.summary(next.id)?.state === 'queued') {
    if (Date.now() > deadline) throw new Error(`${service.summary(next.id)?.name}, first in the queue, did not start`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  refillTimes.push(Math.round(performance.now() - started));
}

const pollTimes: number[] = [];
/** heapUsed after gc (MiB) every 5 polls, and RSS beside it. */
const heapAlongPolls: { polls: number; heapMiB: number; rssMiB: number }[] = [];
let answerBytes = 0;
for (let i = 0; i < polls; i++) {
  // The queue moves between polls: a download is paused and the next in the queue takes its slot
  // (as when one finishes); no other torrent's queue position changes.
  if (queuedMode) await pauseOneDownload();
  const answer = await poll();
  pollTimes.push(Math.round(answer.ms));
  answerBytes = answer.bytes;
  if (queuedMode && (i + 1) % 5 === 0)
    heapAlongPolls.push({
      polls: i + 1,
      heapMiB: Math.round(heapUsed() / 2 ** 20),
      rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
    });
}
const afterPolls = heapUsed();

// One more poll under the sampling heap profiler: every allocation, collected or not.
const inspector = new Inspector();
inspector.connect();
const post = <T>(method: string, params?: object) =>
  new Promise<T>((resolve, reject) => inspector.post(method, params, (error, result) => (error ? reject(error) : resolve(result as T))));
interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}
await post('HeapProfiler.enable');
await post('HeapProfiler.startSampling', {
  samplingInterval: 1024,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});
await poll();
const { profile } = await post<{ profile: { head: ProfileNode } }>('HeapProfiler.stopSampling');
inspector.disconnect();
const byFunction = new Map<string, number>();
let allocated = 0;
const frame = (node: ProfileNode) => node.callFrame.functionName || '(anonymous)';
// Each allocating function with its two callers (the bundle has no source maps: names, not lines).
const walk = (node: ProfileNode, callers: string[]): void => {
  allocated += node.selfSize;
  const where = [frame(node), ...callers.slice(-2).reverse()].join(' < ');
  if (node.selfSize > 0) byFunction.set(where, (byFunction.get(where) ?? 0) + node.selfSize);
  for (const child of node.children) walk(child, [...callers, frame(node)]);
};
walk(profile.head, []);
const topAllocators = [...byFunction.entries()]
  .sort((a, b) => b[1] - a[1])
  .slice(0, 8)
  .map(([where, bytes]) => `${where}: ${Math.round(bytes / count)} B/torrent`);

const perTorrent = (a: number, b: number) => Math.round((b - a) / count);
console.log(
  JSON.stringify({
    torrents: count,
    mode: queuedMode ? 'queued' : 'seeding',
    gc: Boolean(gc),
    addSeconds: Math.round(addSeconds * 10) / 10,
    heapUsedMiB: Math.round(afterPolls / 2 ** 20),
    heapBytesPerTorrent: perTorrent(before, serviceOnly),
    heapBytesPerTorrentAfterPolls: perTorrent(before, afterPolls),
    keptByPollsBytesPerTorrent: perTorrent(serviceOnly, afterPolls),
    floodAnswerBytes: answerBytes,
    floodPollMs: queuedMode ? { first: pollTimes.slice(0, 3), last: pollTimes.slice(-3) } : pollTimes,
    slotRefillMs: queuedMode
      ? { median: [...refillTimes].sort((a, b) => a - b)[refillTimes.length >> 1], max: Math.max(...refillTimes) }
      : undefined,
    heapAlongPolls: queuedMode ? heapAlongPolls : undefined,
    allocatedPerPollBytesPerTorrent: Math.round(allocated / count),
    topAllocators,
  }),
);
if (process.env.SERVICE_MEMORY_SNAPSHOT) {
  const { writeHeapSnapshot } = await import('node:v8');
  console.error(`heap snapshot: ${writeHeapSnapshot(process.env.SERVICE_MEMORY_SNAPSHOT)}`);
}
await server.close();
await service.close();
await session.close();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
