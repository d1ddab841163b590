import { Bitfield } from '../codec/bitfield.js';
import type { Message } from '../wire/messages.js';
import { isSnubbed } from './choker.js';
import { blockKey, type Peer } from './peer.js';
import type { BlockRequest } from './picker.js';
import { PieceAssembly, type PieceSpan } from './piece-assembly.js';
import type { TorrentContext } from './torrent-context.js';
import type { DownloadPipelineLinks, DownloadPipelineOptions } from './download-pipeline-links.js';

export type { DownloadPipelineLinks, DownloadPipelineOptions } from './download-pipeline-links.js';

interface PieceInProgress {
  assembly: PieceAssembly;
  /** Stretches of the piece written as they completed; the buffer is reused only after all of them. */
  writes: Promise<void>[];
}

const BLOCK = 16 * 1024;
/** A piece's gap-free prefix is written once this much of it has arrived (see PieceAssembly). */
const WRITE_STRETCH_BYTES = 256 * 1024;
const MAX_PENDING_WRITE_BYTES = 32 * 1024 * 1024;
const REQUEST_QUEUE_SECONDS = 2;
const MIN_QUEUE_DEPTH = 32;
const MAX_QUEUE_DEPTH = 512;
/** Prompt refills after rejects, per peer per tick. */
const MAX_REJECT_REFILLS = 16;

/**
 * Downloading: interest, requests (and endgame), blocks in, pieces assembled, then
 * completePiece -> commitPiece -> verifyAndWriteRest; writes not yet landed hold requests back.
 */
export class DownloadPipeline {
  private readonly inProgress = new Map<number, PieceInProgress>();
  private pendingWriteBytes = 0;
  /** Pieces being verified and written; stop() lets them land before it saves and closes. */
  private readonly completing = new Set<Promise<void>>();
  private readonly blocksPerPiece: number;

  constructor(
    private readonly ctx: TorrentContext,
    private readonly links: DownloadPipelineLinks,
    private readonly options: DownloadPipelineOptions,
  ) {
    this.blocksPerPiece = Math.ceil(ctx.meta.pieceLength / BLOCK);
  }

  /** Pending writes are within bounds: requests (and web seed picks) may go on. */
  get hasWriteRoom(): boolean {
    return this.pendingWriteBytes <= MAX_PENDING_WRITE_BYTES;
  }

  /** Pieces with blocks held in memory. */
  assembling(): IterableIterator<number> {
    return this.inProgress.keys();
  }

  /** For stop(): partial pieces are dropped (completed ones land; see settled()). */
  dropPartialPieces(): void {
    this.inProgress.clear();
  }

  /** Once every completed piece has been verified and written (or failed). */
  settled(): Promise<unknown> {
    return Promise.allSettled([...this.completing]);
  }

  // ---- messages ----

  onMessage(peer: Peer, m: Message): void {
    const pieceCount = this.ctx.meta.pieceCount;
    switch (m.type) {
      case 'choke':
        peer.peerChoking = true;
        this.releaseRequests(peer, (r) => !peer.allowedFast.has(r.index));
        break;
      case 'unchoke':
        peer.peerChoking = false;
        this.fillRequests(peer);
        break;
      case 'have':
        if (m.index >= pieceCount) return peer.wire.destroy(new Error('have index out of range'));
        if (!peer.bitfield.get(m.index)) {
          peer.bitfield.set(m.index);
          this.ctx.picker.peerHave(peer.id, m.index);
          if (!this.ctx.picker.have.get(m.index)) this.setInterested(peer, true);
          this.afterBitfieldChange(peer);
        }
        break;
      case 'bitfield':
      case 'have-all':
      case 'have-none': {
        let bitfield: Bitfield;
        try {
          bitfield = m.type === 'bitfield' ? Bitfield.fromWire(m.bitfield, pieceCount) : new Bitfield(pieceCount);
        } catch {
          return peer.wire.destroy(new Error('bitfield of the wrong size'));
        }
        if (m.type === 'have-all') bitfield.setAll();
        this.ctx.picker.removePeer(peer.id);
        peer.bitfield = bitfield;
        this.ctx.picker.addPeer(peer.id, bitfield);
        this.setInterested(peer, this.ctx.picker.isInteresting(bitfield));
        this.afterBitfieldChange(peer);
        break;
      }
      case 'piece':
        this.onBlock(peer, m.index, m.begin, m.block);
        break;
      case 'reject': {
        const key = this.blockKey(m.index, m.begin);
        if (peer.requests.delete(key)) {
          this.ctx.picker.releaseBlock(peer.id, m.index, m.begin);
          this.fillOthers(peer);
          // If no one else took the block (say this peer is the only one with it), it is asked of
          // this peer again now: left for the next tick, each reject cost a second of the endgame.
          if (peer.rejectRefills < MAX_REJECT_REFILLS) {
            peer.rejectRefills++;
            this.fillRequests(peer, true);
          }
        }
        break;
      }
      case 'allowed-fast':
        if (m.index < pieceCount) {
          peer.allowedFast.add(m.index);
          if (peer.peerChoking) this.fillRequests(peer);
        }
        break;
      default:
        break;
    }
  }

