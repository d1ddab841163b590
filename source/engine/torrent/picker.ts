// Which blocks to request from which peer. Pure bookkeeping: no I/O, no timers.
//
// A piece is in exactly one of three states: had (verified), downloading (some block requested or
// received; tracked per block), or fresh. Fresh wanted pieces live in one AvailabilityBuckets per
// priority level, kept sorted by availability so that rarest-first is a short scan from the front
// and availability changes are O(1) swaps.
//
// Over 400 lines, one class: the pick strategies (priority, sequential, endgame duplicates) share the
// per-piece and per-peer state; the pure availability ordering lives in availability-buckets.ts.
import { Bitfield } from '../codec/bitfield.js';
import { pieceSizeUnchecked } from '../metainfo/piece-layout.js';
import { AvailabilityBuckets } from './availability-buckets.js';

export interface BlockRequest {
  index: number;
  begin: number;
  length: number;
}

export interface PickerOptions {
  pieceCount: number;
  pieceLength: number;
  totalLength: number;
  blockSize?: number;
  random?: () => number;
}

export interface PickOptions {
  allowedFast?: Set<number>;
  choked?: boolean;
}

export interface BlockReceipt {
  pieceComplete: boolean;
  cancelFrom: string[];
  accepted: boolean;
}

export const DEFAULT_BLOCK_SIZE = 16384;
export const MAX_PRIORITY = 7;
/** Pieces picked at random (not rarest) until this many are had, so we soon have something to trade. */
const RANDOM_FIRST_PIECES = 4;
/** One regular requester plus at most two endgame duplicates. */
const MAX_REQUESTERS = 3;
/**
 * Endgame duplicates go only to a peer with fewer requests than this outstanding, and only up to
 * it: a peer still busy with its own blocks gains nothing from others'. With a full queue each
 * (up to 512 blocks), every leecher of a loopback swarm of 8 downloaded 5-9% of 256 MiB twice.
 */
const ENDGAME_QUEUE = 4;
/** Random probes before random-first mode falls back to the ordered scan. */
const RANDOM_PROBES = 16;

const FREE = 0;
const REQUESTED = 1;
const RECEIVED = 2;

interface DownloadingPiece {
  index: number;
  blocks: number;
  state: Uint8Array;
  requesters: (string[] | undefined)[];
  free: number;
  requested: number;
  received: number;
  /** No free block lies below this. */
  firstFree: number;
}

interface PeerState {
  /** What we counted into availability; null when counted as a seed (in `seeds`). */
  counted: Bitfield | null;
  /** Outstanding requests as block keys (see PiecePicker.key). */
  requests: Set<number>;
}

export class PiecePicker {
  readonly have: Bitfield;
  readonly pieceCount: number;
  readonly pieceLength: number;
  readonly totalLength: number;
  readonly blockSize: number;

  private readonly random: () => number;
  private readonly blocksPerPiece: number;
  private readonly priority: Uint8Array;
  /** Availability from non-seed peers; seeds are counted once in `seeds`. */
  private readonly avail: Uint32Array;
  private seeds = 0;
  /** Position of a fresh wanted piece in its level's buckets, or -1. */
  private readonly pos: Int32Array;
  private readonly levels: AvailabilityBuckets[] = [];
  /** Per level: downloading wanted pieces that still have free blocks, oldest first. */
  private readonly partials: Set<number>[] = [];
  private readonly downloading = new Map<number, DownloadingPiece>();
  private readonly peers = new Map<string, PeerState>();
  /** Wanted (priority > 0) pieces we lack. */
  private readonly needed: Bitfield;
  /** Free blocks in wanted pieces we lack; zero means endgame. */
  private freeWanted = 0;
  private sequential = false;
  private sequentialFrom = 0;

