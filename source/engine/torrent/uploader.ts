import { describeError } from '../../errors.js';
import type { BufferPool } from './buffer-pool.js';
import type { BlockRequest } from './picker.js';
import type { Peer } from './peer.js';
import type { RateLimiter } from './rate-limiter.js';
import type { TorrentContext } from './torrent-context.js';

export interface UploaderOptions {
  /** Pieces kept in memory for uploading (finished ones, and ones read from disk). */
  readCacheBytes: number;
  uploadLimiter: RateLimiter;
  globalUpload?: RateLimiter;
}

/** A piece being read from disk for uploads; each waiter is handed the buffer held for it. */
interface PendingRead {
  waiters: number;
  data: Promise<Buffer>;
}

export const MAX_UPLOAD_QUEUE = 2000;
const MAX_REQUEST_LENGTH = 128 * 1024;
const MAX_UNREAD_BYTES = 4 * 1024 * 1024;
/** A torrent that moved no data for this long lets go of its read cache and spare piece buffers. */
const IDLE_MEMORY_RELEASE_MS = 60_000;

/** Uploading: peers' requests queued and served, from a read cache of whole pieces. */
export class Uploader {
  private readonly readCache = new Map<number, Buffer>();
  private readCacheBytes = 0;
  private readonly pendingReads = new Map<number, PendingRead>();
  /** Bytes moved (down + up) at the last housekeeping that saw them change, and when. */
  private lastTraffic = { bytes: 0, at: 0 };

  constructor(
    private readonly ctx: TorrentContext,
    private readonly pieceBuffers: BufferPool,
    private readonly options: UploaderOptions,
  ) {}

  get cachedBytes(): number {
    return this.readCacheBytes;
  }

  has(index: number): boolean {
    return this.readCache.has(index);
  }

  onRequest(peer: Peer, r: { index: number; begin: number; length: number }): void {
    const { meta, picker } = this.ctx;
    const fast = peer.wire.remoteHandshake?.fast ?? false;
    const valid =
      r.index < meta.pieceCount && r.length > 0 && r.length <= MAX_REQUEST_LENGTH && r.begin + r.length <= picker.pieceSize(r.index);
    if (!valid) return peer.wire.destroy(new Error('invalid request'));
    if (peer.amChoking || !picker.have.get(r.index)) {
      if (!fast) return;
      // Each reject is bytes we hold until the peer reads them; uploads stop at the send buffer's
      // high-water mark, so a backlog far past it means a peer that asks without reading.
      if (peer.wire.writableLength > MAX_UNREAD_BYTES) return peer.wire.destroy(new Error('too many requests'));
      peer.wire.send({ type: 'reject', ...r });
      return;
    }
    if (peer.uploadQueue.length >= MAX_UPLOAD_QUEUE) return peer.wire.destroy(new Error('too many requests'));
    peer.uploadQueue.push({ index: r.index, begin: r.begin, length: r.length });
    this.pump(peer);
  }

  onCancel(peer: Peer, r: { index: number; begin: number }): void {
    const i = peer.uploadQueue.findIndex((q) => q.index === r.index && q.begin === r.begin);
    if (i >= 0) peer.uploadQueue.splice(i, 1);
  }

  /**
   * Sends what the peer asked for while it is unchoked and its send buffer has room. A block of a
   * piece in the read cache (most of them, in a swarm) goes out at once, in this loop; only a
   * piece to read from disk or a rate limit's wait leaves it, and the loop goes on afterwards.
   * An async function per block cost a promise and a microtask turn each, and as the largest
   * function TurboFan compiled in a swarm leecher, ~20% of its compile time.
   */
  pump(peer: Peer): void {
    if (peer.uploading) return;
    try {
      while (peer.uploadQueue.length > 0 && !peer.wire.destroyed && !peer.amChoking && !peer.wire.writableNeedDrain()) {
        const r = peer.uploadQueue.shift()!;
        const delay = Math.max(this.options.uploadLimiter.consume(r.length), this.options.globalUpload?.consume(r.length) ?? 0);
        const cached = delay > 0 ? undefined : this.cachedHeld(r.index);
        if (cached) {
          this.send(peer, r, cached);
          continue;
        }
        peer.uploading = true;
        void this.sendLater(peer, r, delay).finally(() => {
          peer.uploading = false;
          this.pump(peer);
        });
        return;
      }
    } catch (error) {
      this.cannotServe(peer, error);
    }
  }

