/**
 * A pool of worker threads that compute SHA-1 off the main thread.
 *
 * Two kinds of job:
 * - `sha1(data)` / `sha1Transfer(data)`: hash bytes the caller holds, e.g. a downloaded piece.
 * - `hashPieces(files, pieceLength)`: pieces of a torrent's files on disk (creating a torrent,
 *   a recheck). Every worker, and optionally the calling thread, claims chunks of pieces from
 *   shared memory and reads the files itself, so file data never crosses threads.
 *
 * Idle workers are unref'd, so an idle pool never keeps the process alive.
 *
 * Over 400 lines, one class: job queue, worker lifecycle and shared piece jobs share the pool's
 * state; the worker side is in hash-worker.ts and hash-stream.ts.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { WorkerReply, WorkerRequest } from './hash-worker.js';
import { newHashWorker, type StartedWorker } from './started-workers.js';
import { SharedPiecesWorker, type FileRange, type FileSpan, type SharedPiecesJob } from './hash-stream.js';

export type { FileRange, FileSpan };

export interface HashProgress {
  bytesHashed: number;
  totalBytes: number;
  piecesHashed: number;
  /** Pieces this job hashes (all of them, or those of the runs asked for). */
  pieceCount: number;
}

export interface HashFilesOptions {
  onProgress?: (progress: HashProgress) => void;
  signal?: AbortSignal;
  /**
   * The calling thread hashes chunks too, one at a time between event-loop turns:
   * 'while-workers-start' (the tens of ms until every worker is up) or 'throughout'.
   */
  useCallerThread?: 'while-workers-start' | 'throughout';
}

export interface HashPiecesOptions extends HashFilesOptions {
  /** [first piece, count] runs to hash; default: every piece. */
  runs?: Iterable<readonly [first: number, count: number]>;
  /** Missing, short or unreadable data marks pieces unreadable instead of rejecting. */
  tolerateMissing?: boolean;
  /** A symlink counts as unreadable. */
  noFollow?: boolean;
}

export interface PiecesHashResult {
  /** 20 bytes per piece of the torrent; zeros for pieces not hashed or unreadable. */
  digests: Buffer;
  /** 1 byte per piece of the torrent: 1 where its data could not be read. */
  unreadable: Uint8Array;
}

export interface HashPoolOptions {
  /** Number of worker threads; defaults to os.availableParallelism(). */
  size?: number;
  /** Workers already booting on hash-worker.js (started-workers.ts), used before any is started. */
  started?: StartedWorker[];
  /**
   * For a one-shot command: a worker ends its thread once its part of a hashPieces job is done
   * (the pool starts others if asked again), and with `useCallerThread: 'throughout'` it leaves
   * the job's last few MiB to the calling thread, so that its teardown overlaps them rather than
   * following them before the process can exit.
   */
  oneShot?: boolean;
}

/** A worker is handed a second job before it finishes the first, so it never waits on us. */
const MAX_IN_FLIGHT_PER_WORKER = 2;
/** Upper bound on one chunk of hashPieces: small chunks keep all threads busy to the very end. */
const MAX_CHUNK_BYTES = 4 * 1024 * 1024;
/**
 * What a one-shot pool's workers leave to the calling thread: a worker's teardown takes ~10 ms,
 * about 16 MiB of hashing; the caller hashes half of that alone while the other core tears down.
 */
const LEFT_TO_CALLER_BYTES = 8 * 1024 * 1024;

interface Slot {
  worker: Worker;
  inFlight: Set<number>;
  online: boolean;
  /** It was given a job after which it exits (a one-shot pool): it is given no other. */
  retiring?: boolean;
}

interface Job {
  request: WorkerRequest;
  transfer: ArrayBuffer[];
  resolve: (reply: WorkerReply) => void;
  reject: (error: Error) => void;
  onProgress?: () => void;
  slot?: Slot;
}

const workerUrl = new URL(import.meta.url.endsWith('.ts') ? './hash-worker.ts' : './hash-worker.js', import.meta.url);

/** A worker on hash-worker.js (hash-worker.ts under tsx); exported for tests that hand a pool its workers (`started`). */
export function startWorker(): Worker {
  return newHashWorker(workerUrl);
}

function errorFrom(e: { message: string; code?: string; path?: string; syscall?: string }): Error {
  return Object.assign(new Error(e.message), { code: e.code, path: e.path, syscall: e.syscall });
}