  private afterBitfieldChange(peer: Peer): void {
    if (this.ctx.state === 'seeding' && peer.isSeed) {
      peer.wire.destroy();
      return;
    }
    this.fillRequests(peer);
  }

  setInterested(peer: Peer, interested: boolean): void {
    if (peer.amInterested === interested || peer.wire.destroyed) return;
    peer.amInterested = interested;
    peer.wire.send({ type: interested ? 'interested' : 'not-interested' });
  }

  /** Once a second: queue depth from the peer's rate, snubbing, interest, requests. */
  tickPeer(peer: Peer, now: number, endgame: boolean): void {
    const rate = peer.wire.downloadRate.rate(now);
    peer.queueDepth = Math.max(MIN_QUEUE_DEPTH, Math.min(MAX_QUEUE_DEPTH, Math.ceil((rate * REQUEST_QUEUE_SECONDS) / BLOCK)));
    peer.rejectRefills = 0;
    if (peer.requests.size > 0 && isSnubbed(peer.lastBlockAt, peer.requests.size, now, endgame ? 15_000 : 60_000)) {
      peer.snubbed = true;
      this.releaseRequests(peer);
    }
    const picker = this.ctx.picker;
    if (this.ctx.state === 'downloading' && !peer.amInterested && picker.isInteresting(peer.bitfield)) this.setInterested(peer, true);
    if (this.ctx.state === 'downloading' && peer.amInterested && !picker.isInteresting(peer.bitfield) && peer.requests.size === 0)
      this.setInterested(peer, false);
    this.fillRequests(peer);
  }

  // ---- requests ----

  /** Tops up the peer's requests, in batches unless `now`; never more outstanding than its reqq. */
  fillRequests(peer: Peer, now = false): void {
    if (this.ctx.state !== 'downloading' || !peer.amInterested || peer.wire.destroyed) return;
    if (peer.peerChoking && peer.allowedFast.size === 0) return;
    if (!this.hasWriteRoom) return;
    const depth = Math.min(peer.queueDepth, peer.maxRequests);
    const want = depth - peer.requests.size;
    // Requests go out in batches: on loopback every write costs a syscall and a wakeup.
    if (want <= 0 || (!now && want < Math.max(4, depth >> 2) && peer.requests.size > 0)) return;
    const blocks = this.ctx.picker.pick(peer.id, peer.bitfield, want, { choked: peer.peerChoking, allowedFast: peer.allowedFast });
    if (blocks.length === 0) return;
    const sentAt = Date.now();
    for (const b of blocks)
      peer.requests.set(this.blockKey(b.index, b.begin), { index: b.index, begin: b.begin, length: b.length, sentAt });
    peer.wire.sendRequests(blocks);
  }

  fillOthers(except?: Peer): void {
    for (const p of this.links.peers.values()) if (p !== except) this.fillRequests(p);
  }

  releaseRequests(peer: Peer, which: (r: BlockRequest) => boolean = () => true): void {
    for (const [key, r] of peer.requests) {
      if (!which(r)) continue;
      peer.requests.delete(key);
      this.ctx.picker.releaseBlock(peer.id, r.index, r.begin);
    }
    this.fillOthers(peer);
  }

  // ---- blocks in ----

