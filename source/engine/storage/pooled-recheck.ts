/**
 * A full recheck on the hash worker pool: each job names a run of pieces by file ranges and
 * the worker reads and hashes them itself, so no file data crosses threads and every core
 * hashes. Pieces whose bytes are not all on disk are never read: they are simply missing.
 */
import { Bitfield } from '../bitfield.js';
import { PieceMap, type FileSpan, type HashPool } from '../hasher.js';
import type { Metainfo } from '../metainfo.js';
import { mapPiece } from './file-map.js';

/** About this many bytes per job: big enough to amortise a message, small enough to share out. */
const JOB_BYTES = 8 * 1024 * 1024;
/** Jobs queued per worker: each worker always has the next one waiting. */
const JOBS_PER_WORKER = 2;

export interface PooledRecheckInput {
  meta: Metainfo;
  pool: HashPool;
  /** Absolute path of each file, in torrent order. */
  paths: string[];
  /** Per file: true when its bytes may be read (all of them, or the piece is missing). */
  readable: (fileIndex: number, end: number) => boolean;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export async function pooledRecheck(input: PooledRecheckInput): Promise<Bitfield> {
  const { meta, pool, signal } = input;
  const total = meta.pieceCount;
  const have = new Bitfield(total);
  const spans: FileSpan[] = meta.files.map((f, i) => (f.padding ? { path: '', length: f.length, zeros: true } : { path: input.paths[i]!, length: f.length }));
  const map = new PieceMap(spans);
  const piecesPerJob = Math.max(1, Math.floor(JOB_BYTES / meta.pieceLength));

  // Runs of consecutive checkable pieces, cut into jobs.
  const jobs: [first: number, count: number][] = [];
  let skipped = 0;
  let runStart = -1;
  const endRun = (end: number) => {
    for (let first = runStart; first < end; first += piecesPerJob) jobs.push([first, Math.min(piecesPerJob, end - first)]);
    runStart = -1;
  };
  for (let p = 0; p < total; p++) {
    const checkable = mapPiece(meta, p).every((s) => meta.files[s.fileIndex]!.padding || input.readable(s.fileIndex, s.fileOffset + s.length));
    if (checkable) {
      if (runStart < 0) runStart = p;
      if (p - runStart + 1 === piecesPerJob) endRun(p + 1);
    } else {
      if (runStart >= 0) endRun(p);
      skipped++;
    }
  }
  if (runStart >= 0) endRun(total);

  let done = skipped;
  if (skipped > 0) input.onProgress?.(done, total);
  let next = 0;
  const runJobs = async (): Promise<void> => {
    while (next < jobs.length) {
      signal?.throwIfAborted();
      const [first, count] = jobs[next++]!;
      const ranges = map.ranges(meta.pieceLength, first, count);
      const { digests, unreadable } = await pool.hashRanges(ranges, meta.pieceLength, { tolerateMissing: true, noFollow: true });
      const bad = new Set(unreadable);
      for (let k = 0; k < count; k++) {
        const index = first + k;
        if (bad.has(k)) continue;
        if (digests.compare(meta.pieces, index * 20, index * 20 + 20, k * 20, k * 20 + 20) === 0) have.set(index);
      }
      done += count;
      input.onProgress?.(done, total);
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs.length, pool.size * JOBS_PER_WORKER) }, runJobs));
  signal?.throwIfAborted();
  return have;
}
