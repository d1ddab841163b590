// What the download pipeline is given: its options, and the parts of the torrent it talks to.
import type { BufferPool } from './buffer-pool.js';
import type { Peer } from './peer.js';
import type { RateLimiter } from './rate-limiter.js';

export interface DownloadPipelineOptions {
  /** Pieces are hashed as their blocks arrive unless a custom hasher was given (or there are no SHA-1 piece hashes). */
  incrementalHash: boolean;
  downloadLimiter: RateLimiter;
  globalDownload?: RateLimiter;
}

/** Who the pipeline talks to besides the context: the peers, web seeds, uploads and the torrent. */
export interface DownloadPipelineLinks {
  peers: { values(): IterableIterator<Peer>; get(id: string): Peer | undefined; ban(peer: Peer, reason: string): void };
  pieceBuffers: BufferPool;
  /** Keeps a just-written piece in memory for the peers about to ask for it. */
  readCache: { has(index: number): boolean; cachePiece(index: number, data: Buffer): void };
  webSeedHashFailed(id: string, soleSource: boolean): void;
  markResumeOutdated(): void;
  pieceDone(index: number): void;
  hashFailed(index: number): void;
  /** Every wanted piece is verified and written; the torrent checks the files and turns to seeding. */
  wantedComplete(): Promise<void>;
}