  private onBlock(peer: Peer, index: number, begin: number, block: Buffer): void {
    const key = this.blockKey(index, begin);
    const request = peer.requests.get(key);
    const traffic = this.ctx.traffic;
    traffic.downloaded += block.length;
    this.throttleDownload(peer, block.length);
    if (!request || request.length !== block.length || this.ctx.state !== 'downloading') {
      traffic.wasted += block.length;
      peer.unrequestedBytes += block.length;
      if (peer.unrequestedBytes > 16 * 1024 * 1024) this.links.peers.ban(peer, 'sends data we did not ask for');
      return;
    }
    peer.requests.delete(key);
    peer.lastBlockAt = Date.now();
    peer.blocksReceived++;
    peer.snubbed = false;
    const result = this.ctx.picker.blockReceived(peer.id, index, begin);
    if (!result.accepted) {
      traffic.wasted += block.length;
      this.fillRequests(peer);
      return;
    }
    this.cancelElsewhere(result.cancelFrom, index, begin, block.length);
    this.storeBlock(index, begin, block, peer.id, result.pieceComplete);
    this.fillRequests(peer);
  }

  /** A block from a web seed; returns how long the web seed should pause (rate limits). */
  onWebSeedBlock(id: string, index: number, begin: number, block: Buffer): number {
    if (!this.ctx.running) return 0;
    const traffic = this.ctx.traffic;
    traffic.downloaded += block.length;
    const delay = Math.max(this.options.downloadLimiter.consume(block.length), this.options.globalDownload?.consume(block.length) ?? 0);
    const result = this.ctx.state === 'downloading' ? this.ctx.picker.blockReceived(id, index, begin) : undefined;
    if (!result?.accepted) {
      traffic.wasted += block.length;
      return delay;
    }
    this.cancelElsewhere(result.cancelFrom, index, begin, block.length);
    this.storeBlock(index, begin, block, id, result.pieceComplete);
    return delay;
  }

  /** Endgame: the block came from one source, so the others need not send it. */
  private cancelElsewhere(ids: string[], index: number, begin: number, length: number): void {
    if (ids.length === 0) return;
    const key = this.blockKey(index, begin);
    for (const otherId of ids) {
      const other = this.links.peers.get(otherId);
      if (other && other.requests.delete(key)) other.wire.send({ type: 'cancel', index, begin, length });
    }
  }

  private storeBlock(index: number, begin: number, block: Buffer, from: string, pieceComplete: boolean): void {
    let piece = this.inProgress.get(index);
    if (!piece) {
      piece = { assembly: new PieceAssembly(this.pieceBuffer(index), BLOCK, this.options.incrementalHash), writes: [] };
      this.inProgress.set(index, piece);
    }
    piece.assembly.add(begin, block, from);
    if (pieceComplete) {
      this.inProgress.delete(index);
      void this.completePiece(index, piece);
      return;
    }
    const ready = piece.assembly.takeReady(WRITE_STRETCH_BYTES);
    if (ready) piece.writes.push(this.writeStretch(index, ready));
  }

  /** Written before the piece is verified: a piece that fails is downloaded and written again. */
  private writeStretch(index: number, span: PieceSpan): Promise<void> {
    const written = this.ctx.storage.writePart(index, span.begin, span.data);
    written.catch(() => undefined); // awaited (and reported) when the piece completes
    return written;
  }

  private pieceBuffer(index: number): Buffer {
    const size = this.ctx.picker.pieceSize(index);
    return size === this.ctx.meta.pieceLength ? this.links.pieceBuffers.take() : Buffer.allocUnsafe(size);
  }

  private blockKey(index: number, begin: number): number {
    return blockKey(index, begin, this.blocksPerPiece, BLOCK);
  }

  private throttleDownload(peer: Peer, bytes: number): void {
    const delay = Math.max(this.options.downloadLimiter.consume(bytes), this.options.globalDownload?.consume(bytes) ?? 0);
    if (delay > 0 && !peer.socket.isPaused()) {
      peer.socket.pause();
      setTimeout(() => peer.socket.resume(), delay).unref();
    }
  }

  // ---- complete pieces: completePiece -> commitPiece -> verifyAndWriteRest ----

