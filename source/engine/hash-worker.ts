/**
 * Worker-thread entry for the SHA-1 pool (see hasher.ts), and the file-hashing routine it runs,
 * which the pool's caller thread also uses while workers boot. Kept free of project imports so
 * a worker starts fast: it only needs fs, crypto and the message port.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';

/** Marks a worker started by HashPool, so importing this module elsewhere has no effect. */
export const HASH_WORKER_ROLE = 'btui-hash-worker';

/** A byte range of a file; a job's ranges, concatenated, form the stream that is cut into pieces. */
export interface FileRange {
  path: string;
  offset: number;
  length: number;
}

export type WorkerRequest =
  | { id: number; kind: 'sha1'; data: ArrayBuffer; returnData: boolean }
  | { id: number; kind: 'ranges'; ranges: FileRange[]; pieceLength: number; tolerateMissing: boolean; progress: boolean };

export type WorkerReply =
  | { id: number; kind: 'sha1'; digest: Uint8Array; data?: ArrayBuffer }
  | { id: number; kind: 'ranges'; digests: Uint8Array; unreadable: number[] }
  | { id: number; kind: 'progress'; bytes: number }
  | { id: number; kind: 'error'; error: { message: string; code?: string; path?: string; syscall?: string } };

/** Bytes read per read(2); small enough to stay in cache while it is hashed. */
const CHUNK_BYTES = 256 * 1024;
/** How often a job that asked for progress reports it. */
const PROGRESS_EVERY_BYTES = 4 * 1024 * 1024;
const scratch = Buffer.allocUnsafe(CHUNK_BYTES);

function serve(port: MessagePort): void {
  port.on('message', (request: WorkerRequest) => {
    try {
      if (request.kind === 'sha1') {
        const data = new Uint8Array(request.data);
        const digest = new Uint8Array(createHash('sha1').update(data).digest());
        const reply: WorkerReply = { id: request.id, kind: 'sha1', digest, data: request.returnData ? request.data : undefined };
        port.postMessage(reply, request.returnData ? [request.data] : []);
      } else {
        const onProgress = request.progress ? (bytes: number) => port.postMessage({ id: request.id, kind: 'progress', bytes } satisfies WorkerReply) : undefined;
        const result = hashStream(request.ranges, request.pieceLength, request.tolerateMissing, onProgress);
        const reply: WorkerReply = { id: request.id, kind: 'ranges', digests: result.digests, unreadable: result.unreadable };
        port.postMessage(reply, [result.digests.buffer]);
      }
    } catch (error) {
      port.postMessage({ id: request.id, kind: 'error', error: serializeError(error) } satisfies WorkerReply);
    }
  });
}

export function serializeError(error: unknown): { message: string; code?: string; path?: string; syscall?: string } {
  const e = error as NodeJS.ErrnoException;
  return { message: e?.message ?? String(error), code: e?.code, path: e?.path, syscall: e?.syscall };
}

/**
 * Hashes the byte stream formed by concatenating `ranges`, cut into pieces of `pieceLength`
 * (the last one may be shorter). Pieces never need to fit in memory: each is fed to SHA-1 in
 * chunks. With `tolerateMissing`, a missing file or one shorter than its range marks the
 * pieces it touches as unreadable (zero digest) instead of failing the job.
 */
export function hashStream(ranges: FileRange[], pieceLength: number, tolerateMissing: boolean, onProgress?: (bytes: number) => void) {
  let total = 0;
  for (const r of ranges) total += r.length;
  const pieceCount = Math.ceil(total / pieceLength);
  const digests = new Uint8Array(new ArrayBuffer(pieceCount * 20));
  const unreadable = new Set<number>();

  let hash = createHash('sha1');
  let piece = 0;
  let inPiece = 0;
  let streamPos = 0;
  let unreported = 0;
  const advance = (bytes: number) => {
    inPiece += bytes;
    streamPos += bytes;
    unreported += bytes;
    if (inPiece === pieceLength) {
      hash.digest().copy(digests, piece * 20);
      piece++;
      inPiece = 0;
      hash = createHash('sha1');
    }
    if (onProgress && unreported >= PROGRESS_EVERY_BYTES) {
      onProgress(unreported);
      unreported = 0;
    }
  };
  /** Steps over bytes that cannot be read, piece boundaries included, without hashing them. */
  const skipUnreadable = (bytes: number) => {
    const last = Math.floor((streamPos + bytes - 1) / pieceLength);
    for (let p = Math.floor(streamPos / pieceLength); p <= last; p++) unreadable.add(p);
    while (bytes > 0) {
      const step = Math.min(bytes, pieceLength - inPiece);
      advance(step);
      bytes -= step;
    }
  };

  for (const range of ranges) {
    if (range.length === 0) continue;
    let fd: number | undefined;
    try {
      fd = openSync(range.path, 'r');
    } catch (error) {
      if (!tolerateMissing || (error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      skipUnreadable(range.length);
      continue;
    }
    try {
      let done = 0;
      while (done < range.length) {
        const want = Math.min(CHUNK_BYTES, range.length - done, pieceLength - inPiece);
        let got = 0;
        while (got < want) {
          const n = readSync(fd, scratch, got, want - got, range.offset + done + got);
          if (n === 0) break;
          got += n;
        }
        if (got < want) {
          if (!tolerateMissing) {
            throw Object.assign(new Error(`${range.path} is shorter than expected (did it change while being read?)`), {
              code: 'ESHORT',
              path: range.path,
            });
          }
          if (got > 0) {
            hash.update(scratch.subarray(0, got));
            advance(got);
          }
          skipUnreadable(range.length - done - got);
          break;
        }
        hash.update(scratch.subarray(0, want));
        advance(want);
        done += want;
      }
    } finally {
      closeSync(fd);
    }
  }
  if (inPiece > 0) hash.digest().copy(digests, piece * 20);
  if (onProgress && unreported > 0) onProgress(unreported);
  for (const p of unreadable) digests.fill(0, p * 20, p * 20 + 20);
  return { digests, unreadable: [...unreadable].sort((a, b) => a - b) };
}

if (parentPort && (workerData as { role?: string } | undefined)?.role === HASH_WORKER_ROLE) serve(parentPort);
