/**
 * Piece-level disk I/O for one torrent: positional writes of whole pieces, reads for
 * uploading, hash verification, full recheck and resume data.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { resolve } from 'node:path';
import { Bitfield } from '../codec/bitfield.js';
import type { Metainfo } from '../metainfo/metainfo.js';
import { StorageError, storageError } from './errors.js';
import { FileCache } from './file-cache.js';
import { filePieces, mapPiece, mapRange, pieceSize, type FileSlice } from './file-map.js';
import { checkParentInside, ensureParentDirs, layout, type FileLocation } from './paths.js';
import { decodeResume, encodeResume, stampFile, writeFileAtomic, type FileStamp } from './resume.js';
import { defaultHashPool, type HashFilesOptions, type HashPool } from '../hashing/hasher.js';
import { pooledRecheck } from './pooled-recheck.js';
import { bootId } from './boot-id.js';

export { StorageError } from './errors.js';

export interface StorageOptions {
  /** Download directory; single-file torrents write DIR/name, multi-file DIR/name/... */
  directory: string;
  /** SHA-1 (a worker pool may be injected); default: node:crypto on the main thread. */
  hash?: (data: Buffer) => Promise<Buffer>;
  /** Default 64. */
  maxOpenFiles?: number;
  /** Per file; 0 = skip: the file is not created and nothing is written to it. */
  filePriorities?: Uint8Array;
  /** Pieces read ahead during recheck so the hasher stays busy; default 4. */
  recheckParallelism?: number;
  /** Where a full recheck hashes (see CheckHashing); default: the process-wide pool, workers only. */
  check?: CheckHashing;
}

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

const WRITE_FLAGS = constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW;
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW;

/**
 * A piece spanning hundreds of small files must not hold hundreds of descriptors at once
 * (handles in use outlive LRU eviction), so its slices go a few at a time.
 */
const SLICE_CONCURRENCY = 8;

async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  if (items.length === 1) return fn(items[0]!);
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function sha1(data: Buffer): Promise<Buffer> {
  return Promise.resolve(createHash('sha1').update(data).digest());
}

