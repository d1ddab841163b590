import type { Duplex } from 'node:stream';
import type { PeerSource } from '../discovery/tracker/types.js';
import type { Bitfield } from '../codec/bitfield.js';
import type { PeerWire } from '../wire/peer-wire.js';
import type { BlockRequest } from './picker.js';
import type { ExtensionPeer } from '../extensions/extension-api.js';
import type { Message } from '../wire/messages.js';

export interface PendingRequest extends BlockRequest {
  sentAt: number;
}

/** One connected peer of one torrent: the wire plus the protocol state around it. */
export class Peer {
  amChoking = true;
  amInterested = false;
  peerChoking = true;
  peerInterested = false;
  snubbed = false;
  /** Blocks we asked this peer for, keyed by blockKey(). */
  readonly requests = new Map<number, PendingRequest>();
  /** Blocks the peer asked us for, served in order. */
  readonly uploadQueue: BlockRequest[] = [];
  /** Pieces the peer lets us request while choked (BEP 6). */
  readonly allowedFast = new Set<number>();
  /** BEP 10 extensions this peer supports, by our local message id. */
  readonly extensions = new Map<number, ExtensionPeer>();
  readonly connectedAt = Date.now();
  lastBlockAt = Date.now();
  lastUnchokedAt?: number;
  lastRequestsFilledAt = 0;
  /** How many requests to keep outstanding; grows with the peer's rate (never beyond maxRequests). */
  queueDepth = 128;
  /** Refills after a reject since the last tick: a peer that rejects everything is not asked again at wire speed. */
  rejectRefills = 0;
  uploading = false;
  unrequestedBytes = 0;
  hashFailures = 0;
  /** Where its address came from (a connection it opened: 'incoming'). */
  source: PeerSource = 'tracker';
  blocksReceived = 0;
  /**
   * For a connection made before the torrent ran (a magnet's metadata fetch): what the peer said
   * since its handshake, replayed once the torrent listens. Our own handshake-time messages went
   * out then, so the torrent's bitfield goes as haves.
   */
  handedOver?: Message[];

  constructor(
    readonly id: string,
    readonly wire: PeerWire,
    /** The transport's stream under the wire: paused to throttle downloads. */
    readonly socket: Duplex,
    readonly host: string,
    readonly port: number,
    readonly incoming: boolean,
    public bitfield: Bitfield,
  ) {}

  /** The most requests it takes queued: its reqq (BEP 10), within bounds. */
  get maxRequests(): number {
    return requestLimit(this.wire.remoteExtensions?.reqq);
  }

  get isSeed(): boolean {
    return this.bitfield.isComplete();
  }
}

/**
 * A number naming a block: no string per block on the hot path. We only request blocks at
 * multiples of `blockSize` inside a piece, so any other `begin` gets a key that matches no request (-1).
 */
export function blockKey(index: number, begin: number, blocksPerPiece: number, blockSize: number): number {
  const block = begin / blockSize;
  return Number.isInteger(block) && block >= 0 && block < blocksPerPiece ? index * blocksPerPiece + block : -1;
}

/** Requests a peer is taken to queue when its extension handshake names no reqq (libtorrent assumes as much). */
export const DEFAULT_REQQ = 250;
/** A peer's reqq is its word, and hostile input: no more than this, whatever it says. */
const MAX_REQQ = 2000;

/**
 * How many requests may be outstanding to a peer whose extension handshake said `reqq`: one
 * fewer than it says. Transmission (3.00 to 4.0) refuses the reqq-th already (its test is
 * `pending + 1 >= REQQ`), and sends the reject in a batch up to 10 s later: the block waits.
 */
export function requestLimit(reqq: number | undefined): number {
  if (reqq === undefined || !Number.isFinite(reqq)) return DEFAULT_REQQ;
  return Math.min(MAX_REQQ, Math.max(1, Math.floor(reqq) - 1));
}
