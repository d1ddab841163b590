/**
 * One BEP 19 web seed as a download source: it takes blocks from the torrent's picker like a
 * peer that has every piece, fetches contiguous runs of them with HTTP range requests (a few
 * at a time, over keep-alive connections), and hands the blocks back as they arrive.
 */
import http from 'node:http';
import https from 'node:https';
import type { Metainfo } from '../../metainfo/metainfo.js';
import type { BlockRequest } from '../../torrent/picker.js';
import { RateMeter } from '../../wire/rate-meter.js';
import { describeError } from '../../../errors.js';
import { fetchRange, HttpRangeError, type Agents } from './http-range.js';
import { planRange } from './url.js';

/** What a web seed needs of its torrent. */
export interface WebSeedHost {
  /** Blocks for this source to fetch; none when there is nothing to do now. */
  pick(id: string, count: number): BlockRequest[];
  /** A block arrived; returns how long to pause (rate limits). */
  deliver(id: string, block: BlockRequest, data: Buffer): number;
  /** A block this source will not deliver after all. */
  release(id: string, block: BlockRequest): void;
  warn(message: string): void;
  /** The source gave up for good. */
  disabled(id: string): void;
}

export interface WebSeedOptions {
  /** Requests in flight at once. */
  parallel?: number;
  idleTimeoutMs?: number;
  /** Consecutive failed requests before the web seed is given up. */
  maxFailures?: number;
  /** First retry delay; doubles with each consecutive failure, up to a minute. */
  retryMs?: number;
  /** A bound session's address; throws while the network is down (then nothing is fetched). */
  localAddress?: () => string | undefined;
}

export interface WebSeedStats {
  downloadRate: number;
  downloaded: number;
  requests: number;
  disabled?: string;
}

/** Bytes one pick asks for at least (several pieces when pieces are small). */
const RUN_BYTES = 1024 * 1024;

export class WebSeed {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  disabledReason?: string;
  private readonly agents: Agents;
  private readonly parallel: number;
  private readonly idleTimeoutMs: number;
  private readonly maxFailures: number;
  private readonly retryMs: number;
  private readonly meter = new RateMeter();
  private readonly controllers = new Set<AbortController>();
  private active = 0;
  private inFlightBlocks = 0;
  private failures = 0;
  private retryAt = 0;
  private hashFailures = 0;
  private retryTimer?: NodeJS.Timeout;
  private readonly localAddress: () => string | undefined;

  constructor(
    readonly url: string,
    private readonly meta: Pick<Metainfo, 'name' | 'files' | 'pieceLength'>,
    private readonly torrent: WebSeedHost,
    options: WebSeedOptions = {},
  ) {
    this.id = `web:${url}`;
    const parsed = new URL(url);
    this.host = parsed.hostname;
    this.port = Number(parsed.port) || (parsed.protocol === 'https:' ? 443 : 80);
    this.parallel = options.parallel ?? 4;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 20_000;
    this.maxFailures = options.maxFailures ?? 6;
    this.retryMs = options.retryMs ?? 1000;
    this.localAddress = options.localAddress ?? (() => undefined);
    this.agents = {
      http: new http.Agent({ keepAlive: true, maxSockets: this.parallel }),
      https: new https.Agent({ keepAlive: true, maxSockets: this.parallel }),
    };
  }

  /** Starts requests up to the parallel limit, if there is work and no back-off. */
  fill(): void {
    try {
      this.localAddress();
    } catch {
      return; // the bound network is down: the torrent's tick calls fill() again
    }
    const count = Math.ceil(Math.max(this.meta.pieceLength, RUN_BYTES) / 16384);
    while (!this.disabledReason && this.active < this.parallel && Date.now() >= this.retryAt) {
      const blocks = this.torrent.pick(this.id, count);
      if (blocks.length === 0) break;
      this.active++;
      this.inFlightBlocks += blocks.length;
      void this.fetchBlocks(blocks).finally(() => {
        this.active--;
        this.fill();
      });
    }
  }

  /** Drops every request in flight (the torrent is complete or stopping). */
  abort(): void {
    for (const c of this.controllers) c.abort();
    this.controllers.clear();
  }