  constructor(options: PickerOptions, have?: Bitfield) {
    const { pieceCount, pieceLength, totalLength } = options;
    const blockSize = options.blockSize ?? DEFAULT_BLOCK_SIZE;
    if (!(pieceLength > 0) || !(blockSize > 0) || !(totalLength >= 0)) throw new RangeError('invalid picker geometry');
    if (pieceCount !== Math.ceil(totalLength / pieceLength)) {
      throw new RangeError(`pieceCount ${pieceCount} does not match ${totalLength} bytes in pieces of ${pieceLength}`);
    }
    if (have !== undefined && have.length !== pieceCount) throw new RangeError('have bitfield has the wrong length');
    this.pieceCount = pieceCount;
    this.pieceLength = pieceLength;
    this.totalLength = totalLength;
    this.blockSize = blockSize;
    this.blocksPerPiece = Math.ceil(pieceLength / blockSize);
    this.random = options.random ?? Math.random;
    this.have = have ? have.clone() : new Bitfield(pieceCount);
    this.needed = new Bitfield(pieceCount);
    this.priority = new Uint8Array(pieceCount).fill(1);
    this.avail = new Uint32Array(pieceCount);
    this.pos = new Int32Array(pieceCount).fill(-1);
    for (let level = 0; level <= MAX_PRIORITY; level++) {
      this.levels.push(new AvailabilityBuckets(this.pos, this.avail));
      this.partials.push(new Set());
    }
    this.reindex();
  }

  // ---- geometry

  pieceSize(index: number): number {
    return pieceSizeUnchecked(this.totalLength, this.pieceLength, this.pieceCount, index);
  }

  blockLength(index: number, begin: number): number {
    return Math.max(0, Math.min(this.blockSize, this.pieceSize(index) - begin));
  }

  blocksIn(index: number): number {
    return Math.ceil(this.pieceSize(index) / this.blockSize);
  }

  private key(index: number, block: number): number {
    return index * this.blocksPerPiece + block;
  }

  // ---- peers and availability

  addPeer(peerId: string, bitfield: Bitfield): void {
    const existing = this.peers.get(peerId);
    if (existing) this.uncount(existing);
    const peer: PeerState = existing ?? { counted: null, requests: new Set() };
    this.peers.set(peerId, peer);
    if (this.pieceCount > 0 && bitfield.count() === this.pieceCount) {
      peer.counted = null;
      this.seeds++;
      return;
    }
    peer.counted = bitfield.clone();
    forEachSet(peer.counted, (p) => this.increment(p));
  }

  peerHave(peerId: string, index: number): void {
    if (!(index >= 0 && index < this.pieceCount)) return;
    let peer = this.peers.get(peerId);
    if (!peer) {
      peer = { counted: new Bitfield(this.pieceCount), requests: new Set() };
      this.peers.set(peerId, peer);
    }
    if (peer.counted === null || peer.counted.get(index)) return;
    peer.counted.set(index);
    this.increment(index);
  }

  removePeer(peerId: string): void {
    const peer = this.peers.get(peerId);
    if (!peer) return;
    this.releasePeerRequests(peerId);
    this.uncount(peer);
    this.peers.delete(peerId);
  }

  availability(index: number): number {
    return (this.avail[index] ?? 0) + this.seeds;
  }

  private uncount(peer: PeerState): void {
    if (peer.counted === null) this.seeds--;
    else forEachSet(peer.counted, (p) => this.decrement(p));
  }

  private increment(p: number): void {
    const a = this.avail[p]!;
    if (this.pos[p]! >= 0) this.levels[this.priority[p]!]!.up(p, a);
    this.avail[p] = a + 1;
  }

  private decrement(p: number): void {
    const a = this.avail[p]!;
    if (a === 0) return;
    if (this.pos[p]! >= 0) this.levels[this.priority[p]!]!.down(p, a);
    this.avail[p] = a - 1;
  }

  // ---- policy settings

  setPiecePriorities(priorities: Uint8Array): void {
    if (priorities.length !== this.pieceCount) throw new RangeError('priorities length differs from piece count');
    for (let i = 0; i < this.pieceCount; i++) this.priority[i] = Math.min(priorities[i]!, MAX_PRIORITY);
    this.reindex();
  }

  setSequential(on: boolean): void {
    this.sequential = on;
  }

  /** Rebuilds every derived index from have, priority and downloading: O(pieces). */
  private reindex(): void {
    const perLevel: number[][] = this.levels.map(() => []);
    this.pos.fill(-1);
    this.freeWanted = 0;
    for (const set of this.partials) set.clear();
    for (let i = 0; i < this.pieceCount; i++) {
      const wanted = this.priority[i]! > 0 && !this.have.get(i);
      this.needed.set(i, wanted);
      if (!wanted) continue;
      const dp = this.downloading.get(i);
      if (dp) {
        this.freeWanted += dp.free;
        if (dp.free > 0) this.partials[this.priority[i]!]!.add(i);
      } else {
        this.freeWanted += this.blocksIn(i);
        perLevel[this.priority[i]!]!.push(i);
      }
    }
    for (let level = 0; level <= MAX_PRIORITY; level++) this.levels[level]!.rebuild(perLevel[level]!);
  }

