/**
 * BEP 9, the fetching side: given an info-hash and peer addresses (from x.pe, trackers, the
 * DHT), connects to peers through the Connector and Dialer (METADATA_DIAL_POLICY), asks several of them for ut_metadata pieces,
 * assembles them and checks the SHA-1 against the info-hash. Hostile peers (wrong sizes,
 * oversized metadata, bad pieces, silence) are dropped and others tried.
 */
import { createHash } from 'node:crypto';
import { MetadataAssembly } from './metadata-assembly.js';
import { EventEmitter } from 'node:events';
import type { PeerAddress } from '../discovery/tracker/types.js';
import { Connector } from '../transport/connector.js';
import { Dialer, METADATA_DIAL_POLICY, type KnownPeer } from '../transport/dialer.js';
import type { Duplex } from 'node:stream';
import type { HandedOverPeer } from '../transport/handover.js';
import type { Handshake } from '../wire/handshake.js';
import type { PeerWire } from '../wire/peer-wire.js';
import type { ExtensionHandshake } from '../wire/extension.js';
import type { Message } from '../wire/messages.js';
import {
  decodeMetadataMessage,
  encodeMetadataMessage,
  MAX_METADATA_SIZE,
  metadataPieceLength,
} from '../extensions/ut-metadata-messages.js';
import { UT_METADATA } from '../extensions/ut-metadata.js';

export interface MetadataFetcherOptions {
  infoHash: Buffer;
  peerId: Buffer;
  /** Our listen port, told to peers in the extension handshake (so they may connect back). */
  listenPort?: number;
  maxConnections?: number;
  connectTimeoutMs?: number;
  /** Turns addresses into handshaken wires; default: plain TCP with our peerId. */
  connector?: Connector;
  /** A peer that leaves a piece request unanswered this long loses it to another peer. */
  requestTimeoutMs?: number;
  maxMetadataSize?: number;
}

export interface MetadataFetchStats {
  /** Addresses heard of. */
  known: number;
  connected: number;
  /** Connected peers that offer ut_metadata with a plausible size. */
  offering: number;
  banned: number;
  /** Pieces held / needed for the current attempt (0 / 0 before any peer offered metadata). */
  pieces: number;
  pieceCount: number;
  hashFailures: number;
}

export class MetadataError extends Error {
  override name = 'MetadataError';
}

const LOCAL_UT_METADATA_ID = 1;
const MAX_INFLIGHT_PER_PEER = 4;
const MAX_STRIKES = 3;
/** A peer that has not offered metadata this long after connecting never will. */
const OFFER_TIMEOUT_MS = 15_000;
/** Messages kept per peer for the torrent (a bitfield, a few haves, unchoke): more, and it is not handed over. */
const MAX_RECORDED = 4096;

interface FetchPeer {
  key: string;
  host: string;
  port: number;
  wire: PeerWire;
  /** The transport's stream, once the handshake is accepted. */
  stream?: Duplex;
  /** What the peer said besides ut_metadata, kept for the torrent it may be handed to; undefined past MAX_RECORDED. */
  said: Message[] | undefined;
  /** Takes the fetcher's own listeners off the wire (the recording stays)... */
  detach(): void;
  /** ...until this. */
  stopRecording(): void;
  /** The id the remote wants ut_metadata messages under; 0 until it offered metadata. */
  remoteId: number;
  size: number;
  inflight: Map<number, number>;
  rejected: Set<number>;
  strikes: number;
}

export class MetadataFetcher extends EventEmitter {
  private readonly dialer: Dialer;
  private readonly banned = new Set<string>();
  private readonly peers = new Map<string, FetchPeer>();
  /** Connections kept for the torrent once the metadata is verified (see takeHandedOver). */
  private handedOver: HandedOverPeer[] = [];
  private assembly?: MetadataAssembly;
  private singleSource = false;
  private hashFailures = 0;
  private closed = false;
  private readonly ticker: NodeJS.Timeout;
  private settle!: { resolve: (info: Buffer) => void; reject: (error: Error) => void };
  /** The verified info dictionary; rejects only when close() is called first. */
  readonly result: Promise<Buffer>;

  constructor(private readonly options: MetadataFetcherOptions) {
    super();
    if (options.infoHash.length !== 20) throw new RangeError('info-hash must be 20 bytes');
    const connector = options.connector ?? new Connector({ peerId: options.peerId });
    this.dialer = new Dialer(connector, {
      ...METADATA_DIAL_POLICY,
      connectTimeoutMs: options.connectTimeoutMs ?? METADATA_DIAL_POLICY.connectTimeoutMs,
    });
    this.result = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    this.result.catch(() => undefined);
    this.ticker = setInterval(() => {
      this.expireRequests();
      this.connectMore();
    }, 500);
    this.ticker.unref();
  }

  addPeers(addresses: PeerAddress[]): void {
    for (const { host, port } of addresses) {
      if (!port || port > 65535 || !host) continue;
      this.dialer.known.add(host, port);
    }
    this.connectMore();
  }

