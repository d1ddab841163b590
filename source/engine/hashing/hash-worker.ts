/**
 * Worker-thread entry for the SHA-1 pool (see hasher.ts): answers its requests. The file
 * hashing itself is in hash-stream.ts, which the pool's calling thread shares.
 */
import { createHash } from 'node:crypto';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { SharedPiecesWorker, type SharedPiecesJob } from './hash-stream.js';
import { HASH_WORKER_ROLE } from './started-workers.js';

export type WorkerRequest =
  | { id: number; kind: 'sha1'; data: ArrayBuffer; returnData: boolean }
  /**
   * Take part in a shared job until no chunk is left (but those left to the caller); `progress`:
   * say so after each chunk; `exitWhenDone`: the worker then ends its thread (a one-shot pool).
   */
  | { id: number; kind: 'pieces'; job: SharedPiecesJob; progress: boolean; exitWhenDone: boolean };

export type WorkerReply =
  | { id: number; kind: 'sha1'; digest: Uint8Array; data?: ArrayBuffer }
  | { id: number; kind: 'pieces' }
  | { id: number; kind: 'progress' }
  | { id: number; kind: 'error'; error: { message: string; code?: string; path?: string; syscall?: string } };

function serve(port: MessagePort): void {
  port.on('message', (request: WorkerRequest) => {
    try {
      if (request.kind === 'sha1') {
        const data = new Uint8Array(request.data);
        const digest = new Uint8Array(createHash('sha1').update(data).digest());
        const reply: WorkerReply = { id: request.id, kind: 'sha1', digest, data: request.returnData ? request.data : undefined };
        port.postMessage(reply, request.returnData ? [request.data] : []);
      } else {
        const part = new SharedPiecesWorker(request.job);
        try {
          while (part.hashNextChunk(true))
            if (request.progress) port.postMessage({ id: request.id, kind: 'progress' } satisfies WorkerReply);
        } catch (error) {
          part.stopAll();
          throw error;
        }
        port.postMessage({ id: request.id, kind: 'pieces' } satisfies WorkerReply);
      }
    } catch (error) {
      port.postMessage({ id: request.id, kind: 'error', error: serializeError(error) } satisfies WorkerReply);
    }
    // The thread's teardown (~10 ms) then overlaps the caller's last chunks instead of following
    // them. Replies posted before are still delivered: the pool reads them before 'exit'.
    if (request.kind === 'pieces' && request.exitWhenDone) process.exit(0);
  });
}

function serializeError(error: unknown): { message: string; code?: string; path?: string; syscall?: string } {
  const e = error as NodeJS.ErrnoException;
  return { message: e?.message ?? String(error), code: e?.code, path: e?.path, syscall: e?.syscall };
}

if (parentPort && (workerData as { role?: string } | undefined)?.role === HASH_WORKER_ROLE) serve(parentPort);
