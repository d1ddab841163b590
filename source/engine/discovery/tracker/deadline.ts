import { TrackerError } from './errors.js';
import type { TrackerRequestOptions } from './types.js';

/**
 * One AbortSignal for a request that fires on the caller's signal or on the overall
 * deadline, plus the error to reject with: the caller's abort reason, or a TrackerError
 * naming the timeout.
 */
export interface Deadline {
  signal: AbortSignal;
  error(): unknown;
  dispose(): void;
}

export function startDeadline(url: string, opts: TrackerRequestOptions): Deadline {
  const controller = new AbortController();
  let timedOut = false;
  const timer =
    opts.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, opts.timeoutMs);
  const onAbort = () => controller.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) controller.abort();
  return {
    signal: controller.signal,
    error() {
      if (timedOut) return new TrackerError(url, `no answer within ${formatSeconds(opts.timeoutMs!)} (tracker down?)`);
      return opts.signal?.reason ?? new TrackerError(url, 'aborted');
    },
    dispose() {
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    },
  };
}

export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}
