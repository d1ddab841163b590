/**
 * A pool of worker threads that compute SHA-1 off the main thread.
 *
 * Three kinds of job:
 * - `sha1(data)`: hash bytes the caller holds (copied once), e.g. a downloaded piece.
 * - `sha1Transfer(data)`: the same without a copy: the memory moves to the worker and back.
 * - `hashRanges(ranges, pieceLength)`: the worker reads the files itself, so file data never
 *   crosses threads (a recheck of some pieces).
 * - `hashFiles(files, pieceLength)`: all of a torrent's pieces, every worker (and optionally
 *   the calling thread) claiming chunks of pieces from shared memory (creating a torrent).
 *
 * Idle workers are unref'd, so an idle pool never keeps the process alive.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  HASH_WORKER_ROLE,
  PieceMap,
  SharedFilesWorker,
  type FileRange,
  type FileSpan,
  type SharedFilesJob,
  type WorkerReply,
  type WorkerRequest,
} from './hash-worker.js';

export type { FileRange, FileSpan };

export interface RangeHashResult {
  /** 20-byte SHA-1 per piece, in order; zeros for unreadable pieces. */
  digests: Buffer;
  /** Indices (within this job) of pieces that touch a missing file or bytes past a file's end. */
  unreadable: number[];
}

export interface HashProgress {
  bytesHashed: number;
  totalBytes: number;
}

export interface HashFilesOptions {
  onProgress?: (progress: HashProgress) => void;
  signal?: AbortSignal;
  useCallerThread?: 'while-workers-start' | 'throughout';
}

export interface HashPoolOptions {
  /** Number of worker threads; defaults to os.availableParallelism(). */
  size?: number;
}

/** A worker is handed a second job before it finishes the first, so it never waits on us. */
const MAX_IN_FLIGHT_PER_WORKER = 2;
/** Upper bound on one hashFiles chunk: small chunks keep all threads busy to the very end. */
const MAX_CHUNK_BYTES = 4 * 1024 * 1024;
const PROGRESS_POLL_MS = 100;

interface Slot {
  worker: Worker;
  inFlight: Set<number>;
  online: boolean;
}

interface Job {
  request: WorkerRequest;
  transfer: ArrayBuffer[];
  resolve: (reply: WorkerReply) => void;
  reject: (error: Error) => void;
  onProgress?: (bytes: number) => void;
  slot?: Slot;
}

const workerUrl = new URL(import.meta.url.endsWith('.ts') ? './hash-worker.ts' : './hash-worker.js', import.meta.url);

/**
 * Built code starts the worker file directly. Under tsx (tests, scripts) the worker is
 * TypeScript, and on Node 20 `execArgv: ['--import', 'tsx']` does not apply tsx's hooks to a
 * worker's entry module, so a one-line bootstrap registers tsx in the worker and imports it.
 */