/** `runs` cut into chunks of at most `perChunk` pieces, as [first, count] pairs. */
function chunksOf(runs: Iterable<readonly [number, number]>, perChunk: number): Int32Array {
  const pairs: number[] = [];
  for (const [first, count] of runs) {
    for (let at = first; at < first + count; at += perChunk) pairs.push(at, Math.min(perChunk, first + count - at));
  }
  const chunks = new Int32Array(new SharedArrayBuffer(pairs.length * 4));
  chunks.set(pairs);
  return chunks;
}

export class HashPool {
  readonly size: number;
  #slots: Slot[] = [];
  #queue: Job[] = [];
  #jobs = new Map<number, Job>();
  #nextId = 1;
  #closed = false;
  #started: StartedWorker[];
  readonly #oneShot: boolean;

  constructor(options: HashPoolOptions = {}) {
    this.size = Math.max(1, Math.floor(options.size ?? availableParallelism()));
    this.#started = options.started ?? [];
    this.#oneShot = options.oneShot ?? false;
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
   * The concatenated SHA-1 of every piece of `files` laid end to end (torrent v1 layout).
   * Rejects on the first unreadable byte. For a one-shot CLI, where the calling thread has
   * nothing else to do, a pool of one worker fewer than cores plus 'throughout' saves a
   * worker's start-up. An interactive caller should leave useCallerThread off.
   */
  async hashFiles(files: FileSpan[], pieceLength: number, options: HashFilesOptions = {}): Promise<Buffer> {
    return (await this.hashPieces(files, pieceLength, options)).digests;
  }

  /**
   * SHA-1 of pieces of `files` laid end to end, cut into pieces of `pieceLength` (the last may
   * be shorter): every piece, or those of `runs`. Every worker takes part, and the calling
   * thread as `useCallerThread` says; each claims chunks of up to 4 MiB in turn, so none ever
   * waits for work. Ranges marked `zeros` are hashed as zero bytes without reading.
   */
  async hashPieces(files: FileSpan[], pieceLength: number, options: HashPiecesOptions = {}): Promise<PiecesHashResult> {
    if (!(Number.isInteger(pieceLength) && pieceLength > 0)) throw new RangeError(`bad piece length ${pieceLength}`);
    options.signal?.throwIfAborted();
    const length = files.reduce((sum, f) => sum + f.length, 0);
    const torrentPieces = Math.ceil(length / pieceLength);
    const digests = new SharedArrayBuffer(torrentPieces * 20);
    const unreadable = new SharedArrayBuffer(torrentPieces);
    const result = () => ({ digests: Buffer.from(digests), unreadable: new Uint8Array(unreadable) });
    const runs = [...(options.runs ?? [[0, torrentPieces] as const])].filter(([, count]) => count > 0);
    let pieceCount = 0;
    let totalBytes = 0;
    for (const [first, count] of runs) {
      if (!(first >= 0 && first + count <= torrentPieces))
        throw new RangeError(`pieces ${first}..${first + count - 1} are not all in 0..${torrentPieces - 1}`);
      pieceCount += count;
      totalBytes += Math.min(length, (first + count) * pieceLength) - first * pieceLength;
    }
    if (pieceCount === 0) return result();

    const threads = this.size + (options.useCallerThread ? 1 : 0);
    const chunkBytes = Math.min(MAX_CHUNK_BYTES, Math.ceil(totalBytes / (threads * 4)));
    const piecesPerChunk = Math.max(1, Math.floor(chunkBytes / pieceLength));
    const chunks = chunksOf(runs, piecesPerChunk);
    const chunkCount = chunks.length / 2;
    const leftToCaller =
      this.#oneShot && options.useCallerThread === 'throughout'
        ? Math.min(Math.floor(LEFT_TO_CALLER_BYTES / (piecesPerChunk * pieceLength)), Math.floor(chunkCount / 8))
        : 0;
    const job: SharedPiecesJob = {
      files: files.map((f) => (f.zeros ? { path: f.path, length: f.length, zeros: true } : { path: f.path, length: f.length })),
      pieceLength,
      chunks: chunks.buffer as SharedArrayBuffer,
      tolerateMissing: options.tolerateMissing ?? false,
      noFollow: options.noFollow ?? false,
      leftToCaller,
      control: new SharedArrayBuffer(8),
      progress: new SharedArrayBuffer(16),
      digests,
      unreadable,
    };
    const control = new Int32Array(job.control);
    const stop = () => Atomics.store(control, 1, 1);
    const hashed = new BigInt64Array(job.progress);
    const onProgress = options.onProgress;
    const report =
      onProgress &&
      (() =>
        onProgress({
          bytesHashed: Number(Atomics.load(hashed, 0)),
          totalBytes,
          piecesHashed: Number(Atomics.load(hashed, 1)),
          pieceCount,
        }));

    // Done once every piece is: a worker still booting need not be waited for.
    let markDone!: () => void;
    const finished = new Promise<void>((resolve) => (markDone = resolve));
    const progressed = () => {
      report?.();
      if (Atomics.load(hashed, 1) === BigInt(pieceCount)) markDone();
    };

    const ids: number[] = [];
    const parts: Promise<unknown>[] = [];
    for (let i = 0; i < this.size; i++) {
      const request: WorkerRequest = { id: 0, kind: 'pieces', job, progress: true, exitWhenDone: this.#oneShot };
      parts.push(this.#run(request, [], progressed, (id) => ids.push(id)));
    }
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
      if (options.useCallerThread) await this.#help(new SharedPiecesWorker(job), progressed, options.useCallerThread === 'throughout');
      await Promise.race([all, aborted, finished]);
      // Stopped workers report success too: a finished race does not mean every piece is done.
      options.signal?.throwIfAborted();
      this.#cancel(ids, new Error('every piece is hashed'));
    } catch (error) {
      stop();
      // Copies still queued behind other work need not run at all.
      this.#cancel(ids, error as Error);
      throw error;
    } finally {
      if (onAbort) options.signal?.removeEventListener('abort', onAbort);
    }
    report?.();
    return result();
  }

  /**
   * Stops the workers that have nothing to do, side by side; the pool stays open and starts
   * workers again when next asked. For a process done hashing for now, rather than keeping
   * idle threads or stopping them one after the other at exit (~9 ms each).
   */
  async stopIdleWorkers(): Promise<void> {
    const idle = [...this.#slots.filter((s) => s.inFlight.size === 0).map((s) => s.worker), ...this.#started.map((s) => s.worker)];
    this.#slots = this.#slots.filter((s) => s.inFlight.size > 0);
    this.#started = [];
    await Promise.all(idle.map((worker) => worker.terminate()));
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
    const workers = [...this.#slots.map((s) => s.worker), ...this.#started.map((s) => s.worker)];
    this.#slots = [];
    this.#started = [];
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('hash pool closed');
  }

  #run(request: WorkerRequest, transfer: ArrayBuffer[], onProgress?: () => void, onId?: (id: number) => void): Promise<WorkerReply> {
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

  async #help(part: SharedPiecesWorker, progressed: () => void, throughout: boolean): Promise<void> {
    while (!this.#closed && (throughout || this.#slots.some((s) => !s.online))) {
      if (!part.hashNextChunk()) return;
      progressed();
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
      if (job.request.kind === 'pieces' && job.request.exitWhenDone) slot.retiring = true;
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
    const idle = this.#slots.find((s) => s.inFlight.size === 0 && !s.retiring);
    if (idle) return idle;
    // A retiring worker counts until it has exited: its slot is then taken by a new one.
    if (this.#slots.length < this.size) return this.#spawn();
    let best: Slot | undefined;
    for (const s of this.#slots)
      if (!s.retiring && s.inFlight.size < MAX_IN_FLIGHT_PER_WORKER && (!best || s.inFlight.size < best.inFlight.size)) best = s;
    return best;
  }

  #spawn(): Slot {
    const started = this.#adopt();
    const worker = started?.worker ?? startWorker();
    const slot: Slot = { worker, inFlight: new Set(), online: started?.online ?? false };
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

  /** A worker started before this pool, when one is left that has not failed. */
  #adopt(): StartedWorker | undefined {
    for (let started = this.#started.shift(); started; started = this.#started.shift()) {
      if (started.failure === undefined) return started;
      void started.worker.terminate();
    }
    return undefined;
  }

  #onReply(reply: WorkerReply): void {
    const job = this.#jobs.get(reply.id);
    if (reply.kind === 'progress') {
      job?.onProgress?.();
      return;
    }
    if (!job) {
      // A cancelled job finished in its worker: free the slot all the same.
      for (const slot of this.#slots) if (slot.inFlight.delete(reply.id)) this.#unrefIfIdle(slot);
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
    this.#unrefIfIdle(slot);
  }

  /**
   * An idle worker does not keep the process alive; a retiring one does until it has exited, as
   * a job may be queued for the worker that takes its place (exit would wait for it anyway).
   */
  #unrefIfIdle(slot: Slot): void {
    if (slot.inFlight.size === 0 && !slot.retiring) slot.worker.unref();
  }
}

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
