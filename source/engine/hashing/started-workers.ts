/**
 * Hash workers started before the pool that uses them exists. A Node 20 worker takes ~50 ms to
 * boot; the built CLI's entry starts one for `create` before it loads the command's bundle, so
 * that the boot overlaps with that loading (source/cli.tsx). The command then hands the workers
 * to its HashPool. The entry and the command are separate bundles, each with its own copy of
 * this module: the workers wait in one global slot between them. Kept free of other imports so
 * that the entry stays small. node:worker_threads is loaded only when a worker is started: it
 * brings Node's stream modules, ~5-10 ms that `btui metainfo` and the other commands need not pay.
 */
import type { Worker } from 'node:worker_threads';

/** Marks a worker started for HashPool, so importing hash-worker.js elsewhere has no effect. */
export const HASH_WORKER_ROLE = 'btui-hash-worker';

export interface StartedWorker {
  worker: Worker;
  online: boolean;
  /** Set if it failed before a pool took it: the pool then starts another. */
  failure?: Error;
}

const slot = globalThis as { btuiStartedHashWorkers?: StartedWorker[] };

/**
 * A hash worker on `file`. Built code starts the worker file directly. Under tsx (tests, scripts)
 * the file is hash-worker.ts, and on Node 20 `execArgv: ['--import', 'tsx']` does not apply tsx's
 * hooks to a worker's entry module, so a one-line bootstrap registers tsx in the worker and
 * imports it.
 */
export function newHashWorker(file: URL): Worker {
  const { Worker } = process.getBuiltinModule('node:worker_threads');
  const workerData = { role: HASH_WORKER_ROLE };
  if (!file.pathname.endsWith('.ts')) return new Worker(file, { workerData });
  const api = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(file.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/** Starts a worker on `file` (distribution/hash-worker.js) and keeps it for takeStartedWorkers. */
export function startHashWorker(file: URL): void {
  const started: StartedWorker = { worker: newHashWorker(file), online: false };
  started.worker.once('online', () => (started.online = true));
  started.worker.once('error', (error) => (started.failure = error));
  started.worker.once('exit', (code) => (started.failure ??= new Error(`hash worker exited with code ${code}`)));
  // Idle, it never keeps the process alive (a command that fails early need not stop it).
  started.worker.unref();
  (slot.btuiStartedHashWorkers ??= []).push(started);
}

/** The workers startHashWorker started, now the caller's. */
export function takeStartedWorkers(): StartedWorker[] {
  const started = slot.btuiStartedHashWorkers ?? [];
  slot.btuiStartedHashWorkers = undefined;
  return started;
}