function startWorker(): Worker {
  const workerData = { role: HASH_WORKER_ROLE };
  if (!workerUrl.pathname.endsWith('.ts')) return new Worker(workerUrl, { workerData });
  const api = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(workerUrl.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}

function errorFrom(e: { message: string; code?: string; path?: string; syscall?: string }): Error {
  return Object.assign(new Error(e.message), { code: e.code, path: e.path, syscall: e.syscall });
}

export class HashPool {
  readonly size: number;
  #slots: Slot[] = [];
  #queue: Job[] = [];
  #jobs = new Map<number, Job>();
  #nextId = 1;
  #closed = false;

  constructor(options: HashPoolOptions = {}) {
    this.size = Math.max(1, Math.floor(options.size ?? availableParallelism()));
  }

  /** Starts all workers now rather than on first use (they take a few ms to boot). */
  warm(): void {
    this.#assertOpen();
    while (this.#slots.length < this.size) this.#spawn();
  }

  /** SHA-1 of `data`; the caller keeps `data` (its bytes are copied once). */
  async sha1(data: Uint8Array): Promise<Buffer> {
    const copy = new Uint8Array(data);
    const reply = await this.#run({ id: 0, kind: 'sha1', data: copy.buffer, returnData: false }, [copy.buffer]);
    return Buffer.from((reply as Extract<WorkerReply, { kind: 'sha1' }>).digest);
  }

  /**
   * SHA-1 of `data` without copying it when `data` alone owns its memory: that memory moves to
   * the worker and back, so `data` is unusable (detached) until the promise settles; use the
   * returned `data`. A view into a shared or larger buffer is copied instead.
   */
  async sha1Transfer(data: Buffer): Promise<{ digest: Buffer; data: Buffer }> {
    const owns = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer;
    const ab = owns ? (data.buffer as ArrayBuffer) : new Uint8Array(data).buffer;
    let reply: WorkerReply;
    try {
      reply = await this.#run({ id: 0, kind: 'sha1', data: ab, returnData: true }, [ab]);
    } catch (error) {
      // Node's Buffer pool memory is marked untransferable; hash a copy then.
      if ((error as Error).name !== 'DataCloneError') throw error;
      const copy = new Uint8Array(data).buffer;
      reply = await this.#run({ id: 0, kind: 'sha1', data: copy, returnData: true }, [copy]);
    }
    const r = reply as Extract<WorkerReply, { kind: 'sha1' }>;
    return { digest: Buffer.from(r.digest), data: Buffer.from(r.data!) };
  }

  /**
   * Hashes the stream formed by the file `ranges` laid end to end, cut into pieces of
   * `pieceLength` (the last may be shorter). The worker reads the files itself.
   * Missing or unreadable files and short reads reject the job unless `tolerateMissing` (then
   * they are reported in `unreadable`, as a recheck wants). `noFollow`: a symlink is unreadable.
   * Ranges marked `zeros` are hashed as zero bytes without reading.
   */
  async hashRanges(
    ranges: FileRange[],
    pieceLength: number,
    options: { tolerateMissing?: boolean; onProgress?: (bytes: number) => void; noFollow?: boolean } = {},
  ): Promise<RangeHashResult> {
    if (!(Number.isInteger(pieceLength) && pieceLength > 0)) throw new RangeError(`bad piece length ${pieceLength}`);
    const request: WorkerRequest = {
      id: 0,
      kind: 'ranges',
      ranges: ranges.map((r) => (r.zeros ? { path: r.path, offset: r.offset, length: r.length, zeros: true } : { path: r.path, offset: r.offset, length: r.length })),
      pieceLength,
      tolerateMissing: options.tolerateMissing ?? false,
      progress: options.onProgress !== undefined,
      noFollow: options.noFollow ?? false,
    };
    const reply = (await this.#run(request, [], options.onProgress)) as Extract<WorkerReply, { kind: 'ranges' }>;
    return { digests: Buffer.from(reply.digests.buffer, reply.digests.byteOffset, reply.digests.byteLength), unreadable: reply.unreadable };
  }

  /**
   * The concatenated SHA-1 of every piece of `files` laid end to end (torrent v1 layout).
   * Every worker takes part, claiming chunks of pieces from shared memory, so none ever waits
   * on this thread for work. Rejects on the first unreadable byte.
   *
   * `useCallerThread`: the calling thread hashes chunks too, a few milliseconds at a time
   * between event-loop turns: 'while-workers-start' (the tens of ms until every worker is up)
   * or 'throughout'. For a one-shot CLI, where that thread has nothing else to do, a pool of
   * one worker fewer than cores plus 'throughout' saves a worker's start-up. An interactive
   * caller should leave it off.
   */
  async hashFiles(
    files: FileSpan[],
    pieceLength: number,
    options: HashFilesOptions = {},
  ): Promise<Buffer> {
    if (!(Number.isInteger(pieceLength) && pieceLength > 0)) throw new RangeError(`bad piece length ${pieceLength}`);
    options.signal?.throwIfAborted();
    const totalBytes = files.reduce((sum, f) => sum + f.length, 0);
    const pieceCount = Math.ceil(totalBytes / pieceLength);
    if (pieceCount === 0) return Buffer.alloc(0);
    const chunkBytes = Math.min(MAX_CHUNK_BYTES, Math.ceil(totalBytes / (this.size * 4)));
    const job: SharedFilesJob = {
      files: files.map((f) => ({ path: f.path, length: f.length })),
      pieceLength,
      piecesPerChunk: Math.max(1, Math.floor(chunkBytes / pieceLength)),
      control: new SharedArrayBuffer(8),
      progress: new SharedArrayBuffer(8),
      digests: new SharedArrayBuffer(pieceCount * 20),
    };
    const control = new Int32Array(job.control);
    const stop = () => Atomics.store(control, 1, 1);
    const hashed = new BigInt64Array(job.progress);
    const report = () => options.onProgress?.({ bytesHashed: Number(Atomics.load(hashed, 0)), totalBytes });

    const ids: number[] = [];
    const parts: Promise<unknown>[] = [];
    for (let i = 0; i < this.size; i++) parts.push(this.#run({ id: 0, kind: 'files', job }, [], undefined, (id) => ids.push(id)));
    const timer = options.onProgress ? setInterval(report, PROGRESS_POLL_MS) : undefined;
    timer?.unref();
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      const signal = options.signal;
      if (!signal) return;
      onAbort = () => {
        stop();
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
    aborted.catch(() => {});
    const all = Promise.all(parts);
    all.catch(() => {}); // observed below; this keeps an early throw from leaving it unhandled
    try {
      if (options.useCallerThread) await this.#help(new SharedFilesWorker(job), report, options.useCallerThread === 'throughout');
      await Promise.race([all, aborted]);
      // Stopped workers report success too: a finished race does not mean every piece is done.
      options.signal?.throwIfAborted();
    } catch (error) {
      stop();
      // Copies still queued behind other work need not run at all.
      this.#cancel(ids, error as Error);
      throw error;
    } finally {
      if (timer) clearInterval(timer);
      if (onAbort) options.signal?.removeEventListener('abort', onAbort);
    }
    report();
    return Buffer.from(job.digests);
  }

  /** Terminates the workers; pending and queued jobs reject. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const error = new Error('hash pool closed');
    for (const job of this.#queue) job.reject(error);
    this.#queue = [];
    for (const job of this.#jobs.values()) job.reject(error);
    this.#jobs.clear();
    const slots = this.#slots;
    this.#slots = [];
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('hash pool closed');
  }

  #run(request: WorkerRequest, transfer: ArrayBuffer[], onProgress?: (bytes: number) => void, onId?: (id: number) => void): Promise<WorkerReply> {
    this.#assertOpen();
    return new Promise((resolve, reject) => {
      request.id = this.#nextId++;
      onId?.(request.id);
      const job: Job = { request, transfer, resolve, reject, onProgress };
      this.#jobs.set(request.id, job);
      this.#queue.push(job);
      this.#pump();
    });
  }

  async #help(part: SharedFilesWorker, report: () => void, throughout: boolean): Promise<void> {
    while (!this.#closed && (throughout || this.#slots.some((s) => !s.online))) {
      if (!part.hashNextChunk()) return;
      report();
      // Let worker start-up and replies through before the next chunk.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  #cancel(ids: number[], reason: Error): void {
    const cancelled = new Set(ids);
    this.#queue = this.#queue.filter((job) => !cancelled.has(job.request.id));
    for (const id of ids) {
      const job = this.#jobs.get(id);
      if (!job) continue;
      // In-flight jobs run to completion in the worker; their replies are then dropped.
      this.#jobs.delete(id);
      job.reject(reason);
    }
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      const slot = this.#pickSlot();
      if (!slot) return;
      const job = this.#queue.shift()!;
      job.slot = slot;
      slot.inFlight.add(job.request.id);
      slot.worker.ref();
      try {
        slot.worker.postMessage(job.request, job.transfer);
      } catch (error) {
        this.#finish(job);
        job.reject(error as Error);
      }
    }
  }

  #pickSlot(): Slot | undefined {
    const idle = this.#slots.find((s) => s.inFlight.size === 0);
    if (idle) return idle;
    if (this.#slots.length < this.size) return this.#spawn();
    let best: Slot | undefined;
    for (const s of this.#slots) if (s.inFlight.size < MAX_IN_FLIGHT_PER_WORKER && (!best || s.inFlight.size < best.inFlight.size)) best = s;
    return best;
  }

  #spawn(): Slot {
    const worker = startWorker();
    const slot: Slot = { worker, inFlight: new Set(), online: false };
    worker.once('online', () => {
      slot.online = true;
    });
    worker.on('message', (reply: WorkerReply) => this.#onReply(reply));
    const fail = (error: Error) => {
      const index = this.#slots.indexOf(slot);
      if (index === -1) return;
      this.#slots.splice(index, 1);
      for (const id of slot.inFlight) {
        const job = this.#jobs.get(id);
        this.#jobs.delete(id);
        job?.reject(error);
      }
      slot.inFlight.clear();
      if (!this.#closed) this.#pump();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`hash worker exited with code ${code}`)));
    // After the listeners: attaching a 'message' listener refs the worker's port again.
    worker.unref();
    this.#slots.push(slot);
    return slot;
  }

  #onReply(reply: WorkerReply): void {
    const job = this.#jobs.get(reply.id);
    if (reply.kind === 'progress') {
      job?.onProgress?.(reply.bytes);
      return;
    }
    if (!job) {
      // A cancelled job finished in its worker: free the slot all the same.
      for (const slot of this.#slots) if (slot.inFlight.delete(reply.id) && slot.inFlight.size === 0) slot.worker.unref();
      this.#pump();
      return;
    }
    this.#finish(job);
    if (reply.kind === 'error') {
      job.reject(errorFrom(reply.error));
    } else {
      job.resolve(reply);
    }
    this.#pump();
  }

  #finish(job: Job): void {
    this.#jobs.delete(job.request.id);
    const slot = job.slot;
    if (!slot) return;
    slot.inFlight.delete(job.request.id);
    if (slot.inFlight.size === 0) slot.worker.unref();
  }
}

/**
 * The file ranges holding pieces [firstPiece, firstPiece + count) of `files` laid end to end.
 * Empty files contribute nothing. For many lookups over the same files, use a PieceMap.
 */
export function rangesForPieces(files: FileSpan[], pieceLength: number, firstPiece: number, count: number): FileRange[] {
  return new PieceMap(files).ranges(pieceLength, firstPiece, count);
}

export { PieceMap };

let shared: HashPool | undefined;

/** The process-wide pool, created on first use. */
export function defaultHashPool(): HashPool {
  shared ??= new HashPool();
  return shared;
}

export async function closeDefaultHashPool(): Promise<void> {
  const pool = shared;
  shared = undefined;
  await pool?.close();
}
