/**
 * The download queue's pass at seedbox scale, alone: N torrents asked to run with 5 download
 * slots (all but 5 wait), then, PASSES times, the download first in the queue completes and the
 * pass that gives its slot to the next one is timed, with the reads of torrent state it made and
 * the heap it allocated. The torrents are plain records (no engine), so what is measured is the
 * queue manager's own work. Prints one JSON line.
 *
 *   node --import tsx scripts/soak/queue-pass.ts [N] [PASSES] [--module PATH]
 *
 * --module loads another build's queue-manager.ts (an A/B against main: `git show
 * main:source/service/queue-manager.ts > /tmp/main-queue/queue-manager.ts`, with its imports beside it).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { QueueHost, QueueManager as Manager, QueueSubject } from '../../source/service/queue-manager.js';

const args = process.argv.slice(2);
const moduleAt = args.indexOf('--module');
const modulePath =
  moduleAt >= 0 ? resolve(args[moduleAt + 1]!) : new URL('../../source/service/queue-manager.ts', import.meta.url).pathname;
const numbers = args.filter((a, i) => /^\d+$/.test(a) && (moduleAt < 0 || i !== moduleAt + 1)).map(Number);
const count = numbers[0] ?? 50_000;
const passes = numbers[1] ?? 200;
const SLOTS = 5;

const { QueueManager } = (await import(pathToFileURL(modulePath).href)) as { QueueManager: typeof Manager };

interface Record extends QueueSubject {
  running: boolean;
  complete: boolean;
}
const records: Record[] = Array.from({ length: count }, (_, i) => ({
  hash: `t${i}`,
  id: i + 1,
  priority: 2,
  order: 1000 + i,
  queued: false,
  running: false,
  complete: false,
}));
const byHash = new Map(records.map((r) => [r.hash, r]));
let reads = 0;
const host: QueueHost = {
  subjects: () => records,
  current: (hash) => byHash.get(hash),
  running: (hash) => (reads++, byHash.get(hash)!.running),
  downloading: (hash) => (reads++, !byHash.get(hash)!.complete),
  checkFirst: () => (reads++, false),
  start: (hash) => void (byHash.get(hash)!.running = true),
  check: (hash) => void (byHash.get(hash)!.running = true),
  stop: (hash) => void (byHash.get(hash)!.running = false),
  changed: () => undefined,
};

const queue = new QueueManager(host, SLOTS);
const filedAt = performance.now();
queue.hold();
for (const record of records) queue.request(record);
queue.release();
queue.apply();
const fileMs = performance.now() - filedAt;

const times: number[] = [];
const readsPerPass: number[] = [];
const heapBefore = process.memoryUsage().heapUsed;
let allocated = 0;
for (let i = 0; i < passes; i++) {
  const first = records[i]!;
  first.complete = true;
  queue.noteChange(first.hash);
  const heap = process.memoryUsage().heapUsed;
  const before = reads;
  const started = performance.now();
  queue.apply();
  times.push(performance.now() - started);
  readsPerPass.push(reads - before);
  // A minor GC in between makes this a floor, not an exact count.
  allocated += Math.max(0, process.memoryUsage().heapUsed - heap);
  if (!records[i + SLOTS]!.running) throw new Error(`pass ${i}: the next in the queue did not start`);
}
queue.close();

const sorted = [...times].sort((a, b) => a - b);
const round = (ms: number) => Math.round(ms * 1000) / 1000;
console.log(
  JSON.stringify({
    module: modulePath,
    torrents: count,
    slots: SLOTS,
    passes,
    firstPlanMs: Math.round(fileMs),
    passMs: { median: round(sorted[sorted.length >> 1]!), max: round(sorted.at(-1)!) },
    readsPerPass: readsPerPass[readsPerPass.length >> 1],
    allocatedPerPassBytes: Math.round(allocated / passes),
    heapGrowthMiB: Math.round((process.memoryUsage().heapUsed - heapBefore) / 2 ** 20),
  }),
);
