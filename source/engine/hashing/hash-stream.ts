/**
 * Reading and hashing a torrent's files piece by piece: the routines the hash workers run, and
 * the pool's calling thread too when it helps (see hasher.ts). Kept free of project imports so a
 * worker starts fast: it only needs fs and crypto.
 */
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';

/** A byte range of a file; ranges laid end to end form the stream that is cut into pieces. */
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
 * Hashing chosen pieces of a set of files, shared by every thread that takes part: each claims
 * the next chunk (a run of pieces) with an atomic counter and writes its digests straight into
 * shared memory, so no thread waits for another to hand out work and no file data crosses
 * threads.
 */
export interface SharedPiecesJob {
  files: FileSpan[];
  pieceLength: number;
  /** Int32Array of [first piece, piece count] pairs: the chunks, claimed in order. */
  chunks: SharedArrayBuffer;
  /** Missing, short or unreadable data marks its pieces in `unreadable` instead of failing. */
  tolerateMissing: boolean;
  /** A symlink is unreadable (a recheck must not follow one planted in the download). */
  noFollow: boolean;
  /** Int32Array: [0] next chunk to claim, [1] non-zero once everyone should stop. */
  control: SharedArrayBuffer;
  /**
   * The last chunks, which workers leave to the calling thread when it hashes throughout: a
   * worker that leaves them is done, and stops, while the caller hashes them (see hasher.ts).
   */
  leftToCaller: number;
  /** BigInt64Array: [0] bytes hashed so far, [1] pieces hashed so far. */
  progress: SharedArrayBuffer;
  /** 20 bytes per piece of the whole torrent (zeros where not hashed or unreadable). */
  digests: SharedArrayBuffer;
  /** 1 byte per piece of the whole torrent: 1 where the data could not be read. */
  unreadable: SharedArrayBuffer;
}

/**
 * Bytes read per read(2), across piece boundaries: 1 MiB took ~4% less CPU per GiB than 256 KiB
 * here (a quarter of the system calls, each dear in a VM), and is hashed as fast.
 */
const CHUNK_BYTES = 1024 * 1024;
let scratch: Buffer | undefined;
let zeroChunk: Buffer | undefined;

/**
 * Hashes the byte stream formed by concatenating `ranges`, cut into pieces of `pieceLength`
 * (the last one may be shorter). Pieces never need to fit in memory: each is fed to SHA-1 in
 * chunks read into one reused buffer. With `tolerateMissing`, a file that is missing, shorter
 * than its range or cannot be read at all (a directory, a symlink with `noFollow`, no
 * permission) marks the pieces it touches as unreadable (zero digest) instead of failing.
 */
export function hashStream(ranges: FileRange[], pieceLength: number, tolerateMissing: boolean, noFollow = false) {
  let total = 0;
  for (const r of ranges) total += r.length;
  const pieceCount = Math.ceil(total / pieceLength);
  const digests = new Uint8Array(new ArrayBuffer(pieceCount * 20));
  const unreadable = new Set<number>();
  const buffer = (scratch ??= Buffer.allocUnsafe(CHUNK_BYTES));

  let hash = createHash('sha1');
  let piece = 0;
  let inPiece = 0;
  let streamPos = 0;
  const advance = (bytes: number) => {
    inPiece += bytes;
    streamPos += bytes;
    if (inPiece === pieceLength) {
      hash.digest().copy(digests, piece * 20);
      piece++;
      inPiece = 0;
      hash = createHash('sha1');
    }
  };
  /** Hashes `bytes` bytes of `data`, piece boundaries included. */
  const feed = (data: Buffer, bytes: number) => {
    for (let at = 0; at < bytes; ) {
      const step = Math.min(bytes - at, pieceLength - inPiece);
      hash.update(data.subarray(at, at + step));
      advance(step);
      at += step;
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
        const want = Math.min(CHUNK_BYTES, range.length - done);
        let got = 0;
        while (got < want) {
          let n: number;
          try {
            n = readSync(fd, buffer, got, want - got, range.offset + done + got);
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
          feed(buffer, got);
          skipUnreadable(range.length - done - got);
          break;
        }
        feed(buffer, want);
        done += want;
      }
    } finally {
      closeSync(fd);
    }
  }
  if (inPiece > 0) hash.digest().copy(digests, piece * 20);
  for (const p of unreadable) digests.fill(0, p * 20, p * 20 + 20);
  return { digests, unreadable: [...unreadable].sort((a, b) => a - b) };
}

/** One thread's part in a SharedPiecesJob. */
export class SharedPiecesWorker {
  readonly #job: SharedPiecesJob;
  readonly #map: PieceMap;
  readonly #control: Int32Array;
  readonly #chunks: Int32Array;
  readonly #progress: BigInt64Array;
  readonly #digests: Uint8Array;
  readonly #unreadable: Uint8Array;

  constructor(job: SharedPiecesJob) {
    this.#job = job;
    this.#map = new PieceMap(job.files);
    this.#control = new Int32Array(job.control);
    this.#chunks = new Int32Array(job.chunks);
    this.#progress = new BigInt64Array(job.progress);
    this.#digests = new Uint8Array(job.digests);
    this.#unreadable = new Uint8Array(job.unreadable);
  }

  /**
   * Claims and hashes one chunk; false when none is left or the job was stopped. A worker
   * (`leave`) claims none of the job's last `leftToCaller` chunks; it may still take one of them
   * when it claims as the caller does, which only means the caller hashes less.
   */
  hashNextChunk(leave = false): boolean {
    if (Atomics.load(this.#control, 1) !== 0) return false;
    const chunkCount = this.#chunks.length / 2;
    if (leave && Atomics.load(this.#control, 0) >= chunkCount - this.#job.leftToCaller) return false;
    const chunk = Atomics.add(this.#control, 0, 1);
    if (chunk >= chunkCount) return false;
    const first = this.#chunks[chunk * 2]!;
    const count = this.#chunks[chunk * 2 + 1]!;
    const { pieceLength, tolerateMissing, noFollow } = this.#job;
    const ranges = this.#map.ranges(pieceLength, first, count);
    const { digests, unreadable } = hashStream(ranges, pieceLength, tolerateMissing, noFollow);
    this.#digests.set(digests, first * 20);
    for (const k of unreadable) this.#unreadable[first + k] = 1;
    let bytes = 0;
    for (const r of ranges) bytes += r.length;
    Atomics.add(this.#progress, 0, BigInt(bytes));
    Atomics.add(this.#progress, 1, BigInt(count));
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
      if (to > from)
        ranges.push(
          file.zeros
            ? { path: file.path, offset: from - fileStart, length: to - from, zeros: true }
            : { path: file.path, offset: from - fileStart, length: to - from },
        );
    }
    return ranges;
  }
}
