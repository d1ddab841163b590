/**
 * Worker-thread entry for the SHA-1 pool (see hasher.ts), and the file-hashing routines it runs,
 * which the pool's calling thread also uses when it helps. Kept free of project imports so a
 * worker starts fast: it only needs fs, crypto and the message port.
 */
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';

/** Marks a worker started by HashPool, so importing this module elsewhere has no effect. */
export const HASH_WORKER_ROLE = 'btui-hash-worker';

/** A byte range of a file; a job's ranges, concatenated, form the stream that is cut into pieces. */
export interface FileRange {
  path: string;
  offset: number;
  length: number;
  /** Bytes that are zeros by definition (BEP 47 padding): nothing is read. */
  zeros?: boolean;
}

/** A file of a torrent's data, in torrent order. */
export interface FileSpan {
  path: string;
  length: number;
  zeros?: boolean;
}

/**
 * Hashing a whole set of files, shared by every thread that takes part: each claims the next
 * chunk of pieces with an atomic counter and writes its digests straight into shared memory,
 * so no thread waits for another to hand out work.
 */
export interface SharedFilesJob {
  files: FileSpan[];
  pieceLength: number;
  piecesPerChunk: number;
  /** Int32Array: [0] next chunk to claim, [1] non-zero once everyone should stop. */
  control: SharedArrayBuffer;
  /** BigInt64Array: [0] bytes hashed so far. */
  progress: SharedArrayBuffer;
  /** 20 bytes per piece. */
  digests: SharedArrayBuffer;
}

export type WorkerRequest =
  | { id: number; kind: 'sha1'; data: ArrayBuffer; returnData: boolean }
  | { id: number; kind: 'ranges'; ranges: FileRange[]; pieceLength: number; tolerateMissing: boolean; progress: boolean; noFollow?: boolean }
  | { id: number; kind: 'files'; job: SharedFilesJob };

export type WorkerReply =
  | { id: number; kind: 'sha1'; digest: Uint8Array; data?: ArrayBuffer }
  | { id: number; kind: 'ranges'; digests: Uint8Array; unreadable: number[] }
  | { id: number; kind: 'files' }
  | { id: number; kind: 'progress'; bytes: number }
  | { id: number; kind: 'error'; error: { message: string; code?: string; path?: string; syscall?: string } };

/** Bytes read per read(2); small enough to stay in cache while it is hashed. */
const CHUNK_BYTES = 256 * 1024;
/** How often a job that asked for progress reports it. */
const PROGRESS_EVERY_BYTES = 4 * 1024 * 1024;
const scratch = Buffer.allocUnsafe(CHUNK_BYTES);
let zeroChunk: Buffer | undefined;

