/**
 * Piece-level disk I/O for one torrent: positional writes of whole pieces, reads for
 * uploading, hash verification, full recheck and resume data. The class keeps the order of
 * things (open before use, nothing after close, close waits for what is under way) and hands
 * the work to FileIO (file-io.ts), Verifier (verifier.ts) and Resumer (resumer.ts).
 */
import { createHash } from 'node:crypto';
import { Bitfield } from '../codec/bitfield.js';
import type { Metainfo } from '../metainfo/metainfo.js';
import { pieceSize } from '../metainfo/piece-layout.js';
import type { DirectWrites } from './direct-writes.js';
import { StorageError } from './errors.js';
import { FileIO } from './file-io.js';
import { Resumer } from './resumer.js';
import { Verifier, type CheckHashing } from './verifier.js';

export { StorageError } from './errors.js';
export { checksOnPool, type CheckHashing } from './verifier.js';

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
  /** When writes go from this thread (see DirectWrites); default: the process-wide one. */
  directWrites?: DirectWrites;
}

function sha1(data: Buffer): Promise<Buffer> {
  return Promise.resolve(createHash('sha1').update(data).digest());
}

export class Storage {
  readonly root: string;
  private readonly files: FileIO;
  private readonly verifier: Verifier;
  private readonly resumer: Resumer;
  private readonly inflight = new Set<Promise<unknown>>();
  private opening: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly meta: Metainfo,
    options: StorageOptions,
  ) {
    this.files = new FileIO(meta, options.directory, options.maxOpenFiles ?? 64, options.directWrites);
    this.root = this.files.root;
    if (options.filePriorities) this.setFilePriorities(options.filePriorities);
    this.verifier = new Verifier(meta, this.files, {
      hash: options.hash ?? sha1,
      parallelism: Math.max(1, options.recheckParallelism ?? 4),
      check: options.check ?? {},
    });
    this.resumer = new Resumer(meta, this.files);
  }

  /** Absolute path of file `index`. */
  filePath(index: number): string {
    return this.files.location(index).path;
  }

  /** Path of file `index` relative to the download directory, '/'-separated. */
  relativePath(index: number): string {
    return this.files.location(index).relative;
  }

  pieceSize(index: number): number {
    return pieceSize(this.meta, index);
  }

  setFilePriorities(p: Uint8Array): void {
    if (p.length !== this.meta.files.length) {
      throw new RangeError(`expected ${this.meta.files.length} file priorities, got ${p.length}`);
    }
    this.files.setPriorities(p);
    // Newly wanted empty files are never written to, so they are created here.
    if (this.opening && !this.closed) this.track(this.files.createEmptyFiles().catch(() => {}));
  }

  /** Validates paths and creates the directories of wanted files; data files appear on first write. */
  open(): Promise<void> {
    this.closed = false;
    return this.ready();
  }

  /** Descriptors open now. */
  get openFiles(): number {
    return this.files.openFiles;
  }

  /**
   * Lets go of the open descriptors while staying open: the next read or write opens its file
   * again. A torrent idle for a minute keeps none (10,000 seeding torrents held 10,000, past a
   * usual limit of 1,024 per process).
   */
  releaseFiles(): Promise<void> {
    return this.files.close();
  }

  async close(): Promise<void> {
    this.closed = true;
    // The directories may be gone by the next open (deleted under us): check them again then.
    this.files.forgetCheckedDirs();
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
    await this.files.close();
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
    await this.track(this.files.write(index * this.meta.pieceLength + begin, data));
  }

  /** Bytes for uploading (into `into`, when given, of exactly `length` bytes); throws StorageError when any of them is not on disk. */
  async read(index: number, begin: number, length: number, into?: Buffer): Promise<Buffer> {
    await this.ready();
    const size = this.pieceSize(index);
    if (!Number.isInteger(begin) || !Number.isInteger(length) || begin < 0 || length < 0 || begin + length > size) {
      throw new StorageError(`bad read ${begin}+${length} of piece ${index} (${size} bytes)`, 'EINVAL');
    }
    if (into && into.length !== length) throw new StorageError(`read of ${length} bytes into ${into.length}`, 'EINVAL');
    return this.track(this.files.read(index * this.meta.pieceLength + begin, length, into));
  }

  /** Whether `digest` is piece `index`'s SHA-1 from the metainfo. */
  digestMatches(index: number, digest: Buffer): boolean {
    return this.verifier.digestMatches(index, digest);
  }

  verifyPiece(index: number, data: Buffer): Promise<boolean> {
    return this.verifier.verifyPiece(index, data);
  }

  /** Reads and hashes every piece; pieces whose data is missing or short are simply absent. */
  async recheck(onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<Bitfield> {
    await this.ready();
    signal?.throwIfAborted();
    return this.track(this.verifier.recheck(onProgress, signal));
  }

  /** Data written since the last flush (saveResume with flush) is not on disk for sure yet. */
  get hasUnflushedWrites(): boolean {
    return this.files.hasUnflushedWrites;
  }

  /** See Resumer.save: with `flush` (the default), written data is flushed to disk first; `whileWriting`: more pieces may be written after. */
  async saveResume(
    have: Bitfield,
    path: string,
    { flush = true, whileWriting = false }: { flush?: boolean; whileWriting?: boolean } = {},
  ): Promise<void> {
    await this.ready();
    return this.resumer.save(have, path, flush, whileWriting);
  }

  /** The first wanted file (relative path) that lacks bytes of a piece in `have` (see Resumer.missingData). */
  async missingData(have: Bitfield): Promise<string | undefined> {
    await this.ready();
    return this.resumer.missingData(have);
  }

  /**
   * The saved bitfield if it belongs to this torrent and no file changed since; else undefined.
   * It only reads (the resume file, the files' sizes and times): no open() needed, so that a
   * paused torrent can show its progress without creating directories or files.
   */
  async loadResume(path: string): Promise<Bitfield | undefined> {
    if (!this.files.laidOut) return undefined;
    return this.resumer.load(path);
  }

  /**
   * Every wanted file is on disk at its full length, from the sizes alone (no open() needed): a
   * check could find every wanted piece. False when one is missing or short.
   */
  async wantedFilesOnDisk(): Promise<boolean> {
    if (!this.files.laidOut) return false;
    const every = new Bitfield(this.meta.pieceCount);
    every.setAll();
    return (await this.resumer.missingData(every)) === undefined;
  }

  private ready(): Promise<void> {
    if (this.closed) return Promise.reject(new StorageError('storage is closed', 'ECLOSED'));
    if (!this.opening) {
      const opening = this.files.open();
      this.opening = opening;
      opening.catch(() => {
        if (this.opening === opening) this.opening = undefined;
      });
    }
    return this.opening;
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.inflight.add(promise);
    const forget = () => this.inflight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }
}