  close(): void {
    this.abort();
    clearTimeout(this.retryTimer);
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  /** A piece this source contributed to failed its hash check. */
  hashFailed(soleSource: boolean): void {
    this.hashFailures++;
    if (soleSource || this.hashFailures >= 2) this.disable('served data that failed the hash check');
  }

  stats(): WebSeedStats {
    return { downloadRate: this.meter.rate(), downloaded: this.meter.total, requests: this.inFlightBlocks, disabled: this.disabledReason };
  }

  private async fetchBlocks(blocks: BlockRequest[]): Promise<void> {
    const controller = new AbortController();
    this.controllers.add(controller);
    const runs = contiguousRuns(blocks, this.meta.pieceLength);
    let done = 0;
    try {
      for (const run of runs) {
        await this.fetchRun(run, controller.signal);
        done++;
      }
      this.failures = 0;
    } catch (error) {
      for (const run of runs.slice(done)) for (const b of run.pending) this.torrent.release(this.id, b);
      if (!controller.signal.aborted) this.failed(error);
    } finally {
      this.controllers.delete(controller);
      for (const run of runs) this.inFlightBlocks -= run.blocks.length;
    }
  }

  /** Fetches one contiguous run, handing over each block once it is whole. */
  private async fetchRun(run: Run, signal: AbortSignal): Promise<void> {
    let current = Buffer.allocUnsafe(run.pending[0]!.length);
    let filled = 0;
    const onData = (chunk: Buffer): number => {
      this.meter.add(chunk.length);
      let pause = 0;
      let at = 0;
      while (at < chunk.length) {
        const n = Math.min(chunk.length - at, current.length - filled);
        chunk.copy(current, filled, at, at + n);
        filled += n;
        at += n;
        if (filled < current.length) break;
        const block = run.pending.shift()!;
        pause = Math.max(pause, this.torrent.deliver(this.id, block, current));
        filled = 0;
        if (run.pending.length > 0) current = Buffer.allocUnsafe(run.pending[0]!.length);
      }
      return pause;
    };
    for (const part of planRange(this.url, this.meta, run.offset, run.length)) {
      if (signal.aborted) throw new Error('aborted');
      if ('zeros' in part) onData(Buffer.alloc(part.zeros));
      else
        await fetchRange(part.url, part.start, part.length, {
          agents: this.agents,
          idleTimeoutMs: this.idleTimeoutMs,
          signal,
          onData,
          localAddress: this.localAddress(),
        });
    }
  }

  private failed(error: unknown): void {
    const permanent = error instanceof HttpRangeError && error.permanent;
    this.failures++;
    const reason = describeError(error);
    if (permanent || this.failures >= this.maxFailures) {
      this.disable(permanent ? reason : `${reason} (${this.failures} failures in a row)`);
      return;
    }
    const delay = Math.min(60_000, this.retryMs * 2 ** (this.failures - 1));
    // One warning per streak of failures, not per request.
    if (this.failures === 1) this.torrent.warn(`web seed ${this.url}: ${reason}; retrying`);
    this.retryAt = Math.max(this.retryAt, Date.now() + delay);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.fill(), this.retryAt - Date.now() + 10);
    this.retryTimer.unref();
  }

  private disable(reason: string): void {
    if (this.disabledReason) return;
    this.disabledReason = reason;
    this.abort();
    clearTimeout(this.retryTimer);
    this.torrent.warn(`web seed ${this.url} disabled: ${reason}`);
    this.torrent.disabled(this.id);
  }
}

interface Run {
  offset: number;
  length: number;
  blocks: BlockRequest[];
  /** Blocks not yet handed over, in order. */
  pending: BlockRequest[];
}

/** Groups blocks into runs that are contiguous in the torrent's byte space. */
export function contiguousRuns(blocks: BlockRequest[], pieceLength: number): Run[] {
  const sorted = [...blocks].sort((a, b) => a.index - b.index || a.begin - b.begin);
  const runs: Run[] = [];
  for (const b of sorted) {
    const offset = b.index * pieceLength + b.begin;
    const last = runs[runs.length - 1];
    if (last && last.offset + last.length === offset) {
      last.length += b.length;
      last.blocks.push(b);
    } else {
      runs.push({ offset, length: b.length, blocks: [b], pending: [] });
    }
  }
  for (const run of runs) run.pending = [...run.blocks];
  return runs;
}