  private wanted(index: number): boolean {
    return this.needed.get(index);
  }

  /** Whether we still want this piece (priority > 0 and not had). */
  wants(index: number): boolean {
    return this.needed.get(index);
  }

  // ---- picking

  pick(peerId: string, peerBitfield: Bitfield, count: number, options: PickOptions = {}): BlockRequest[] {
    const out: BlockRequest[] = [];
    if (!(count > 0) || this.needed.count() === 0) return out;
    const peer = this.peerState(peerId);
    if (options.choked) {
      const allowed = options.allowedFast;
      if (!allowed || allowed.size === 0) return out;
      for (const index of allowed) {
        if (out.length >= count) break;
        if (Number.isInteger(index) && this.pickable(index, peerBitfield)) this.take(index, peerId, peer, count, out);
      }
      if (out.length < count && this.freeWanted === 0) this.pickDuplicates(peerId, peer, peerBitfield, count, out, allowed);
      return out;
    }
    if (this.sequential) this.pickSequential(peerId, peer, peerBitfield, count, out);
    else this.pickByPriority(peerId, peer, peerBitfield, count, out);
    if (out.length < count && this.freeWanted === 0) this.pickDuplicates(peerId, peer, peerBitfield, count, out);
    return out;
  }

  private peerState(peerId: string): PeerState {
    let peer = this.peers.get(peerId);
    if (!peer) {
      peer = { counted: new Bitfield(this.pieceCount), requests: new Set() };
      this.peers.set(peerId, peer);
    }
    return peer;
  }

  private pickable(index: number, bf: Bitfield): boolean {
    if (!this.wanted(index) || !bf.get(index)) return false;
    const dp = this.downloading.get(index);
    return dp === undefined || dp.free > 0;
  }

  private pickByPriority(peerId: string, peer: PeerState, bf: Bitfield, count: number, out: BlockRequest[]): void {
    const seed = bf.count() === this.pieceCount;
    // Pieces of an uncounted peer may sit in bucket 0, so only skip it for peers we counted.
    const firstBucket = seed || peer.counted === null || peer.counted.count() === 0 ? 0 : 1;
    const randomFirst = this.have.count() < RANDOM_FIRST_PIECES;
    for (let level = MAX_PRIORITY; level >= 1 && out.length < count; level--) {
      for (const index of this.partials[level]!) {
        if (out.length >= count) return;
        if (bf.get(index)) this.take(index, peerId, peer, count, out);
      }
      while (out.length < count) {
        const index = this.findFresh(level, bf, firstBucket, randomFirst);
        if (index < 0) break;
        this.take(index, peerId, peer, count, out);
      }
    }
  }

  private findFresh(level: number, bf: Bitfield, firstBucket: number, randomFirst: boolean): number {
    const buckets = this.levels[level]!;
    if (firstBucket >= buckets.starts.length) return -1;
    const lo = buckets.starts[firstBucket]!;
    const size = buckets.size;
    if (lo >= size) return -1;
    const order = buckets.order;
    if (randomFirst) {
      for (let i = 0; i < RANDOM_PROBES; i++) {
        const piece = order[lo + Math.floor(this.random() * (size - lo))]!;
        if (bf.get(piece)) return piece;
      }
    }
    // A peer with few pieces: walking its bitfield is cheaper than walking the buckets.
    if (bf.count() * 32 < size - lo) return this.rarestOfPeer(level, bf);
    for (let b = firstBucket; b < buckets.starts.length; b++) {
      const s = buckets.starts[b]!;
      const e = buckets.end(b);
      if (s === e) continue;
      // Start at a random offset so ties within a bucket are broken at random.
      const from = s + Math.floor(this.random() * (e - s));
      for (let i = from; i < e; i++) if (bf.get(order[i]!)) return order[i]!;
      for (let i = s; i < from; i++) if (bf.get(order[i]!)) return order[i]!;
    }
    return -1;
  }

  private rarestOfPeer(level: number, bf: Bitfield): number {
    let best = -1;
    let bestAvail = Infinity;
    let ties = 0;
    forEachSet(bf, (p) => {
      if (this.pos[p]! < 0 || this.priority[p] !== level) return;
      const a = this.avail[p]!;
      if (a < bestAvail) {
        best = p;
        bestAvail = a;
        ties = 1;
      } else if (a === bestAvail && this.random() * ++ties < 1) {
        best = p;
      }
    });
    return best;
  }

