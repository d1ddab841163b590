/**
 * Piece verification against the metainfo's SHA-1 hashes: one downloaded piece, or a full
 * recheck of what is on disk, on a worker pool (pooled-recheck.ts) or on this thread.
 */
import { Bitfield } from '../codec/bitfield.js';
import { defaultHashPool, type HashFilesOptions, type HashPool } from '../hashing/hasher.js';
import type { Metainfo } from '../metainfo/metainfo.js';
import { pieceSize } from '../metainfo/piece-layout.js';
import { StorageError } from './errors.js';
import type { FileIO } from './file-io.js';
import { mapPiece, type FileSlice } from './file-map.js';
import { pooledRecheck } from './pooled-recheck.js';

/**
 * Where a full check hashes: on a worker pool (each worker reads the files itself, every core
 * hashes), or with `pool: false` on this thread alone.
 */
export interface CheckHashing {
  /**
   * Default: the process-wide pool (hasher.ts defaultHashPool) for torrents of 16 MiB or more,
   * this thread for smaller ones (not worth starting workers). A pool given is used for any size.
   */
  pool?: HashPool | false;
  /**
   * Whether this thread hashes beside the workers: by default only while they start. A
   * one-shot command has nothing else to do: 'throughout', with one worker fewer than cores,
   * saves a worker's start-up (~40 ms of CPU).
   */
  callerThread?: HashFilesOptions['useCallerThread'];
}

const POOLED_RECHECK_MIN_BYTES = 16 * 1024 * 1024;

/** v2-only torrents have no SHA-1 piece hashes: the per-piece path reports that. */
function hasSha1Pieces(meta: Metainfo): boolean {
  return meta.pieces.length === meta.pieceCount * 20;
}

/**
 * Whether a full check of this torrent is worth a worker pool (it hashes on the process-wide
 * one by default): a caller about to check may warm() its pool first, so its workers boot meanwhile.
 */
export function checksOnPool(meta: Metainfo): boolean {
  return hasSha1Pieces(meta) && meta.length >= POOLED_RECHECK_MIN_BYTES;
}

export interface VerifierOptions {
  /** SHA-1 of one piece. */
  hash: (data: Buffer) => Promise<Buffer>;
  /** Pieces read ahead during a recheck on this thread, so the hasher stays busy. */
  parallelism: number;
  check: CheckHashing;
}

export class Verifier {
  constructor(
    private readonly meta: Metainfo,
    private readonly files: FileIO,
    private readonly options: VerifierOptions,
  ) {}

  /** Whether `digest` is piece `index`'s SHA-1 from the metainfo. */
  digestMatches(index: number, digest: Buffer): boolean {
    return digest.equals(this.expected(index));
  }

  async verifyPiece(index: number, data: Buffer): Promise<boolean> {
    if (data.length !== pieceSize(this.meta, index)) return false;
    const expected = this.expected(index);
    const digest = await this.options.hash(data);
    return Buffer.compare(digest, expected) === 0;
  }

  /** Reads and hashes every piece; pieces whose data is missing or short are simply absent. */
  async recheck(onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<Bitfield> {
    const total = this.meta.pieceCount;
    const available = await this.files.availableBytes();
    if (available.every((bytes, i) => bytes === 0 || this.meta.files[i]!.padding)) {
      // Nothing on disk (a fresh download): nothing to read, and no hashing workers to start.
      onProgress?.(total, total);
      return new Bitfield(total);
    }
    const pool = this.pooledRecheckOn();
    if (pool) return this.recheckOnPool(pool, available, onProgress, signal);
    const have = new Bitfield(total);
    const onDisk = (s: FileSlice) => this.meta.files[s.fileIndex]!.padding || available[s.fileIndex]! >= s.fileOffset + s.length;
    let next = 0;
    let done = 0;
    const worker = async () => {
      for (;;) {
        signal?.throwIfAborted();
        const index = next++;
        if (index >= total) return;
        const slices = mapPiece(this.meta, index);
        if (slices.every(onDisk)) {
          try {
            const data = await this.files.read(index * this.meta.pieceLength, pieceSize(this.meta, index));
            if (await this.verifyPiece(index, data)) have.set(index);
          } catch (error) {
            if (!(error instanceof StorageError) || error.code === 'ENOHASH') throw error;
          }
        }
        done++;
        onProgress?.(done, total);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.parallelism, total) }, worker));
    return have;
  }

  private expected(index: number): Buffer {
    const expected = this.meta.pieces.subarray(index * 20, index * 20 + 20);
    if (expected.length !== 20) throw new StorageError(`no SHA-1 hash for piece ${index}`, 'ENOHASH');
    return expected;
  }

  private pooledRecheckOn(): HashPool | undefined {
    const { check } = this.options;
    if (check.pool === false || !hasSha1Pieces(this.meta)) return undefined;
    if (check.pool) return check.pool;
    return checksOnPool(this.meta) ? defaultHashPool() : undefined;
  }

  private async recheckOnPool(
    pool: HashPool,
    available: number[],
    onProgress?: (done: number, total: number) => void,
    signal?: AbortSignal,
  ): Promise<Bitfield> {
    // Workers open files without our descriptor cache: a file whose directory leads outside
    // the download directory (a planted symlink) is treated as missing, as a read would fail.
    const inside = await Promise.all(
      available.map((bytes, i) => (bytes > 0 && !this.meta.files[i]!.padding ? this.files.isInside(i) : false)),
    );
    return pooledRecheck({
      meta: this.meta,
      pool,
      paths: this.files.paths,
      readable: (i, end) => inside[i]! && available[i]! >= end,
      useCallerThread: this.options.check.callerThread,
      onProgress,
      signal,
    });
  }
}
