import type { Magnet } from '../engine/metainfo/magnet.js';
import type { ResolvedMagnet } from '../engine/session/magnet-resolver.js';
import type { MetadataFetchStats } from '../engine/session/metadata-fetcher.js';
import type { Session } from '../engine/session/session.js';
import { describeError } from '../errors.js';

/** A magnet whose info dictionary is being fetched: listed before the torrent exists. */
export interface PendingMagnet {
  readonly infoHash: string;
  /** The link as given (or made from a bare info-hash): what the session file keeps. */
  readonly uri: string;
  readonly magnet: Magnet;
  readonly name: string;
  readonly directory: string;
  status: 'metadata' | 'paused' | 'error';
  error?: string;
  progress?: MetadataFetchStats;
  /** Set while a fetch runs; aborting it cancels the fetch. */
  abort?: AbortController;
}

export interface MagnetHost {
  readonly session: Session;
  /** Still the pending magnet of its torrent (not removed, not replaced). */
  isCurrent(entry: PendingMagnet): boolean;
  changed(entry: PendingMagnet, kind: 'progress' | 'state'): void;
  log(level: 'info' | 'warn' | 'error', text: string): void;
  /** The metadata arrived: add the real torrent. */
  finish(entry: PendingMagnet, resolved: ResolvedMagnet): Promise<void>;
  timeoutMs(): number;
}

/**
 * Fetching magnets' metadata (x.pe, trackers, DHT through the session) until it arrives and
 * `finish` adds the torrent. Failures leave the magnet in "error"; it can be fetched again.
 */
export class MagnetFetches {
  constructor(private readonly host: MagnetHost) {}

  /** Space on a magnet: stop fetching, or fetch again (also after a failure). */
  toggle(entry: PendingMagnet): void {
    if (entry.status === 'metadata') this.pause(entry);
    else this.run(entry);
  }

  pause(entry: PendingMagnet): void {
    if (entry.status !== 'metadata') return;
    this.cancel(entry);
    entry.status = 'paused';
    this.host.log('info', `paused fetching metadata for ${entry.name}`);
    this.host.changed(entry, 'state');
  }

  /** Stops the fetch without a word (removed, replaced, or the service closing: the entry keeps its status for saving). */
  cancel(entry: PendingMagnet): void {
    const abort = entry.abort;
    // Cleared first: the fetch's rejection then knows it was cancelled, not failed.
    entry.abort = undefined;
    abort?.abort();
  }

  run(entry: PendingMagnet): void {
    if (entry.status === 'metadata' && entry.abort) return;
    const abort = new AbortController();
    entry.abort = abort;
    entry.status = 'metadata';
    entry.error = undefined;
    entry.progress = undefined;
    this.host.changed(entry, 'state');
    this.host.log('info', `fetching metadata for ${entry.name}`);
    this.host.session
      .resolveMagnet(entry.magnet, {
        timeoutMs: this.host.timeoutMs(),
        signal: abort.signal,
        onProgress: (stats) => {
          if (entry.abort !== abort) return;
          entry.progress = stats;
          this.host.changed(entry, 'progress');
        },
      })
      .then(
        async (resolved) => {
          if (entry.abort !== abort || !this.host.isCurrent(entry)) return;
          entry.abort = undefined;
          await this.host.finish(entry, resolved).catch((error: unknown) => this.fail(entry, error));
        },
        (error: unknown) => {
          if (entry.abort !== abort) return;
          entry.abort = undefined;
          this.fail(entry, error);
        },
      );
  }

  private fail(entry: PendingMagnet, error: unknown): void {
    entry.status = 'error';
    entry.error = describeError(error);
    this.host.log('error', `${entry.name}: ${entry.error}`);
    this.host.changed(entry, 'state');
  }
}