  /** The piece's last block is in: verify and write it, tracked so that stop() can wait for it. */
  private completePiece(index: number, piece: PieceInProgress): Promise<void> {
    const completing = this.commitPiece(index, piece);
    this.completing.add(completing);
    return completing.finally(() => this.completing.delete(completing));
  }

  /** Acts on the verdict: marks the piece had (or failed), tells peers, and frees its buffer and write budget. */
  private async commitPiece(index: number, piece: PieceInProgress): Promise<void> {
    const ctx = this.ctx;
    const data = piece.assembly.buffer;
    // A piece from before a stop must not act on the run after it (start() can follow at once).
    const run = ctx.run;
    const current = () => ctx.running && run === ctx.run;
    this.pendingWriteBytes += data.length;
    let keptForUpload = false;
    try {
      const verdict = await this.verifyAndWriteRest(index, piece, run);
      // Counted even when stopping: the bytes are on disk and stop() saves the resume data after this.
      if (verdict === 'verified') {
        ctx.picker.pieceVerified(index);
        this.links.markResumeOutdated();
      }
      if (!current()) return;
      if (verdict === 'hash-failed') return this.onHashFailed(index, piece.assembly.contributors);
      this.links.pieceDone(index);
      keptForUpload = this.announcePiece(index, data);
      if (ctx.picker.wantedComplete()) await this.links.wantedComplete();
    } catch (error) {
      if (!current()) return;
      ctx.picker.pieceFailed(index);
      ctx.fail(error);
    } finally {
      const wasFull = !this.hasWriteRoom;
      this.pendingWriteBytes -= data.length;
      // A cached one goes back when it leaves the cache (and the sockets have written it); a
      // stopped torrent keeps no spares.
      if (!keptForUpload && current()) this.links.pieceBuffers.give(data);
      // Requests stopped while the writes were behind: resume them as soon as there is room.
      if (wasFull && this.hasWriteRoom && current()) this.fillOthers();
    }
  }

  /**
   * Checks a complete piece's hash and, if it matches, writes what is left of it. Returns (or
   * throws) only once every stretch of the piece has landed: a piece that failed is fetched
   * again, and a late stale write would overwrite the good data.
   */
  private async verifyAndWriteRest(index: number, piece: PieceInProgress, run: number): Promise<'verified' | 'hash-failed' | 'stopped'> {
    const { storage } = this.ctx;
    try {
      const { assembly } = piece;
      const ok = this.options.incrementalHash
        ? storage.digestMatches(index, assembly.digest())
        : await storage.verifyPiece(index, assembly.buffer);
      if (!this.ctx.running || run !== this.ctx.run) return 'stopped';
      if (!ok) return 'hash-failed';
      const rest = assembly.takeRest();
      if (rest) piece.writes.push(storage.writePart(index, rest.begin, rest.data));
      await Promise.all(piece.writes);
      return 'verified';
    } finally {
      await Promise.allSettled(piece.writes);
    }
  }

  private onHashFailed(index: number, contributors: ReadonlySet<string>): void {
    this.ctx.traffic.hashFailures++;
    this.ctx.traffic.corrupt += this.ctx.picker.pieceSize(index);
    this.ctx.picker.pieceFailed(index);
    this.links.hashFailed(index);
    for (const id of contributors) {
      this.links.webSeedHashFailed(id, contributors.size === 1);
      const p = this.links.peers.get(id);
      if (!p) continue;
      p.hashFailures++;
      if (contributors.size === 1 || p.hashFailures >= 3) this.links.peers.ban(p, `sent data that failed the hash check (piece ${index})`);
    }
    this.fillOthers();
  }

  /** Tells the peers that lack the piece; returns whether its buffer stays in the read cache for them. */
  private announcePiece(index: number, data: Buffer): boolean {
    let wanted = false;
    for (const p of this.links.peers.values()) {
      if (p.bitfield.get(index)) continue;
      p.wire.send({ type: 'have', index });
      wanted = true;
    }
    // Peers lacking it are likely to ask for it soon: serve it from memory, not from disk.
    if (!wanted || this.links.readCache.has(index)) return false;
    this.links.readCache.cachePiece(index, data);
    return true;
  }
}