  private pickSequential(peerId: string, peer: PeerState, bf: Bitfield, count: number, out: BlockRequest[]): void {
    while (this.sequentialFrom < this.pieceCount && this.have.get(this.sequentialFrom)) this.sequentialFrom++;
    for (let i = this.sequentialFrom; i < this.pieceCount && out.length < count; i++) {
      if (this.pickable(i, bf)) this.take(i, peerId, peer, count, out);
    }
  }

  /** Endgame: blocks already requested from others, fewest requesters first. */
  private pickDuplicates(peerId: string, peer: PeerState, bf: Bitfield, count: number, out: BlockRequest[], allowed?: Set<number>): void {
    count = Math.min(count, out.length + ENDGAME_QUEUE - peer.requests.size);
    if (out.length >= count) return;
    for (let have = 1; have < MAX_REQUESTERS; have++) {
      for (const dp of this.downloading.values()) {
        const index = dp.index;
        if (!this.wanted(index) || !bf.get(index) || (allowed && !allowed.has(index))) continue;
        for (let b = 0; b < dp.blocks; b++) {
          if (dp.state[b] !== REQUESTED) continue;
          const requesters = dp.requesters[b]!;
          if (requesters.length !== have || requesters.includes(peerId)) continue;
          requesters.push(peerId);
          peer.requests.add(this.key(index, b));
          out.push(this.request(index, b));
          if (out.length >= count) return;
        }
      }
    }
  }

  /** Requests free blocks of `index` (fresh or downloading) for this peer, up to `count` in `out`. */
  private take(index: number, peerId: string, peer: PeerState, count: number, out: BlockRequest[]): void {
    const dp = this.downloading.get(index) ?? this.start(index);
    let b = dp.firstFree;
    while (out.length < count && dp.free > 0) {
      while (b < dp.blocks && dp.state[b] !== FREE) b++;
      if (b === dp.blocks) {
        b = 0; // firstFree was stale; cannot happen while the bookkeeping is right
        continue;
      }
      dp.state[b] = REQUESTED;
      dp.requesters[b] = [peerId];
      dp.free--;
      dp.requested++;
      this.freeWanted--;
      peer.requests.add(this.key(index, b));
      out.push(this.request(index, b));
      b++;
    }
    dp.firstFree = b;
    if (dp.free === 0) this.partials[this.priority[index]!]!.delete(index);
  }

  private start(index: number): DownloadingPiece {
    const level = this.priority[index]!;
    if (this.pos[index]! >= 0) this.levels[level]!.remove(index);
    const blocks = this.blocksIn(index);
    const dp: DownloadingPiece = {
      index,
      blocks,
      state: new Uint8Array(blocks),
      requesters: new Array(blocks),
      free: blocks,
      requested: 0,
      received: 0,
      firstFree: 0,
    };
    this.downloading.set(index, dp);
    this.partials[level]!.add(index);
    return dp;
  }

  /** A downloading piece with nothing requested or received goes back to the fresh buckets. */
  private settle(dp: DownloadingPiece): void {
    const index = dp.index;
    const level = this.priority[index]!;
    if (dp.requested === 0 && dp.received === 0) {
      this.downloading.delete(index);
      this.partials[level]!.delete(index);
      if (this.wanted(index)) this.levels[level]!.insert(index);
    } else if (dp.free > 0 && this.wanted(index)) {
      this.partials[level]!.add(index);
    }
  }

  private request(index: number, block: number): BlockRequest {
    const begin = block * this.blockSize;
    return { index, begin, length: this.blockLength(index, begin) };
  }

  private blockOf(index: number, begin: number): { dp: DownloadingPiece; block: number } | undefined {
    const dp = this.downloading.get(index);
    if (!dp || !Number.isInteger(begin) || begin < 0 || begin % this.blockSize !== 0) return undefined;
    const block = begin / this.blockSize;
    return block < dp.blocks ? { dp, block } : undefined;
  }

  // ---- results