  /** A block whose piece must be read from disk first, or which must wait `delay` ms for the rate limit. */
  private async sendLater(peer: Peer, r: BlockRequest, delay: number): Promise<void> {
    try {
      const piece = await this.readPieceHeld(r.index);
      let sending = false;
      try {
        if (delay > 0) await sleep(delay);
        if (peer.wire.destroyed || peer.amChoking) return;
        sending = true;
        this.send(peer, r, piece);
      } finally {
        if (!sending) this.pieceBuffers.release(piece);
      }
    } catch (error) {
      this.cannotServe(peer, error);
    }
  }

  private cannotServe(peer: Peer, error: unknown): void {
    this.ctx.warn(`cannot serve data: ${describeError(error)}`);
    peer.wire.destroy();
    if (this.ctx.state === 'seeding') this.ctx.fail(error);
  }

  /** `piece` is held for this send: released once the socket has written the block. */
  private send(peer: Peer, r: BlockRequest, piece: Buffer): void {
    peer.wire.sendPiece(r.index, r.begin, piece.subarray(r.begin, r.begin + r.length), () => this.pieceBuffers.release(piece));
    this.ctx.traffic.uploaded += r.length;
  }

  /** The cached piece, held for the caller (as readPieceHeld does), and now the newest in the cache. */
  private cachedHeld(index: number): Buffer | undefined {
    const cached = this.readCache.get(index);
    if (!cached) return undefined;
    this.readCache.delete(index);
    this.readCache.set(index, cached);
    this.pieceBuffers.hold(cached);
    return cached;
  }

  /**
   * The piece's bytes, held in pieceBuffers for the caller, who releases them once sent: held
   * before anything else runs, so the cache cannot hand the buffer on meanwhile.
   */
  private readPieceHeld(index: number): Promise<Buffer> {
    const cached = this.cachedHeld(index);
    if (cached) return Promise.resolve(cached);
    let pending = this.pendingReads.get(index);
    if (!pending) {
      const size = this.ctx.picker.pieceSize(index);
      // Into a pooled buffer; one whose read failed is dropped (other slices may still be landing in it).
      const into = size === this.ctx.meta.pieceLength ? this.pieceBuffers.take() : undefined;
      const read: PendingRead = {
        waiters: 0,
        data: this.ctx.storage.read(index, 0, size, into).then(
          (data) => {
            if (this.pendingReads.get(index) === read) this.pendingReads.delete(index);
            for (let i = 0; i < read.waiters; i++) this.pieceBuffers.hold(data);
            this.cachePiece(index, data);
            return data;
          },
          (error: unknown) => {
            if (this.pendingReads.get(index) === read) this.pendingReads.delete(index);
            throw error;
          },
        ),
      };
      this.pendingReads.set(index, read);
      pending = read;
    }
    pending.waiters++;
    return pending.data;
  }

  /** Newest last; the oldest leave (and go back to the pool) past readCacheBytes, never the one just added. */
  cachePiece(index: number, data: Buffer): void {
    // A read that lands after a stop: a stopped torrent keeps nothing in memory.
    if (!this.ctx.running) return;
    const old = this.readCache.get(index);
    if (old) {
      this.readCache.delete(index);
      this.readCacheBytes -= old.length;
      if (old !== data) this.pieceBuffers.give(old);
    }
    this.readCache.set(index, data);
    this.readCacheBytes += data.length;
    for (const [k, v] of this.readCache) {
      if (this.readCacheBytes <= this.options.readCacheBytes || k === index) break;
      this.readCache.delete(k);
      this.readCacheBytes -= v.length;
      this.pieceBuffers.give(v);
    }
  }

  /** Hundreds of seeding torrents must not each keep megabytes of pieces nobody asks for, nor open files. */
  releaseMemoryWhenIdle(now: number): void {
    const bytes = this.ctx.traffic.downloaded + this.ctx.traffic.uploaded;
    if (bytes !== this.lastTraffic.bytes || this.lastTraffic.at === 0) {
      this.lastTraffic = { bytes, at: now };
      return;
    }
    if (now - this.lastTraffic.at < IDLE_MEMORY_RELEASE_MS) return;
    if (this.readCacheBytes > 0) this.clearReadCache();
    this.pieceBuffers.clear();
    if (this.ctx.storage.openFiles > 0) void this.ctx.storage.releaseFiles().catch(() => undefined);
  }

  clearReadCache(): void {
    this.readCache.clear();
    this.readCacheBytes = 0;
    this.pendingReads.clear();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