function serve(port: MessagePort): void {
  port.on('message', (request: WorkerRequest) => {
    try {
      if (request.kind === 'sha1') {
        const data = new Uint8Array(request.data);
        const digest = new Uint8Array(createHash('sha1').update(data).digest());
        const reply: WorkerReply = { id: request.id, kind: 'sha1', digest, data: request.returnData ? request.data : undefined };
        port.postMessage(reply, request.returnData ? [request.data] : []);
      } else if (request.kind === 'files') {
        const worker = new SharedFilesWorker(request.job);
        try {
          while (worker.hashNextChunk());
        } catch (error) {
          worker.stopAll();
          throw error;
        }
        port.postMessage({ id: request.id, kind: 'files' } satisfies WorkerReply);
      } else {
        const onProgress = request.progress ? (bytes: number) => port.postMessage({ id: request.id, kind: 'progress', bytes } satisfies WorkerReply) : undefined;
        const result = hashStream(request.ranges, request.pieceLength, request.tolerateMissing, onProgress, request.noFollow);
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
 * chunks. With `tolerateMissing`, a file that is missing, shorter than its range or cannot be
 * read at all (a directory, a symlink with `noFollow`, no permission) marks the pieces it
 * touches as unreadable (zero digest) instead of failing the job.
 */
export function hashStream(ranges: FileRange[], pieceLength: number, tolerateMissing: boolean, onProgress?: (bytes: number) => void, noFollow = false) {
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

  const flags = noFollow ? constants.O_RDONLY | constants.O_NOFOLLOW : constants.O_RDONLY;
  for (const range of ranges) {
    if (range.length === 0) continue;
    if (range.zeros) {
      zeroChunk ??= Buffer.alloc(CHUNK_BYTES);
      for (let left = range.length; left > 0; ) {
        const n = Math.min(CHUNK_BYTES, left, pieceLength - inPiece);
        hash.update(zeroChunk.subarray(0, n));
        advance(n);
        left -= n;
      }
      continue;
    }
    let fd: number | undefined;
    try {
      fd = openSync(range.path, flags);
    } catch (error) {
      if (!tolerateMissing) throw error;
      skipUnreadable(range.length);
      continue;
    }
    try {
      let done = 0;
      while (done < range.length) {
        const want = Math.min(CHUNK_BYTES, range.length - done, pieceLength - inPiece);
        let got = 0;
        while (got < want) {
          let n: number;
          try {
            n = readSync(fd, scratch, got, want - got, range.offset + done + got);
          } catch (error) {
            if (!tolerateMissing) throw error;
            n = 0; // e.g. EISDIR: treated as no data
          }
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

/** One thread's part in a SharedFilesJob. */
export class SharedFilesWorker {
  readonly #job: SharedFilesJob;
  readonly #map: PieceMap;
  readonly #control: Int32Array;
  readonly #progress: BigInt64Array;
  readonly #digests: Uint8Array;
  readonly #pieceCount: number;

  constructor(job: SharedFilesJob) {
    this.#job = job;
    this.#map = new PieceMap(job.files);
    this.#control = new Int32Array(job.control);
    this.#progress = new BigInt64Array(job.progress);
    this.#digests = new Uint8Array(job.digests);
    this.#pieceCount = this.#digests.length / 20;
  }

  /** Claims and hashes one chunk; false when none is left or the job was stopped. */
  hashNextChunk(): boolean {
    if (Atomics.load(this.#control, 1) !== 0) return false;
    const { pieceLength, piecesPerChunk } = this.#job;
    const first = Atomics.add(this.#control, 0, 1) * piecesPerChunk;
    if (first >= this.#pieceCount) return false;
    const count = Math.min(piecesPerChunk, this.#pieceCount - first);
    const ranges = this.#map.ranges(pieceLength, first, count);
    const { digests } = hashStream(ranges, pieceLength, false);
    this.#digests.set(digests, first * 20);
    Atomics.add(this.#progress, 0, BigInt(ranges.reduce((sum, r) => sum + r.length, 0)));
    return true;
  }

  stopAll(): void {
    Atomics.store(this.#control, 1, 1);
  }
}

/** Finds which file ranges hold a run of pieces, by binary search over file offsets. */
export class PieceMap {
  readonly #files: FileSpan[];
  readonly #starts: number[];

  constructor(files: FileSpan[]) {
    this.#files = files;
    this.#starts = [];
    let offset = 0;
    for (const file of files) {
      this.#starts.push(offset);
      offset += file.length;
    }
  }

  /** The file ranges holding pieces [firstPiece, firstPiece + count); empty files give none. */
  ranges(pieceLength: number, firstPiece: number, count: number): FileRange[] {
    const start = firstPiece * pieceLength;
    const end = start + count * pieceLength;
    // Last file starting at or before `start`.
    let lo = 0;
    let hi = this.#files.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.#starts[mid]! <= start) lo = mid;
      else hi = mid - 1;
    }
    const ranges: FileRange[] = [];
    for (let i = lo; i < this.#files.length && this.#starts[i]! < end; i++) {
      const file = this.#files[i]!;
      const fileStart = this.#starts[i]!;
      const from = Math.max(start, fileStart);
      const to = Math.min(end, fileStart + file.length);
      if (to > from) ranges.push(file.zeros ? { path: file.path, offset: from - fileStart, length: to - from, zeros: true } : { path: file.path, offset: from - fileStart, length: to - from });
    }
    return ranges;
  }
}

if (parentPort && (workerData as { role?: string } | undefined)?.role === HASH_WORKER_ROLE) serve(parentPort);