  blockReceived(peerId: string, index: number, begin: number): BlockReceipt {
    const found = this.blockOf(index, begin);
    const requesters = found && found.dp.state[found.block] === REQUESTED ? found.dp.requesters[found.block]! : undefined;
    if (!found || !requesters || !requesters.includes(peerId)) {
      return { pieceComplete: false, cancelFrom: [], accepted: false };
    }
    const { dp, block } = found;
    dp.state[block] = RECEIVED;
    dp.requesters[block] = undefined;
    dp.requested--;
    dp.received++;
    const key = this.key(index, block);
    const cancelFrom: string[] = [];
    for (const id of requesters) {
      this.peers.get(id)?.requests.delete(key);
      if (id !== peerId) cancelFrom.push(id);
    }
    return { pieceComplete: dp.received === dp.blocks, cancelFrom, accepted: true };
  }

  releaseBlock(peerId: string, index: number, begin: number): void {
    const found = this.blockOf(index, begin);
    if (found) this.release(peerId, found.dp, found.block);
  }

  releasePeerRequests(peerId: string): BlockRequest[] {
    const peer = this.peers.get(peerId);
    if (!peer || peer.requests.size === 0) return [];
    const released: BlockRequest[] = [];
    for (const key of [...peer.requests]) {
      const index = Math.floor(key / this.blocksPerPiece);
      const block = key - index * this.blocksPerPiece;
      const dp = this.downloading.get(index);
      if (dp) this.release(peerId, dp, block);
      else peer.requests.delete(key);
      released.push(this.request(index, block));
    }
    return released;
  }

  private release(peerId: string, dp: DownloadingPiece, block: number): void {
    const requesters = dp.state[block] === REQUESTED ? dp.requesters[block]! : undefined;
    const at = requesters ? requesters.indexOf(peerId) : -1;
    if (!requesters || at < 0) return;
    requesters.splice(at, 1);
    this.peers.get(peerId)?.requests.delete(this.key(dp.index, block));
    if (requesters.length > 0) return;
    dp.state[block] = FREE;
    dp.requesters[block] = undefined;
    dp.requested--;
    dp.free++;
    if (block < dp.firstFree) dp.firstFree = block;
    if (this.wanted(dp.index)) this.freeWanted++;
    this.settle(dp);
  }

  pieceVerified(index: number): void {
    if (!(index >= 0 && index < this.pieceCount) || this.have.get(index)) return;
    const wanted = this.wanted(index);
    const dp = this.downloading.get(index);
    if (dp) {
      for (let b = 0; b < dp.blocks; b++) {
        const key = this.key(index, b);
        for (const id of dp.requesters[b] ?? []) this.peers.get(id)?.requests.delete(key);
      }
      if (wanted) this.freeWanted -= dp.free;
      this.downloading.delete(index);
      this.partials[this.priority[index]!]!.delete(index);
    } else {
      if (this.pos[index]! >= 0) this.levels[this.priority[index]!]!.remove(index);
      if (wanted) this.freeWanted -= this.blocksIn(index);
    }
    this.have.set(index);
    this.needed.set(index, false);
  }

  pieceFailed(index: number): void {
    const dp = this.downloading.get(index);
    if (!dp || this.have.get(index)) return;
    let freed = 0;
    for (let b = 0; b < dp.blocks; b++) {
      if (dp.state[b] !== RECEIVED) continue;
      dp.state[b] = FREE;
      freed++;
    }
    dp.received = 0;
    dp.free += freed;
    dp.firstFree = 0;
    if (this.wanted(index)) this.freeWanted += freed;
    this.settle(dp);
  }

  // ---- queries

  /** Pieces we do not have, whatever their priority. */
  missingCount(): number {
    return this.pieceCount - this.have.count();
  }

  /** Wanted pieces (priority > 0) we do not have. */
  neededCount(): number {
    return this.needed.count();
  }

  inEndgame(): boolean {
    return this.freeWanted === 0 && this.needed.count() > 0;
  }

  requestedBy(peerId: string): number {
    return this.peers.get(peerId)?.requests.size ?? 0;
  }

  isInteresting(peerBitfield: Bitfield): boolean {
    if (this.needed.count() === 0) return false;
    if (peerBitfield.count() === this.pieceCount) return true;
    const theirs = peerBitfield.buffer;
    const ours = this.needed.buffer;
    for (let i = 0; i < ours.length; i++) if ((theirs[i]! & ours[i]!) !== 0) return true;
    return false;
  }

  wantedComplete(): boolean {
    return this.needed.count() === 0;
  }
}

function forEachSet(bitfield: Bitfield, fn: (index: number) => void): void {
  const bytes = bitfield.buffer;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte === 0) continue;
    for (let bit = 0; bit < 8; bit++) if (byte & (0x80 >>> bit)) fn(i * 8 + bit);
  }
}
