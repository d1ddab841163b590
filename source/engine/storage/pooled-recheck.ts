/**
 * A full recheck on the hash worker pool: the runs of pieces whose bytes are all on disk are
 * hashed by every worker, each reading the files itself (no file data crosses threads), and by
 * this thread too while the workers start. Pieces whose bytes are not all on disk are never
 * read: they are simply missing.
 */
import { Bitfield } from '../codec/bitfield.js';
import type { FileSpan, HashFilesOptions, HashPool } from '../hashing/hasher.js';
import type { Metainfo } from '../metainfo/metainfo.js';
import { mapPiece } from './file-map.js';

export interface PooledRecheckInput {
  meta: Metainfo;
  pool: HashPool;
  /** Absolute path of each file, in torrent order. */
  paths: string[];
  /** Per file: true when its bytes may be read (all of them, or the piece is missing). */
  readable: (fileIndex: number, end: number) => boolean;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** Whether this thread hashes too (see HashPool.hashPieces); default while the workers start. */
  useCallerThread?: HashFilesOptions['useCallerThread'];
}

export async function pooledRecheck(input: PooledRecheckInput): Promise<Bitfield> {
  const { meta, signal } = input;
  const total = meta.pieceCount;
  const have = new Bitfield(total);
  const spans: FileSpan[] = meta.files.map((f, i) =>
    f.padding ? { path: '', length: f.length, zeros: true } : { path: input.paths[i]!, length: f.length },
  );

  // Runs of consecutive checkable pieces.
  const runs: [first: number, count: number][] = [];
  let runStart = -1;
  for (let p = 0; p < total; p++) {
    const checkable = mapPiece(meta, p).every(
      (s) => meta.files[s.fileIndex]!.padding || input.readable(s.fileIndex, s.fileOffset + s.length),
    );
    if (checkable && runStart < 0) runStart = p;
    if (!checkable && runStart >= 0) {
      runs.push([runStart, p - runStart]);
      runStart = -1;
    }
  }
  if (runStart >= 0) runs.push([runStart, total - runStart]);
  const skipped = total - runs.reduce((sum, [, count]) => sum + count, 0);

  if (skipped > 0) input.onProgress?.(skipped, total);
  const onProgress = input.onProgress;
  const { digests, unreadable } = await input.pool.hashPieces(spans, meta.pieceLength, {
    runs,
    tolerateMissing: true,
    noFollow: true,
    signal,
    useCallerThread: input.useCallerThread ?? 'while-workers-start',
    onProgress: onProgress && ((p) => onProgress(skipped + p.piecesHashed, total)),
  });
  signal?.throwIfAborted();
  for (const [first, count] of runs) {
    for (let index = first; index < first + count; index++) {
      if (unreadable[index] === 0 && digests.compare(meta.pieces, index * 20, index * 20 + 20, index * 20, index * 20 + 20) === 0)
        have.set(index);
    }
  }
  return have;
}
