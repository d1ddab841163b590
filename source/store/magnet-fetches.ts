import type { Magnet } from '../engine/metainfo/magnet.js';
import type { ResolvedMagnet } from '../engine/session/magnet-resolver.js';
import type { Session } from '../engine/session/session.js';
import { describeError } from '../errors.js';
import { printable } from '../format/text.js';
import type { PendingMagnet } from './pending-magnet.js';
import type { TorrentStore } from './torrent-store.js';

export interface MagnetAddOptions {
  directory: string;
  ephemeral?: boolean;
  paused?: boolean;
  addedAt?: number;
  priority?: number;
}

/**
 * Magnets from the add prompt (or the saved session) until their metadata arrives: each
 * gets a "metadata" row at once, resolves through the session (x.pe, trackers, DHT), and is
 * handed to `finish` (which adds the real torrent). Failures leave the row in "error".
 */
export class MagnetFetches {
  constructor(
    private readonly session: Session,
    private readonly store: TorrentStore,
    private readonly finish: (entry: PendingMagnet, resolved: ResolvedMagnet) => Promise<void>,
    private readonly timeoutMs: () => number,
  ) {}

  add(magnet: Magnet, uri: string, options: MagnetAddOptions): void {
    const entry: PendingMagnet = {
      infoHash: magnet.infoHash,
      uri,
      magnet,
      name: magnet.name || magnet.infoHash,
      directory: options.directory,
      addedAt: options.addedAt ?? Date.now(),
      priority: options.priority ?? 2,
      ephemeral: options.ephemeral ?? false,
      status: 'paused',
    };
    this.store.putPending(entry);
    if (!options.paused) this.run(entry);
    this.store.refresh();
  }

  has(hash: string): boolean {
    return this.store.pending.has(hash);
  }

  /** Space on a magnet row: stop fetching, or fetch again (also after a failure). */
  toggle(hash: string): void {
    const entry = this.store.pending.get(hash);
    if (!entry) return;
    if (entry.status === 'metadata') {
      this.cancel(entry);
      entry.status = 'paused';
      this.store.log('info', `paused fetching metadata for ${printable(entry.name)}`);
    } else {
      this.run(entry);
    }
    this.store.onChange?.('state');
    this.store.touch(hash);
    this.store.refresh();
  }

  remove(hash: string): void {
    const entry = this.store.pending.get(hash);
    if (!entry) return;
    this.cancel(entry);
    this.store.deletePending(hash);
    this.store.log('info', `removed ${printable(entry.name)} (its metadata had not arrived)`);
    this.store.refresh();
  }

  /** Drops a magnet without a word (its torrent was added another way). */
  discard(hash: string): void {
    const entry = this.store.pending.get(hash);
    if (!entry) return;
    this.cancel(entry);
    this.store.deletePending(hash);
  }

  /** Stops every fetch; the entries stay, so a save keeps them as magnets. */
  close(): void {
    for (const entry of this.store.pending.values()) this.cancel(entry);
  }

  private cancel(entry: PendingMagnet): void {
    const abort = entry.abort;
    // Cleared first: the fetch's rejection then knows it was cancelled, not failed.
    entry.abort = undefined;
    abort?.abort();
  }

  private run(entry: PendingMagnet): void {
    const abort = new AbortController();
    entry.abort = abort;
    entry.status = 'metadata';
    entry.error = undefined;
    entry.progress = undefined;
    this.store.touch(entry.infoHash);
    this.store.log('info', `fetching metadata for ${printable(entry.name)}`);
    this.session
      .resolveMagnet(entry.magnet, {
        timeoutMs: this.timeoutMs(),
        signal: abort.signal,
        onProgress: (stats) => {
          if (entry.abort !== abort) return;
          entry.progress = stats;
          this.store.touch(entry.infoHash);
        },
      })
      .then(
        async (resolved) => {
          if (entry.abort !== abort || this.store.pending.get(entry.infoHash) !== entry) return;
          entry.abort = undefined;
          await this.finish(entry, resolved).catch((error: unknown) => this.fail(entry, error));
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
    this.store.log('error', `${printable(entry.name)}: ${entry.error}`);
    this.store.touch(entry.infoHash);
    this.store.refresh();
  }
}