export class Storage {
  readonly root: string;
  private readonly base: string;
  private readonly files: FileLocation[] = [];
  private readonly layoutError: unknown;
  private realBase = '';
  private priorities: Uint8Array;
  private readonly cache: FileCache;
  private readonly hash: (data: Buffer) => Promise<Buffer>;
  private readonly parallelism: number;
  private readonly check: CheckHashing;
  private readonly verifiedDirs = new Set<string>();
  private readonly preparedFiles = new Set<number>();
  /** Files written since the last saveResume: their data is flushed before the resume is. */
  private readonly dirty = new Set<number>();
  private readonly inflight = new Set<Promise<unknown>>();
  private opening: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly meta: Metainfo, options: StorageOptions) {
    this.base = resolve(options.directory);
    this.root = resolve(this.base, meta.name);
    try {
      const l = layout(meta, this.base);
      this.root = l.root;
      this.files = l.files;
    } catch (error) {
      // Reported by open() (and every operation), so that constructing never throws.
      this.layoutError = error;
    }
    this.priorities = new Uint8Array(meta.files.length).fill(1);
    if (options.filePriorities) this.setFilePriorities(options.filePriorities);
    this.hash = options.hash ?? sha1;
    this.parallelism = Math.max(1, options.recheckParallelism ?? 4);
    this.check = options.check ?? {};
    this.cache = new FileCache((index, writable) => this.openFile(index, writable), options.maxOpenFiles ?? 64);
  }

  /** Absolute path of file `index`. */
  filePath(index: number): string {
    return this.location(index).path;
  }

  /** Path of file `index` relative to the download directory, '/'-separated. */
  relativePath(index: number): string {
    return this.location(index).relative;
  }

  pieceSize(index: number): number {
    return pieceSize(this.meta, index);
  }

  setFilePriorities(p: Uint8Array): void {
    if (p.length !== this.meta.files.length) {
      throw new RangeError(`expected ${this.meta.files.length} file priorities, got ${p.length}`);
    }
    this.priorities = Uint8Array.from(p);
    // Newly wanted empty files are never written to, so they are created here.
    if (this.opening && !this.closed) this.track(this.createEmptyFiles().catch(() => {}));
  }

  /** Validates paths and creates the directories of wanted files; data files appear on first write. */
  open(): Promise<void> {
    this.closed = false;
    return this.ready();
  }

  async close(): Promise<void> {
    this.closed = true;
    // The directories may be gone by the next open (deleted under us): check them again then.
    this.verifiedDirs.clear();
    this.preparedFiles.clear();
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
    await this.cache.closeAll();
    this.opening = undefined;
  }

  /**
   * Writes a whole piece. Where the piece straddles a skipped file, that part is dropped:
   * the piece then cannot be verified from disk later (recheck reports it missing) until the
   * skipped file is wanted again and the piece downloaded anew.
   */
  async writePiece(index: number, data: Buffer): Promise<void> {
    const size = this.pieceSize(index);
    if (data.length !== size) throw new StorageError(`piece ${index} is ${size} bytes, got ${data.length}`, 'EINVAL');
    return this.writePart(index, 0, data);
  }

  /** Writes `data` at `begin` bytes into piece `index` (skipped files' parts are dropped, as in writePiece). */
  async writePart(index: number, begin: number, data: Buffer): Promise<void> {
    await this.ready();
    const size = this.pieceSize(index);
    if (!Number.isInteger(begin) || begin < 0 || begin + data.length > size) {
      throw new StorageError(`bad write ${begin}+${data.length} into piece ${index} (${size} bytes)`, 'EINVAL');
    }
    const slices = mapRange(this.meta.files, index * this.meta.pieceLength + begin, data.length).filter((s) => this.wanted(s.fileIndex));
    await this.track(eachLimited(slices, SLICE_CONCURRENCY, (s) => this.writeSlice(s, data)));
  }

  /** Bytes for uploading (into `into`, when given, of exactly `length` bytes); throws StorageError when any of them is not on disk. */
  async read(index: number, begin: number, length: number, into?: Buffer): Promise<Buffer> {
    await this.ready();
    const size = this.pieceSize(index);
    if (!Number.isInteger(begin) || !Number.isInteger(length) || begin < 0 || length < 0 || begin + length > size) {
      throw new StorageError(`bad read ${begin}+${length} of piece ${index} (${size} bytes)`, 'EINVAL');
    }
    if (into && into.length !== length) throw new StorageError(`read of ${length} bytes into ${into.length}`, 'EINVAL');
    return this.track(this.readRange(index * this.meta.pieceLength + begin, length, into));
  }

  /** Whether `digest` is piece `index`'s SHA-1 from the metainfo. */
  digestMatches(index: number, digest: Buffer): boolean {
    const expected = this.meta.pieces.subarray(index * 20, index * 20 + 20);
    if (expected.length !== 20) throw new StorageError(`no SHA-1 hash for piece ${index}`, 'ENOHASH');
    return digest.equals(expected);
  }

  async verifyPiece(index: number, data: Buffer): Promise<boolean> {
    if (data.length !== this.pieceSize(index)) return false;
    const expected = this.meta.pieces.subarray(index * 20, index * 20 + 20);
    if (expected.length !== 20) throw new StorageError(`no SHA-1 hash for piece ${index}`, 'ENOHASH');
    const digest = await this.hash(data);
    return Buffer.compare(digest, expected) === 0;
  }

  /** Reads and hashes every piece; pieces whose data is missing or short are simply absent. */
  async recheck(onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<Bitfield> {
    await this.ready();
    signal?.throwIfAborted();
    const total = this.meta.pieceCount;
    const available = await this.availableBytes();
    if (available.every((bytes, i) => bytes === 0 || this.meta.files[i]!.padding)) {
      // Nothing on disk (a fresh download): nothing to read, and no hashing workers to start.
      onProgress?.(total, total);
      return new Bitfield(total);
    }
    const pool = this.pooledRecheckOn();
    if (pool) return this.track(this.recheckOnPool(pool, available, onProgress, signal));
    const have = new Bitfield(total);
    const onDisk = (s: FileSlice) =>
      this.meta.files[s.fileIndex]!.padding || available[s.fileIndex]! >= s.fileOffset + s.length;
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
            const data = await this.readRange(index * this.meta.pieceLength, this.pieceSize(index));
            if (await this.verifyPiece(index, data)) have.set(index);
          } catch (error) {
            if (!(error instanceof StorageError) || error.code === 'ENOHASH') throw error;
          }
        }
        done++;
        onProgress?.(done, total);
      }
    };
    await this.track(Promise.all(Array.from({ length: Math.min(this.parallelism, total) }, worker)));
    return have;
  }

  private pooledRecheckOn(): HashPool | undefined {
    if (this.check.pool === false || !hasSha1Pieces(this.meta)) return undefined;
    if (this.check.pool) return this.check.pool;
    return checksOnPool(this.meta) ? defaultHashPool() : undefined;
  }

  private async recheckOnPool(pool: HashPool, available: number[], onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<Bitfield> {
    // Workers open files without our descriptor cache: a file whose directory leads outside
    // the download directory (a planted symlink) is treated as missing, as a read would fail.
    const inside = await Promise.all(
      this.files.map((file, i) => (available[i]! > 0 && !this.meta.files[i]!.padding ? checkParentInside(this.realBase, file).then(() => true, () => false) : false)),
    );
    return pooledRecheck({
      meta: this.meta,
      pool,
      paths: this.files.map((f) => f.path),
      readable: (i, end) => inside[i]! && available[i]! >= end,
      useCallerThread: this.check.callerThread,
      onProgress,
      signal,
    });
  }

  /** Data written since the last flush (saveResume with flush) is not on disk for sure yet. */
  get hasUnflushedWrites(): boolean {
    return this.dirty.size > 0;
  }

  /**
   * Atomically writes {info-hash, bitfield, files: [{size, mtime}]}. With `flush`, written data
   * is flushed to disk first; without, it is left to the kernel (flushing a gigabyte takes
   * seconds) and the resume data holds only in this boot of the machine (see bootId), unless
   * there is no boot id to tell, when it is flushed all the same.
   */
  async saveResume(have: Bitfield, path: string, { flush = true }: { flush?: boolean } = {}): Promise<void> {
    await this.ready();
    const boot = flush ? undefined : await bootId();
    if (boot === undefined) await this.flushDirty();
    const files = await this.stamps();
    const bytes = encodeResume({
      infoHash: Buffer.from(this.meta.infoHash, 'hex'),
      pieceCount: this.meta.pieceCount,
      bitfield: have.buffer,
      files,
      unflushedBoot: this.dirty.size > 0 ? boot : undefined,
    });
    try {
      await writeFileAtomic(path, bytes);
    } catch (error) {
      throw storageError(error, 'writing', path);
    }
  }

  /**
   * The first wanted file (relative path) that lacks bytes of a piece in `have`: deleted or
   * truncated behind our back. Writes through a handle opened before a deletion succeed,
   * so only a look at the file system tells.
   */
  async missingData(have: Bitfield): Promise<string | undefined> {
    await this.ready();
    const stamps = await this.stamps();
    for (let i = 0; i < this.files.length; i++) {
      const file = this.meta.files[i]!;
      if (file.padding || file.length === 0 || !this.wanted(i)) continue;
      const span = filePieces(file, this.meta.pieceLength);
      if (!span) continue;
      let needed = 0;
      for (let k = span.last; k >= span.first; k--) {
        if (!have.get(k)) continue;
        needed = Math.min(file.length, (k + 1) * this.meta.pieceLength - file.offset);
        break;
      }
      if (needed > 0 && stamps[i]!.size < needed) return this.files[i]!.relative;
    }
    return undefined;
  }

  /**
   * The saved bitfield if it belongs to this torrent and no file changed since; else undefined.
   * It only reads (the resume file, the files' sizes and times): no open() needed, so that a
   * paused torrent can show its progress without creating directories or files.
   */
  async loadResume(path: string): Promise<Bitfield | undefined> {
    if (this.layoutError) return undefined;
    let bytes: Buffer;
    try {
      bytes = await fsp.readFile(path);
    } catch {
      return undefined;
    }
    const data = decodeResume(bytes);
    if (!data) return undefined;
    if (data.unflushedBoot !== undefined && data.unflushedBoot !== (await bootId())) return undefined;
    if (!data.infoHash.equals(Buffer.from(this.meta.infoHash, 'hex'))) return undefined;
    if (data.pieceCount !== this.meta.pieceCount || data.files.length !== this.meta.files.length) return undefined;
    const current = await this.stamps();
    for (let i = 0; i < current.length; i++) {
      if (current[i]!.size !== data.files[i]!.size || current[i]!.mtime !== data.files[i]!.mtime) return undefined;
    }
    let have: Bitfield;
    try {
      have = Bitfield.fromWire(data.bitfield, this.meta.pieceCount);
    } catch {
      return undefined;
    }
    // Resume data never vouches for bytes that are not on disk, however it was written. A
    // skipped file's part of a piece is never written (see writePiece): it is not looked for,
    // or every piece straddling a skipped file would throw the whole resume away for a check
    // that cannot verify those pieces (progress went backwards across a restart).
    for (let k = 0; k < this.meta.pieceCount; k++) {
      if (!have.get(k)) continue;
      for (const slice of mapPiece(this.meta, k)) {
        if (!this.wanted(slice.fileIndex)) continue;
        if (current[slice.fileIndex]!.size < slice.fileOffset + slice.length) return undefined;
      }
    }
    return have;
  }

  private ready(): Promise<void> {
    if (this.closed) return Promise.reject(new StorageError('storage is closed', 'ECLOSED'));
    if (!this.opening) {
      const opening = this.doOpen();
      this.opening = opening;
      opening.catch(() => {
        if (this.opening === opening) this.opening = undefined;
      });
    }
    return this.opening;
  }

  private async doOpen(): Promise<void> {
    if (this.layoutError) throw this.layoutError;
    try {
      await fsp.mkdir(this.base, { recursive: true });
      this.realBase = await fsp.realpath(this.base);
    } catch (error) {
      throw storageError(error, 'creating', this.base);
    }
    for (let i = 0; i < this.files.length; i++) {
      if (this.wanted(i)) await this.prepare(i);
    }
    await this.createEmptyFiles();
  }

  private async createEmptyFiles(): Promise<void> {
    for (let i = 0; i < this.files.length; i++) {
      if (this.meta.files[i]!.length !== 0 || !this.wanted(i)) continue;
      const lease = await this.cache.acquire(i, true).catch((error) => {
        throw storageError(error, 'creating', this.files[i]!.relative);
      });
      lease.release();
    }
  }

  private async prepare(index: number): Promise<void> {
    if (this.preparedFiles.has(index)) return;
    const file = this.files[index]!;
    try {
      await ensureParentDirs(this.base, this.realBase, file, this.verifiedDirs);
    } catch (error) {
      throw storageError(error, 'creating', file.relative);
    }
    this.preparedFiles.add(index);
  }

  private async openFile(index: number, writable: boolean): Promise<fsp.FileHandle> {
    const file = this.files[index]!;
    if (writable) await this.prepare(index);
    // Re-checked on every open: a directory may have been swapped for a symlink meanwhile.
    await checkParentInside(this.realBase, file);
    return fsp.open(file.path, writable ? WRITE_FLAGS : READ_FLAGS, 0o666);
  }

  private async writeSlice(slice: FileSlice, data: Buffer): Promise<void> {
    const file = this.files[slice.fileIndex]!;
    let lease;
    try {
      lease = await this.cache.acquire(slice.fileIndex, true);
    } catch (error) {
      throw storageError(error, 'writing', file.relative);
    }
    try {
      let done = 0;
      while (done < slice.length) {
        const { bytesWritten } = await lease.handle.write(
          data,
          slice.rangeOffset + done,
          slice.length - done,
          slice.fileOffset + done,
        );
        done += bytesWritten;
      }
      this.dirty.add(slice.fileIndex);
    } catch (error) {
      throw storageError(error, 'writing', file.relative);
    } finally {
      lease.release();
    }
  }

  private async readRange(offset: number, length: number, out: Buffer = Buffer.allocUnsafe(length)): Promise<Buffer> {
    const slices = mapRange(this.meta.files, offset, length);
    await eachLimited(slices, SLICE_CONCURRENCY, (s) => this.readSlice(s, out));
    return out;
  }

  private async readSlice(slice: FileSlice, out: Buffer): Promise<void> {
    if (this.meta.files[slice.fileIndex]!.padding) {
      out.fill(0, slice.rangeOffset, slice.rangeOffset + slice.length);
      return;
    }
    const file = this.files[slice.fileIndex]!;
    let lease;
    try {
      lease = await this.cache.acquire(slice.fileIndex, false);
    } catch (error) {
      throw storageError(error, 'reading', file.relative);
    }
    try {
      let done = 0;
      while (done < slice.length) {
        const { bytesRead } = await lease.handle.read(
          out,
          slice.rangeOffset + done,
          slice.length - done,
          slice.fileOffset + done,
        );
        if (bytesRead === 0) throw new StorageError(`missing data reading ${file.relative}`, 'ESHORT', file.relative);
        done += bytesRead;
      }
    } catch (error) {
      throw storageError(error, 'reading', file.relative);
    } finally {
      lease.release();
    }
  }

  /** Per file, how many of its bytes a regular file on disk holds (0 if missing or not a file). */
  private availableBytes(): Promise<number[]> {
    return Promise.all(
      this.files.map(async (file, i) => {
        if (this.meta.files[i]!.padding) return this.meta.files[i]!.length;
        const stamp = await stampFile(file.path).catch(() => ({ size: -1 }));
        return Math.max(0, stamp.size);
      }),
    );
  }

  private stamps(): Promise<FileStamp[]> {
    return Promise.all(
      this.files.map((file, i) =>
        this.meta.files[i]!.padding ? { size: -1, mtime: 0n } : stampFile(file.path).catch(() => ({ size: -1, mtime: 0n })),
      ),
    );
  }

  private async flushDirty(): Promise<void> {
    const indices = [...this.dirty];
    this.dirty.clear();
    await Promise.all(
      indices.map(async (i) => {
        try {
          const lease = await this.cache.acquire(i, false);
          try {
            await lease.handle.datasync();
          } finally {
            lease.release();
          }
        } catch {
          // A file that vanished shows up in its stamp; nothing to flush.
        }
      }),
    );
  }

  private wanted(index: number): boolean {
    return !this.meta.files[index]!.padding && this.priorities[index] !== 0;
  }

  private location(index: number): FileLocation {
    if (this.layoutError) throw this.layoutError;
    const file = this.files[index];
    if (!file) throw new RangeError(`file ${index} out of range`);
    return file;
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inflight.add(promise);
    const forget = () => this.inflight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }
}
