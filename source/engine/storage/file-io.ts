/**
 * Positional I/O on one torrent's files: ranges of the torrent's concatenated bytes read from
 * and written to the files they fall in, through a cache of open descriptors. Paths are checked
 * to stay inside the download directory; directories are made as files are first written.
 */
import { constants, writeSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Metainfo } from '../metainfo/metainfo.js';
import { DirectWrites } from './direct-writes.js';
import { StorageError, storageError } from './errors.js';
import { FileCache } from './file-cache.js';
import { mapRange, type FileSlice } from './file-map.js';
import { checkParentInside, ensureParentDirs, layout, type FileLocation } from './paths.js';
import { stampFile, type FileStamp } from './resume-file.js';

const WRITE_FLAGS = constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW;
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW;

/**
 * A piece spanning hundreds of small files must not hold hundreds of descriptors at once
 * (handles in use outlive LRU eviction), so its slices go a few at a time.
 */
const SLICE_CONCURRENCY = 8;

/** One for the process: the kernel throttles writers per disk, not per torrent. */
const processDirectWrites = new DirectWrites();

async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  if (items.length === 1) return fn(items[0]!);
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export class FileIO {
  readonly root: string;
  private readonly base: string;
  private readonly files: FileLocation[] = [];
  private readonly layoutError: unknown;
  private realBase = '';
  private priorities: Uint8Array;
  private readonly cache: FileCache;
  private readonly verifiedDirs = new Set<string>();
  private readonly preparedFiles = new Set<number>();
  /** Files written since the last flushWrites: their data is flushed before the resume is. */
  private readonly unflushedFiles = new Set<number>();

  constructor(
    private readonly meta: Metainfo,
    directory: string,
    maxOpenFiles: number,
    private readonly directWrites = processDirectWrites,
  ) {
    this.base = resolve(directory);
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
    this.cache = new FileCache((index, writable) => this.openFile(index, writable), maxOpenFiles);
  }

  /** False when the metainfo's paths could not be laid out (open() reports why). */
  get laidOut(): boolean {
    return !this.layoutError;
  }

  get count(): number {
    return this.files.length;
  }

  /** Absolute paths of the files, in torrent order. */
  get paths(): string[] {
    return this.files.map((f) => f.path);
  }

  location(index: number): FileLocation {
    if (this.layoutError) throw this.layoutError;
    const file = this.files[index];
    if (!file) throw new RangeError(`file ${index} out of range`);
    return file;
  }

  /** Per file; 0 = skip: the file is not created and nothing is written to it. */
  setPriorities(priorities: Uint8Array): void {
    this.priorities = Uint8Array.from(priorities);
  }

  wanted(index: number): boolean {
    return !this.meta.files[index]!.padding && this.priorities[index] !== 0;
  }

  /** Validates paths and creates the directories of wanted files; data files appear on first write. */
  async open(): Promise<void> {
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

  /** Descriptors open now (in the cache). */
  get openFiles(): number {
    return this.cache.size;
  }

  /** Closes every descriptor; the directories are checked again on the next open (they may be gone by then). */
  async close(): Promise<void> {
    await this.cache.closeAll();
  }

  /** Forgets which directories were checked: they may be deleted under us once closed. */
  forgetCheckedDirs(): void {
    this.verifiedDirs.clear();
    this.preparedFiles.clear();
  }

  /** Wanted empty files are never written to, so they are created here. */
  async createEmptyFiles(): Promise<void> {
    for (let i = 0; i < this.files.length; i++) {
      if (this.meta.files[i]!.length !== 0 || !this.wanted(i)) continue;
      const lease = await this.cache.acquire(i, true).catch((error) => {
        throw storageError(error, 'creating', this.files[i]!.relative);
      });
      lease.release();
    }
  }

  /** Writes `data` at `offset` of the torrent's bytes; parts in skipped files are dropped. */
  async write(offset: number, data: Buffer): Promise<void> {
    const slices = mapRange(this.meta.files, offset, data.length).filter((s) => this.wanted(s.fileIndex));
    await eachLimited(slices, SLICE_CONCURRENCY, (s) => this.transfer(s, data, true));
  }

  /** `length` bytes from `offset` (into `out`, when given); throws StorageError when any of them is not on disk. */
  async read(offset: number, length: number, out: Buffer = Buffer.allocUnsafe(length)): Promise<Buffer> {
    const slices = mapRange(this.meta.files, offset, length);
    await eachLimited(slices, SLICE_CONCURRENCY, (s) => this.transfer(s, out, false));
    return out;
  }

  /** Whether file `index`'s directory is inside the download directory (no planted symlink leads out). */
  isInside(index: number): Promise<boolean> {
    return checkParentInside(this.realBase, this.files[index]!).then(
      () => true,
      () => false,
    );
  }

  /** Per file, how many of its bytes a regular file on disk holds (0 if missing or not a file). */
  availableBytes(): Promise<number[]> {
    return Promise.all(
      this.files.map(async (file, i) => {
        if (this.meta.files[i]!.padding) return this.meta.files[i]!.length;
        const stamp = await stampFile(file.path).catch(() => ({ size: -1 }));
        return Math.max(0, stamp.size);
      }),
    );
  }

  stamps(): Promise<FileStamp[]> {
    return Promise.all(
      this.files.map((file, i) =>
        this.meta.files[i]!.padding ? { size: -1, mtime: 0n } : stampFile(file.path).catch(() => ({ size: -1, mtime: 0n })),
      ),
    );
  }

  /** Data written since the last flush is not on disk for sure yet. */
  get hasUnflushedWrites(): boolean {
    return this.unflushedFiles.size > 0;
  }

  async flushWrites(): Promise<void> {
    const indices = [...this.unflushedFiles];
    this.unflushedFiles.clear();
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

  /** Moves one slice between `buffer` and its file; a padding file reads as zeros. */
  private async transfer(slice: FileSlice, buffer: Buffer, writing: boolean): Promise<void> {
    if (!writing && this.meta.files[slice.fileIndex]!.padding) {
      buffer.fill(0, slice.rangeOffset, slice.rangeOffset + slice.length);
      return;
    }
    const file = this.files[slice.fileIndex]!;
    const doing = writing ? 'writing' : 'reading';
    let lease;
    try {
      lease = await this.cache.acquire(slice.fileIndex, writing);
    } catch (error) {
      throw storageError(error, doing, file.relative);
    }
    try {
      if (writing && this.directWrites.allowed(Date.now())) {
        this.writeDirectly(lease.handle.fd, slice, buffer);
        this.unflushedFiles.add(slice.fileIndex);
        return;
      }
      let done = 0;
      while (done < slice.length) {
        const at = slice.rangeOffset + done;
        const position = slice.fileOffset + done;
        if (writing) {
          done += (await lease.handle.write(buffer, at, slice.length - done, position)).bytesWritten;
        } else {
          const { bytesRead } = await lease.handle.read(buffer, at, slice.length - done, position);
          if (bytesRead === 0) throw new StorageError(`missing data reading ${file.relative}`, 'ESHORT', file.relative);
          done += bytesRead;
        }
      }
      if (writing) this.unflushedFiles.add(slice.fileIndex);
    } catch (error) {
      throw storageError(error, doing, file.relative);
    } finally {
      lease.release();
    }
  }

  /** A slice written from this thread in small system calls (see DirectWrites). */
  private writeDirectly(fd: number, slice: FileSlice, buffer: Buffer): void {
    const chunk = this.directWrites.chunkBytes;
    this.directWrites.timed(() => {
      let done = 0;
      while (done < slice.length) {
        const length = Math.min(chunk, slice.length - done);
        done += writeSync(fd, buffer, slice.rangeOffset + done, length, slice.fileOffset + done);
      }
    });
  }
}