  stats(): MetadataFetchStats {
    let offering = 0;
    for (const p of this.peers.values()) if (p.remoteId) offering++;
    return {
      known: this.dialer.known.size,
      connected: this.peers.size,
      offering,
      banned: this.banned.size,
      pieces: this.assembly?.have ?? 0,
      pieceCount: this.assembly?.pieces.length ?? 0,
      hashFailures: this.hashFailures,
    };
  }

  /** Every address heard of, for the torrent to connect to once the metadata is in. */
  peerAddresses(): PeerAddress[] {
    return [...this.dialer.known.values()].filter((p) => !this.banned.has(p.key)).map(({ host, port }) => ({ host, port }));
  }

  /**
   * Once the metadata is verified: the connections that gave it, handshaken and still open,
   * for the torrent to keep (the caller owns them now: adopt or destroy each).
   */
  takeHandedOver(): HandedOverPeer[] {
    const handed = this.handedOver;
    this.handedOver = [];
    return handed;
  }

  close(reason = new MetadataError('metadata fetch stopped')): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.ticker);
    this.dialer.cancelAll();
    for (const peer of this.peers.values()) peer.wire.destroy();
    this.peers.clear();
    this.settle.reject(reason);
  }

  private connectMore(): void {
    const max = this.options.maxConnections ?? 8;
    const now = Date.now();
    const known = this.dialer.known;
    for (const candidate of known.values()) {
      if (this.closed || this.peers.size + this.dialer.connecting >= max || this.dialer.atHalfOpenLimit) return;
      if (this.banned.has(candidate.key) || this.peers.has(candidate.key) || !known.isDue(candidate, now)) continue;
      this.connect(candidate);
    }
  }

  private connect(candidate: KnownPeer): void {
    const { key } = candidate;
    this.dialer.dial(candidate, {
      settings: () => ({
        infoHash: this.options.infoHash,
        extensions: { m: { [UT_METADATA]: LOCAL_UT_METADATA_ID }, v: 'btui', p: this.options.listenPort || undefined },
      }),
      opened: (wire) => this.attach(candidate, wire),
      accept: () => true,
      connected: (wire, stream) => {
        const peer = this.peers.get(key);
        if (peer?.wire === wire) peer.stream = stream;
      },
      // Once connected, the wire's own close handler below retries and connects more.
      failed: () => {
        if (!this.peers.has(key)) this.connectMore();
      },
    });
  }

  /** The stream is open and our handshake sent: from here the peer counts as connected. */
  private attach({ key, host, port }: KnownPeer, wire: PeerWire): void {
    const onHandshake = (h: Handshake) => {
      if (h.peerId.equals(this.options.peerId)) this.ban(peer, 'that is us');
      else if (!wire.extendedEnabled) wire.destroy();
      else if (wire.fastEnabled) wire.send({ type: 'have-none' });
    };
    const onExtensionHandshake = (h: ExtensionHandshake) => this.onExtensionHandshake(peer, h);
    const onMessage = (m: Message) => {
      if (m.type === 'extended' && m.id === LOCAL_UT_METADATA_ID) this.onMetadataMessage(peer, m.payload);
    };
    const record = (m: Message) => {
      if (m.type === 'extended' || m.type === 'keep-alive' || !peer.said) return;
      if (peer.said.length < MAX_RECORDED) peer.said.push(m);
      else peer.said = undefined;
    };
    const onClose = () => {
      clearTimeout(offerTimer);
      if (this.peers.get(key) === peer) this.peers.delete(key);
      this.retryLater(key);
      if (this.assembly?.owner === key) this.assembly.owner = undefined;
      this.connectMore();
      this.fillAll();
    };
    const detach = () => {
      clearTimeout(offerTimer);
      wire.off('handshake', onHandshake);
      wire.off('extended-handshake', onExtensionHandshake);
      wire.off('message', onMessage);
      wire.off('close', onClose);
    };
    const stopRecording = () => wire.off('message', record);
    const peer: FetchPeer = {
      key,
      host,
      port,
      wire,
      said: [],
      detach,
      stopRecording,
      remoteId: 0,
      size: 0,
      inflight: new Map(),
      rejected: new Set(),
      strikes: 0,
    };
    this.peers.set(key, peer);
    const offerTimer = setTimeout(() => peer.remoteId || wire.destroy(), OFFER_TIMEOUT_MS);
    offerTimer.unref();
    wire.once('handshake', onHandshake);
    wire.on('extended-handshake', onExtensionHandshake);
    wire.on('message', record);
    wire.on('message', onMessage);
    wire.once('close', onClose);
  }

  /** The metadata is verified: open, handshaken connections go to the torrent instead of closing. */
  private handOver(): void {
    for (const peer of [...this.peers.values()]) {
      const { wire, stream, host, port } = peer;
      if (!stream || !peer.said || wire.destroyed || !wire.remoteHandshake || this.banned.has(peer.key)) continue;
      peer.detach();
      this.peers.delete(peer.key);
      this.handedOver.push({
        host,
        port,
        wire,
        stream,
        release: () => {
          peer.stopRecording();
          return peer.said;
        },
      });
    }
  }

  private retryLater(key: string): void {
    this.dialer.known.ended(key);
  }

  private onExtensionHandshake(peer: FetchPeer, h: ExtensionHandshake): void {
    const id = h.m[UT_METADATA];
    const size = h.metadata_size;
    if (!id || size === undefined) {
      this.dialer.known.giveUp(peer.key); // it never will
      peer.wire.destroy();
      return;
    }
    if (size === 0 || size > (this.options.maxMetadataSize ?? MAX_METADATA_SIZE)) {
      this.ban(peer, `implausible metadata_size ${size}`);
      return;
    }
    peer.remoteId = id;
    peer.size = size;
    this.emit('peer', peer.key);
    this.fill(peer);
  }

  private onMetadataMessage(peer: FetchPeer, payload: Buffer): void {
    const m = decodeMetadataMessage(payload);
    if (!m) return;
    if (m.type === 'request') {
      if (peer.remoteId)
        peer.wire.send({ type: 'extended', id: peer.remoteId || 0, payload: encodeMetadataMessage({ type: 'reject', piece: m.piece }) });
      return;
    }
    if (!peer.inflight.delete(m.piece)) return; // unasked for, or already timed out: ignore
    const a = this.assembly;
    if (m.type === 'reject') {
      peer.rejected.add(m.piece);
      if (a && peer.rejected.size >= Math.min(MAX_STRIKES, a.pieces.length)) peer.wire.destroy();
      else this.fillAll();
      return;
    }
    if (!a || m.totalSize !== a.size || m.totalSize !== peer.size)
      return this.ban(peer, `total_size ${m.totalSize} differs from metadata_size`);
    if (m.piece >= a.pieces.length || m.data.length !== metadataPieceLength(a.size, m.piece)) {
      return this.ban(peer, `metadata piece ${m.piece} of ${m.data.length} bytes`);
    }
    if (a.add(m.piece, m.data, peer.key)) this.emit('progress', this.stats());
    if (a.complete) this.verify(a);
    else this.fillAll();
  }

  private verify(a: MetadataAssembly): void {
    const info = a.bytes();
    if (createHash('sha1').update(info).digest().equals(this.options.infoHash)) {
      this.handOver();
      this.settle.resolve(info);
      this.close();
      return;
    }
    this.hashFailures++;
    const contributors = a.contributors();
    this.assembly = undefined;
    if (contributors.size === 1 || this.singleSource) {
      for (const key of contributors) {
        const peer = this.peers.get(key);
        if (peer) this.ban(peer, 'metadata does not match the info-hash');
        else this.banned.add(key);
      }
    }
    // Several peers contributed: we cannot tell whose piece was bad, so each attempt from
    // now on comes from a single peer, and a failing one is banned.
    this.singleSource = true;
    this.emit('hash-failure', [...contributors]);
    this.fillAll();
  }

  private ban(peer: FetchPeer, reason: string): void {
    this.banned.add(peer.key);
    this.emit('banned', peer.key, reason);
    peer.wire.destroy(new Error(reason));
  }

  private fillAll(): void {
    for (const peer of this.peers.values()) this.fill(peer);
  }

  private fill(peer: FetchPeer): void {
    if (this.closed || !peer.remoteId || peer.wire.destroyed) return;
    this.assembly ??= new MetadataAssembly(peer.size);
    const a = this.assembly;
    if (peer.size !== a.size) return; // kept in reserve in case the current size proves wrong
    if (this.singleSource) {
      a.owner ??= peer.key;
      if (a.owner !== peer.key) return;
    }
    const wanted = (duplicate: boolean) =>
      a.wanted((i) => peer.inflight.has(i) || peer.rejected.has(i) || (!duplicate && this.requestedElsewhere(i, peer)));
    let pieces = wanted(false);
    // Endgame: an idle peer may duplicate a piece someone else is slow to deliver.
    if (pieces.length === 0 && peer.inflight.size === 0) pieces = wanted(true);
    const now = Date.now();
    for (const piece of pieces) {
      if (peer.inflight.size >= MAX_INFLIGHT_PER_PEER) break;
      peer.inflight.set(piece, now);
      peer.wire.send({ type: 'extended', id: peer.remoteId, payload: encodeMetadataMessage({ type: 'request', piece }) });
    }
  }

  private requestedElsewhere(piece: number, except: FetchPeer): boolean {
    for (const p of this.peers.values()) if (p !== except && p.inflight.has(piece)) return true;
    return false;
  }

  private expireRequests(): void {
    const limit = this.options.requestTimeoutMs ?? 10_000;
    const now = Date.now();
    let expired = false;
    for (const peer of this.peers.values()) {
      for (const [piece, at] of peer.inflight) {
        if (now - at < limit) continue;
        peer.inflight.delete(piece);
        peer.rejected.add(piece); // not again from this peer
        expired = true;
        if (++peer.strikes >= MAX_STRIKES) peer.wire.destroy();
      }
    }
    if (expired) this.fillAll();
  }
}
