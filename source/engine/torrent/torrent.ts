import { EventEmitter } from 'node:events';
import { mkdir } from 'node:fs/promises';
import net from 'node:net';
import { dirname } from 'node:path';
import { Announcer, type TrackerStats } from '../discovery/announcer.js';
import type { ExtensionPeer, WireExtension } from '../extensions/extension-api.js';
import type { ExtensionHandshake } from '../wire/extension.js';
import { Bitfield } from '../codec/bitfield.js';
import { chooseUnchoked, isSnubbed, pickOptimistic, type ChokerPeer } from './choker.js';
import type { Metainfo } from '../metainfo/metainfo.js';
import { blockKey, Peer } from './peer.js';
import { PiecePicker, type BlockRequest } from './picker.js';
import { RateLimiter } from './rate-limiter.js';
import { BufferPool } from './buffer-pool.js';
import { PieceAssembly, type PieceSpan } from './piece-assembly.js';
import { sharedHousekeeper, type Housekeeper } from './housekeeper.js';
import { Storage, StorageError, type CheckHashing } from '../storage/storage.js';
import type { PeerAddress } from '../discovery/tracker/types.js';
import { connectPeerSocket } from '../transport/peer-socket.js';
import { PeerWire } from '../wire/peer-wire.js';
import { clientFromPeerId } from '../wire/peer-id.js';
import type { Message } from '../wire/messages.js';
import { describeError } from '../../errors.js';
import { PEX_REACHABLE, PEX_SEED } from '../extensions/pex-codec.js';
import { UtPex, type PexSwarm } from '../extensions/ut-pex.js';
import { WebSeed, type WebSeedHost, type WebSeedOptions } from '../discovery/webseed/web-seed.js';

export type TorrentState = 'checking' | 'downloading' | 'seeding' | 'paused' | 'error' | 'metadata' | 'queued';

export interface TorrentOptions {
  directory: string;
  peerId: Buffer;
  /** Our listen port, announced to trackers. */
  listenPort: () => number;
  hash?: (data: Buffer) => Promise<Buffer>;
  /** Where full checks hash (see Storage). */
  check?: CheckHashing;
  /** Where the resume file lives; none = always recheck on start. */
  resumePath?: string;
  /** Skip the check on start: the data is known to be complete (a fresh `create`). */
  seedMode?: boolean;
  maxPeers?: number;
  uploadSlots?: number;
  /** Pieces kept in memory for uploading (finished ones, and ones read from disk); 16 MiB by default. */
  readCacheBytes?: number;
  globalDownload?: RateLimiter;
  globalUpload?: RateLimiter;
  /** Whether the session may open another connection now (global cap). */
  mayConnect?: () => boolean;
  sequential?: boolean;
  filePriorities?: Uint8Array;
  announceTimeoutMs?: number;
  udpBaseTimeoutMs?: number;
  handshakeTimeoutMs?: number;
  idleTimeoutMs?: number;
  /**
   * BEP 10 extensions (ut_metadata, ...); local message ids follow this order from 1. The torrent
   * adds its own ut_pex after them unless the torrent is private or `pex` is false.
   */
  extensions?: WireExtension[];
  pex?: boolean;
  /** BEP 19 web seeds from the metainfo's url-list; on unless false. */
  webSeeds?: boolean | WebSeedOptions;
  /** Drives the periodic work (tick, rechoke, resume save); the session passes its own. */
  housekeeper?: Housekeeper;
}

export interface TorrentStats {
  infoHash: string;
  name: string;
  state: TorrentState;
  error?: string;
  length: number;
  pieceCount: number;
  pieceLength: number;
  havePieces: number;
  /** Bytes of verified data we hold (wanted or not). */
  completedBytes: number;
  progress: number;
  downloadRate: number;
  uploadRate: number;
  /** Payload bytes received and sent since the torrent was added (this run). */
  downloaded: number;
  uploaded: number;
  wasted: number;
  ratio: number;
  peers: number;
  seeds: number;
  knownPeers: number;
  etaSeconds?: number;
  addedAt: number;
  completedAt?: number;
  directory: string;
  hashFailures: number;
}

export interface PeerStats {
  id: string;
  host: string;
  port: number;
  client: string;
  incoming: boolean;
  amChoking: boolean;
  amInterested: boolean;
  peerChoking: boolean;
  peerInterested: boolean;
  snubbed: boolean;
  progress: number;
  downloadRate: number;
  uploadRate: number;
  downloaded: number;
  uploaded: number;
  requests: number;
  uploadQueue: number;
}

interface KnownPeer {
  host: string;
  port: number;
  failures: number;
  nextTryAt: number;
  connecting: boolean;
}

/** A piece being read from disk for uploads; each waiter is handed the buffer held for it. */
interface PendingRead {
  waiters: number;
  data: Promise<Buffer>;
}

interface PieceInProgress {
  assembly: PieceAssembly;
  /** Stretches of the piece written as they completed; the buffer is reused only after all of them. */
  writes: Promise<void>[];
}

const BLOCK = 16 * 1024;
/** A piece's gap-free prefix is written once this much of it has arrived (see PieceAssembly). */
const WRITE_STRETCH_BYTES = 256 * 1024;
const MAX_REQUEST_LENGTH = 128 * 1024;
const MAX_UPLOAD_QUEUE = 2000;
const MAX_UNREAD_BYTES = 4 * 1024 * 1024;
const MAX_PENDING_WRITE_BYTES = 32 * 1024 * 1024;
/** Spare piece buffers kept for reuse: enough for the pieces a fast download has in flight, no more. */
const MAX_SPARE_BUFFER_BYTES = 8 * 1024 * 1024;
const READ_CACHE_BYTES = 16 * 1024 * 1024;
/** A torrent that moved no data for this long lets go of its read cache and spare piece buffers. */
const IDLE_MEMORY_RELEASE_MS = 60_000;
const REQUEST_QUEUE_SECONDS = 2;
const MIN_QUEUE_DEPTH = 32;
const MAX_QUEUE_DEPTH = 512;
const CHOKE_INTERVAL_MS = 10_000;
const OPTIMISTIC_INTERVAL_MS = 30_000;
const RESUME_SAVE_INTERVAL_MS = 30_000;
const CONNECT_TIMEOUT_MS = 10_000;
const MAX_HALF_OPEN = 8;
/** Peer exchange stops adding to the known list beyond this many addresses. */
const MAX_KNOWN_FROM_PEX = 1000;

/**
 * One torrent: owns its storage, picker, announcer and peers, and runs the transfer
 * (requests, verification, uploading, choking). Plain Node; reports through events and
 * `stats()`, which returns plain copies.
 */
export class Torrent extends EventEmitter {
  readonly infoHash: Buffer;
  readonly storage: Storage;
  picker: PiecePicker;
  state: TorrentState = 'paused';
  error?: string;
  readonly addedAt = Date.now();
  completedAt?: number;

  private readonly peers = new Map<string, Peer>();
  private readonly known = new Map<string, KnownPeer>();
  private readonly banned = new Set<string>();
  private readonly inProgress = new Map<number, PieceInProgress>();
  private readonly readCache = new Map<number, Buffer>();
  private readCacheBytes = 0;
  private readonly pendingReads = new Map<number, PendingRead>();
  /** Full-size piece buffers, reused once written and out of the read cache. */
  private readonly pieceBuffers: BufferPool;
  private pendingWriteBytes = 0;
  /** Pieces are hashed as their blocks arrive unless a custom hasher was given (or there are no SHA-1 piece hashes). */
  private readonly incrementalHash: boolean;
  private readonly blocksPerPiece: number;
  private announcer: Announcer;
  private lastRechokeAt = 0;
  private lastSaveAt = 0;
  private optimistic?: string;
  private lastOptimisticAt = 0;
  private running = false;
  private dirty = false;
  private saving: Promise<void> = Promise.resolve();
  /** Pieces being verified and written; stop() lets them land before it saves and closes. */
  private readonly finishing = new Set<Promise<void>>();
  private halfOpen = 0;
  private starting?: Promise<void>;
  private stopping?: Promise<void>;
  /** Counts starts: work begun in one run checks it is still current before acting. */
  private run = 0;
  private downloadedBytes = 0;
  private uploadedBytes = 0;
  /** Bytes moved (down + up) at the last housekeeping that saw them change, and when. */
  private lastTraffic = { bytes: 0, at: 0 };
  private wastedBytes = 0;
  private hashFailures = 0;
  private readonly downloadLimiter = new RateLimiter();
  private readonly uploadLimiter = new RateLimiter();
  private readonly rateSamples: { at: number; down: number; up: number }[] = [];
  private readonly extensions: WireExtension[];
  private readonly webSeeds: WebSeed[];
  /** What a web seed has: everything. */
  private readonly allPieces: Bitfield;

  constructor(readonly meta: Metainfo, private readonly options: TorrentOptions) {
    super();
    this.infoHash = meta.infoHashBuffer;
    this.storage = new Storage(meta, { directory: options.directory, hash: options.hash, filePriorities: options.filePriorities, check: options.check });
    this.picker = this.makePicker(new Bitfield(meta.pieceCount));
    this.announcer = this.makeAnnouncer();
    this.extensions = [...(options.extensions ?? [])];
    const pexAllowed = !meta.private && options.pex !== false && !this.extensions.some((e) => e.name === 'ut_pex');
    if (pexAllowed) this.extensions.push(new UtPex(this.pexSwarm()));
    this.allPieces = new Bitfield(meta.pieceCount);
    this.allPieces.setAll();
    this.webSeeds = this.makeWebSeeds();
    this.blocksPerPiece = Math.ceil(meta.pieceLength / BLOCK);
    this.incrementalHash = !options.hash && meta.pieces.length === meta.pieceCount * 20;
    this.pieceBuffers = new BufferPool(meta.pieceLength, MAX_SPARE_BUFFER_BYTES);
  }

  get name(): string {
    return this.meta.name;
  }

  /** Piece data held in memory for uploads and reuse: the read cache and spare piece buffers. */
  get cachedBytes(): number {
    return this.readCacheBytes + this.pieceBuffers.spareCount * this.pieceBuffers.size;
  }

  get isRunning(): boolean {
    return this.running;
  }

  // ---- lifecycle ----

  start(): Promise<void> {
    if (this.running) return this.starting ?? Promise.resolve();
    this.running = true;
    this.run++;
    this.error = undefined;
    // A stop still closing (e.g. after an error) finishes first: its writes and close must not land on the new run.
    // 'checking' at once, so that peers added meanwhile wait for the picker startUp makes.
    this.setState('checking');
    const previous = this.stopping;
    this.starting = (previous ? previous.then(() => this.startUp()) : this.startUp()).finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async startUp(): Promise<void> {
    try {
      this.setState('checking');
      await this.storage.open();
      const have = await this.initialHave();
      if (!this.running) return;
      this.picker = this.makePicker(have);
      for (const ws of this.webSeeds) if (!ws.disabledReason) this.picker.addPeer(ws.id, this.allPieces);
      this.setState(this.picker.wantedComplete() ? 'seeding' : 'downloading');
      if (this.state === 'seeding' && !this.completedAt) this.completedAt = Date.now();
      this.announcer = this.makeAnnouncer();
      this.announcer.start();
      this.lastRechokeAt = this.lastSaveAt = Date.now();
      this.housekeeper.add(this);
      this.connectMore();
      this.fillWebSeeds();
      if (this.state === 'seeding') this.emit('done');
    } catch (error) {
      this.fail(error);
    }
  }

  private async initialHave(): Promise<Bitfield> {
    const count = this.meta.pieceCount;
    if (this.options.seedMode) {
      const all = new Bitfield(count);
      all.setAll();
      return all;
    }
    if (this.options.resumePath) {
      const saved = await this.storage.loadResume(this.options.resumePath).catch(() => undefined);
      if (saved) return saved;
    }
    const checked = await this.storage.recheck((done, total) => this.emit('checking', done, total));
    // What a full check found is worth keeping: the next start need not check again.
    this.dirty = true;
    return checked;
  }

  async stop(): Promise<void> {
    if (!this.running) return this.stopping;
    this.running = false;
    const stopping = this.shutDown();
    this.stopping = stopping;
    await stopping;
    if (this.stopping === stopping) this.stopping = undefined;
  }

  private async shutDown(): Promise<void> {
    this.housekeeper.delete(this);
    for (const peer of [...this.peers.values()]) peer.wire.destroy();
    this.peers.clear();
    for (const ws of this.webSeeds) ws.close();
    this.inProgress.clear();
    this.pieceBuffers.clear();
    for (const extension of this.extensions) extension.close?.();
    this.clearReadCache();
    if (this.state !== 'error') this.setState('paused');
    await this.starting?.catch(() => undefined);
    await Promise.allSettled([...this.finishing]);
    await Promise.all([this.announcer.stop(), this.saveResume()]);
    await this.storage.close();
  }

  /**
   * A stopped torrent's pieces from its resume data, without opening, creating or hashing
   * anything: so that a paused torrent shows its progress before it runs. Returns whether
   * saved data was taken (none, stale or unreadable: the progress stays as it was).
   */
  async loadSavedProgress(): Promise<boolean> {
    if (this.running || this.options.seedMode || !this.options.resumePath) return false;
    const run = this.run;
    const saved = await this.storage.loadResume(this.options.resumePath).catch(() => undefined);
    if (!saved || this.running || run !== this.run) return false;
    this.picker = this.makePicker(saved);
    return true;
  }

  /** Drops all state and verifies the data on disk again. */
  async recheck(): Promise<void> {
    const wasRunning = this.running;
    await this.stop();
    this.setState('checking');
    try {
      await this.storage.open();
      const have = await this.storage.recheck((done, total) => this.emit('checking', done, total));
      this.picker = this.makePicker(have);
      this.dirty = true;
      // Saved while the storage is still open: a closed one refuses to stamp the files.
      await this.saveResume();
      await this.storage.close();
      this.setState('paused');
    } catch (error) {
      this.fail(error);
      return;
    }
    if (wasRunning) await this.start();
  }

  announceNow(): void {
    this.announcer.announceNow();
  }

  setLimits(limits: { download?: number; upload?: number }): void {
    if (limits.download !== undefined) this.downloadLimiter.setRate(limits.download);
    if (limits.upload !== undefined) this.uploadLimiter.setRate(limits.upload);
  }

  setFilePriorities(priorities: Uint8Array): void {
    this.options.filePriorities = priorities;
    this.storage.setFilePriorities(priorities);
    this.picker.setPiecePriorities(this.piecePriorities());
    if (this.running && this.state === 'seeding' && !this.picker.wantedComplete()) this.setState('downloading');
    if (this.running && this.state === 'downloading' && this.picker.wantedComplete()) this.onWantedComplete();
  }

  // ---- peers ----

  addPeers(addresses: PeerAddress[]): void {
    for (const { host, port } of addresses) {
      if (!port || port > 65535) continue;
      const key = addressKey(host, port);
      if (this.banned.has(key) || this.known.has(key)) continue;
      this.known.set(key, { host, port, failures: 0, nextTryAt: 0, connecting: false });
    }
    if (this.running) this.connectMore();
  }

  /** An incoming connection whose handshake named this torrent (the session answered it). */
  attachIncoming(wire: PeerWire, socket: net.Socket): void {
    const host = normalizeHost(socket.remoteAddress ?? '?');
    const port = socket.remotePort ?? 0;
    if (!this.running || this.state === 'checking' || this.peers.size >= (this.options.maxPeers ?? 50) || this.isBanned(host, port, wire)) {
      wire.destroy();
      return;
    }
    this.attach(wire, socket, host, port, true);
  }

  private connectMore(): void {
    if (!this.running || this.state === 'checking') return;
    const max = this.options.maxPeers ?? 50;
    const now = Date.now();
    const seeding = this.state === 'seeding';
    for (const candidate of this.known.values()) {
      if (this.peers.size + this.halfOpen >= max || this.halfOpen >= MAX_HALF_OPEN) break;
      if (seeding) break; // seeders wait to be found; leechers connect to us
      if (candidate.connecting || candidate.nextTryAt > now) continue;
      const key = addressKey(candidate.host, candidate.port);
      if (this.peers.has(key) || this.banned.has(key)) continue;
      if (this.options.mayConnect && !this.options.mayConnect()) break;
      this.connectTo(candidate);
    }
  }

  private connectTo(candidate: KnownPeer): void {
    candidate.connecting = true;
    this.halfOpen++;
    const { socket, deliverTo } = connectPeerSocket(candidate.host, candidate.port);
    let settled = false;
    const settle = (ok: boolean) => {
      if (settled) return;
      settled = true;
      this.halfOpen--;
      candidate.connecting = false;
      if (!ok) {
        candidate.failures++;
        candidate.nextTryAt = Date.now() + Math.min(600_000, 5000 * 2 ** candidate.failures);
        if (candidate.failures > 6) this.known.delete(addressKey(candidate.host, candidate.port));
        // The slot is free now: trackers list peers long gone, and the live ones behind them
        // should not wait for the next tick.
        setImmediate(() => {
          if (this.running) this.connectMore();
        });
      }
    };
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => socket.destroy());
    socket.once('error', () => settle(false));
    socket.once('close', () => settle(false));
    socket.once('connect', () => {
      socket.setTimeout(0);
      const wire = new PeerWire(socket, {
        infoHash: this.infoHash,
        peerId: this.options.peerId,
        extensions: this.extensionHandshake(),
        handshakeTimeoutMs: this.options.handshakeTimeoutMs,
        idleTimeoutMs: this.options.idleTimeoutMs,
      });
      deliverTo((chunk) => wire.receive(chunk));
      wire.once('handshake', (h) => {
        if (!h.infoHash.equals(this.infoHash) || h.peerId.equals(this.options.peerId) || !this.running || this.isConnectedTo(wire)) {
          settle(false);
          wire.destroy();
          return;
        }
        settle(true);
        candidate.failures = 0;
        this.attach(wire, socket, candidate.host, candidate.port, false);
      });
      wire.once('close', () => settle(false));
    });
  }

  private isBanned(host: string, port: number, wire: PeerWire): boolean {
    if (this.banned.has(addressKey(host, port))) return true;
    const id = wire.remoteHandshake?.peerId;
    return id !== undefined && this.banned.has(`id:${id.toString('hex')}`);
  }

  private attach(wire: PeerWire, socket: net.Socket, host: string, port: number, incoming: boolean): void {
    const id = addressKey(host, port);
    if (this.peers.has(id) || this.isBanned(host, port, wire) || wire.remoteHandshake?.peerId.equals(this.options.peerId) || this.isConnectedTo(wire)) {
      wire.destroy();
      return;
    }
    socket.setNoDelay(true);
    const peer = new Peer(id, wire, socket, host, port, incoming, new Bitfield(this.meta.pieceCount));
    this.peers.set(id, peer);
    if (!this.known.has(id) && !incoming) this.known.set(id, { host, port, failures: 0, nextTryAt: 0, connecting: false });
    this.picker.addPeer(id, peer.bitfield);
    wire.on('message', (m: Message) => this.onMessage(peer, m));
    wire.on('extended-handshake', (h: ExtensionHandshake) => this.onExtensionHandshake(peer, h));
    if (wire.remoteExtensions) this.onExtensionHandshake(peer, wire.remoteExtensions);
    if (incoming && wire.extendedEnabled) wire.sendExtendedHandshake(this.extensionHandshake());
    wire.on('drain', () => void this.pumpUpload(peer));
    wire.once('close', () => this.onPeerClose(peer));
    this.sendHaves(peer);
    this.emit('peer', id);
    if (this.state === 'seeding' || this.picker.have.count() > 0) this.rechokeSoon();
  }

  /** Already connected to this peer id on another connection (e.g. one we learned through PEX). */
  private isConnectedTo(wire: PeerWire): boolean {
    const pid = wire.remoteHandshake?.peerId;
    if (!pid) return false;
    for (const p of this.peers.values()) if (p.wire.remoteHandshake?.peerId.equals(pid)) return true;
    return false;
  }

  private sendHaves(peer: Peer): void {
    const have = this.picker.have;
    const fast = peer.wire.remoteHandshake?.fast ?? false;
    if (fast && have.isComplete()) peer.wire.send({ type: 'have-all' });
    else if (fast && have.count() === 0) peer.wire.send({ type: 'have-none' });
    else if (have.count() > 0) peer.wire.send({ type: 'bitfield', bitfield: have.buffer });
  }

  private onExtensionHandshake(peer: Peer, remote: ExtensionHandshake): void {
    this.extensions.forEach((extension, i) => {
      const remoteId = remote.m[extension.name];
      const localId = i + 1;
      if (!remoteId) {
        peer.extensions.delete(localId);
        return;
      }
      const handle: ExtensionPeer = {
        id: peer.id,
        host: peer.host,
        port: peer.port,
        remote,
        send: (payload) => peer.wire.send({ type: 'extended', id: remoteId, payload }),
        disconnect: (reason) => peer.wire.destroy(new Error(reason)),
      };
      const known = peer.extensions.has(localId);
      peer.extensions.set(localId, handle);
      if (!known) extension.onPeer?.(handle);
    });
  }

  private onPeerClose(peer: Peer): void {
    if (this.peers.get(peer.id) !== peer) return;
    for (const [localId, handle] of peer.extensions) this.extensions[localId - 1]?.onPeerClosed?.(handle);
    this.peers.delete(peer.id);
    this.picker.removePeer(peer.id);
    peer.requests.clear();
    peer.uploadQueue.length = 0;
    if (this.optimistic === peer.id) this.optimistic = undefined;
    this.emit('peer-closed', peer.id);
    if (this.running) {
      for (const other of this.peers.values()) this.fillRequests(other);
      this.connectMore();
    }
  }

  private ban(peer: Peer, reason: string): void {
    this.banned.add(peer.id);
    const pid = peer.wire.remoteHandshake?.peerId;
    if (pid) this.banned.add(`id:${pid.toString('hex')}`);
    this.known.delete(peer.id);
    this.emit('warning', `banned ${peer.id}: ${reason}`);
    peer.wire.destroy(new Error(reason));
  }

  // ---- messages ----

  private onMessage(peer: Peer, m: Message): void {
    switch (m.type) {
      case 'choke':
        peer.peerChoking = true;
        this.releaseRequests(peer, (r) => !peer.allowedFast.has(r.index));
        break;
      case 'unchoke':
        peer.peerChoking = false;
        this.fillRequests(peer);
        break;
      case 'interested':
        peer.peerInterested = true;
        this.rechokeSoon();
        break;
      case 'not-interested':
        peer.peerInterested = false;
        break;
      case 'have':
        if (m.index >= this.meta.pieceCount) return peer.wire.destroy(new Error('have index out of range'));
        if (!peer.bitfield.get(m.index)) {
          peer.bitfield.set(m.index);
          this.picker.peerHave(peer.id, m.index);
          if (!this.picker.have.get(m.index)) this.setInterested(peer, true);
          this.afterBitfieldChange(peer);
        }
        break;
      case 'bitfield':
      case 'have-all':
      case 'have-none': {
        let bitfield: Bitfield;
        try {
          bitfield = m.type === 'bitfield' ? Bitfield.fromWire(m.bitfield, this.meta.pieceCount) : new Bitfield(this.meta.pieceCount);
        } catch {
          return peer.wire.destroy(new Error('bitfield of the wrong size'));
        }
        if (m.type === 'have-all') bitfield.setAll();
        this.picker.removePeer(peer.id);
        peer.bitfield = bitfield;
        this.picker.addPeer(peer.id, bitfield);
        this.setInterested(peer, this.picker.isInteresting(bitfield));
        this.afterBitfieldChange(peer);
        break;
      }
      case 'request':
        this.onRequest(peer, m);
        break;
      case 'cancel': {
        const i = peer.uploadQueue.findIndex((r) => r.index === m.index && r.begin === m.begin);
        if (i >= 0) peer.uploadQueue.splice(i, 1);
        break;
      }
      case 'piece':
        this.onBlock(peer, m.index, m.begin, m.block);
        break;
      case 'reject': {
        const key = this.blockKey(m.index, m.begin);
        if (peer.requests.delete(key)) {
          this.picker.releaseBlock(peer.id, m.index, m.begin);
          this.fillOthers(peer);
        }
        break;
      }
      case 'allowed-fast':
        if (m.index < this.meta.pieceCount) {
          peer.allowedFast.add(m.index);
          if (peer.peerChoking) this.fillRequests(peer);
        }
        break;
      case 'extended': {
        const extension = this.extensions[m.id - 1];
        const handle = peer.extensions.get(m.id);
        if (extension && handle) extension.onMessage(handle, m.payload);
        break;
      }
      default:
        break;
    }
  }

  private afterBitfieldChange(peer: Peer): void {
    if (this.state === 'seeding' && peer.isSeed) {
      peer.wire.destroy();
      return;
    }
    this.fillRequests(peer);
  }

  private setInterested(peer: Peer, interested: boolean): void {
    if (peer.amInterested === interested || peer.wire.destroyed) return;
    peer.amInterested = interested;
    peer.wire.send({ type: interested ? 'interested' : 'not-interested' });
  }

  // ---- downloading ----

  private fillRequests(peer: Peer): void {
    if (this.state !== 'downloading' || !peer.amInterested || peer.wire.destroyed) return;
    if (peer.peerChoking && peer.allowedFast.size === 0) return;
    if (this.pendingWriteBytes > MAX_PENDING_WRITE_BYTES) return;
    const want = peer.queueDepth - peer.requests.size;
    // Requests go out in batches: on loopback every write costs a syscall and a wakeup.
    if (want <= 0 || (want < Math.max(4, peer.queueDepth >> 2) && peer.requests.size > 0)) return;
    const blocks = this.picker.pick(peer.id, peer.bitfield, want, { choked: peer.peerChoking, allowedFast: peer.allowedFast });
    if (blocks.length === 0) return;
    const now = Date.now();
    for (const b of blocks) peer.requests.set(this.blockKey(b.index, b.begin), { index: b.index, begin: b.begin, length: b.length, sentAt: now });
    peer.wire.sendRequests(blocks);
  }

  private fillOthers(except?: Peer): void {
    for (const p of this.peers.values()) if (p !== except) this.fillRequests(p);
  }

  private releaseRequests(peer: Peer, which: (r: BlockRequest) => boolean = () => true): void {
    for (const [key, r] of peer.requests) {
      if (!which(r)) continue;
      peer.requests.delete(key);
      this.picker.releaseBlock(peer.id, r.index, r.begin);
    }
    this.fillOthers(peer);
  }

  private onBlock(peer: Peer, index: number, begin: number, block: Buffer): void {
    const key = this.blockKey(index, begin);
    const request = peer.requests.get(key);
    this.downloadedBytes += block.length;
    this.throttleDownload(peer, block.length);
    if (!request || request.length !== block.length || this.state !== 'downloading') {
      this.wastedBytes += block.length;
      peer.unrequestedBytes += block.length;
      if (peer.unrequestedBytes > 16 * 1024 * 1024) this.ban(peer, 'sends data we did not ask for');
      return;
    }
    peer.requests.delete(key);
    peer.lastBlockAt = Date.now();
    peer.blocksReceived++;
    peer.snubbed = false;
    const result = this.picker.blockReceived(peer.id, index, begin);
    if (!result.accepted) {
      this.wastedBytes += block.length;
      this.fillRequests(peer);
      return;
    }
    this.cancelElsewhere(result.cancelFrom, index, begin, block.length);
    this.storeBlock(index, begin, block, peer.id, result.pieceComplete);
    this.fillRequests(peer);
  }

  /** Endgame: the block came from one source, so the others need not send it. */
  private cancelElsewhere(ids: string[], index: number, begin: number, length: number): void {
    if (ids.length === 0) return;
    const key = this.blockKey(index, begin);
    for (const otherId of ids) {
      const other = this.peers.get(otherId);
      if (other && other.requests.delete(key)) other.wire.send({ type: 'cancel', index, begin, length });
    }
  }

  private storeBlock(index: number, begin: number, block: Buffer, from: string, pieceComplete: boolean): void {
    let piece = this.inProgress.get(index);
    if (!piece) {
      piece = { assembly: new PieceAssembly(this.pieceBuffer(index), BLOCK, this.incrementalHash), writes: [] };
      this.inProgress.set(index, piece);
    }
    piece.assembly.add(begin, block, from);
    if (pieceComplete) {
      this.inProgress.delete(index);
      void this.finishPiece(index, piece);
      return;
    }
    const ready = piece.assembly.takeReady(WRITE_STRETCH_BYTES);
    if (ready) piece.writes.push(this.writeStretch(index, ready));
  }

  /** Written before the piece is verified: a piece that fails is downloaded and written again. */
  private writeStretch(index: number, span: PieceSpan): Promise<void> {
    const written = this.storage.writePart(index, span.begin, span.data);
    written.catch(() => undefined); // awaited (and reported) when the piece completes
    return written;
  }

  private pieceBuffer(index: number): Buffer {
    const size = this.picker.pieceSize(index);
    return size === this.meta.pieceLength ? this.pieceBuffers.take() : Buffer.allocUnsafe(size);
  }

  private blockKey(index: number, begin: number): number {
    return blockKey(index, begin, this.blocksPerPiece, BLOCK);
  }

  private throttleDownload(peer: Peer, bytes: number): void {
    const delay = Math.max(this.downloadLimiter.consume(bytes), this.options.globalDownload?.consume(bytes) ?? 0);
    if (delay > 0 && !peer.socket.isPaused()) {
      peer.socket.pause();
      setTimeout(() => peer.socket.resume(), delay).unref();
    }
  }

  private finishPiece(index: number, piece: PieceInProgress): Promise<void> {
    const finishing = this.verifyAndWrite(index, piece);
    this.finishing.add(finishing);
    return finishing.finally(() => this.finishing.delete(finishing));
  }

  private async verifyAndWrite(index: number, piece: PieceInProgress): Promise<void> {
    const data = piece.assembly.buffer;
    // A piece from before a stop must not act on the run after it (start() can follow at once).
    const run = this.run;
    this.pendingWriteBytes += data.length;
    let keptForUpload = false;
    try {
      const landed = await this.landPiece(index, piece, run);
      // Counted even when stopping: the bytes are on disk and stop() saves the resume data after this.
      if (landed === 'verified') {
        this.picker.pieceVerified(index);
        this.dirty = true;
      }
      if (!this.running || run !== this.run) return;
      if (landed === 'hash-failed') return this.onHashFailed(index, piece.assembly.contributors);
      this.emit('piece', index);
      keptForUpload = this.announcePiece(index, data);
      if (this.picker.wantedComplete()) await this.completeIfOnDisk();
    } catch (error) {
      if (!this.running || run !== this.run) return;
      this.picker.pieceFailed(index);
      this.fail(error);
    } finally {
      const wasFull = this.pendingWriteBytes > MAX_PENDING_WRITE_BYTES;
      this.pendingWriteBytes -= data.length;
      // A cached one goes back when it leaves the cache (and the sockets have written it); a
      // stopped torrent keeps no spares.
      if (!keptForUpload && this.running && run === this.run) this.pieceBuffers.give(data);
      // Requests stopped while the writes were behind: resume them as soon as there is room.
      if (wasFull && this.pendingWriteBytes <= MAX_PENDING_WRITE_BYTES && this.running && run === this.run) this.fillOthers();
    }
  }

  /**
   * Checks a complete piece's hash and, if it matches, writes what is left of it. Returns (or
   * throws) only once every stretch of the piece has landed: a piece that failed is fetched
   * again, and a late stale write would overwrite the good data.
   */
  private async landPiece(index: number, piece: PieceInProgress, run: number): Promise<'verified' | 'hash-failed' | 'stopped'> {
    try {
      const { assembly } = piece;
      const ok = this.incrementalHash ? this.storage.digestMatches(index, assembly.digest()) : await this.storage.verifyPiece(index, assembly.buffer);
      if (!this.running || run !== this.run) return 'stopped';
      if (!ok) return 'hash-failed';
      const rest = assembly.takeRest();
      if (rest) piece.writes.push(this.storage.writePart(index, rest.begin, rest.data));
      await Promise.all(piece.writes);
      return 'verified';
    } finally {
      await Promise.allSettled(piece.writes);
    }
  }

  private onHashFailed(index: number, contributors: ReadonlySet<string>): void {
    this.hashFailures++;
    this.picker.pieceFailed(index);
    this.emit('hash-failed', index);
    for (const id of contributors) {
      this.webSeeds.find((ws) => ws.id === id)?.hashFailed(contributors.size === 1);
      const p = this.peers.get(id);
      if (!p) continue;
      p.hashFailures++;
      if (contributors.size === 1 || p.hashFailures >= 3) this.ban(p, `sent data that failed the hash check (piece ${index})`);
    }
    this.fillOthers();
  }

  /** Tells the peers that lack the piece; returns whether its buffer stays in the read cache for them. */
  private announcePiece(index: number, data: Buffer): boolean {
    let wanted = false;
    for (const p of this.peers.values()) {
      if (p.bitfield.get(index)) continue;
      p.wire.send({ type: 'have', index });
      wanted = true;
    }
    // Peers lacking it are likely to ask for it soon: serve it from memory, not from disk.
    if (!wanted || this.readCache.has(index)) return false;
    this.cachePiece(index, data);
    return true;
  }

  /** Done only if the files still hold what we wrote: a deleted download must not pass for a finished one. */
  private async completeIfOnDisk(): Promise<void> {
    const run = this.run;
    const missing = await this.storage.missingData(this.picker.have);
    if (!this.running || run !== this.run) return;
    if (missing) return this.fail(new StorageError(`missing data: ${missing} was deleted or truncated`, 'ENOENT', missing));
    this.onWantedComplete();
  }

  private onWantedComplete(): void {
    if (this.state !== 'downloading') return;
    this.completedAt = Date.now();
    this.setState('seeding');
    this.announcer.completed();
    void this.saveResume();
    for (const ws of this.webSeeds) ws.abort();
    for (const p of [...this.peers.values()]) {
      this.releaseRequests(p);
      if (p.isSeed) p.wire.destroy();
      else this.setInterested(p, false);
    }
    this.rechokeSoon();
    this.emit('done');
  }

  // ---- uploading ----

  private onRequest(peer: Peer, r: { index: number; begin: number; length: number }): void {
    const fast = peer.wire.remoteHandshake?.fast ?? false;
    const valid =
      r.index < this.meta.pieceCount && r.length > 0 && r.length <= MAX_REQUEST_LENGTH && r.begin + r.length <= this.picker.pieceSize(r.index);
    if (!valid) return peer.wire.destroy(new Error('invalid request'));
    if (peer.amChoking || !this.picker.have.get(r.index)) {
      if (!fast) return;
      // Each reject is bytes we hold until the peer reads them; uploads stop at the send buffer's
      // high-water mark, so a backlog far past it means a peer that asks without reading.
      if (peer.wire.writableLength > MAX_UNREAD_BYTES) return peer.wire.destroy(new Error('too many requests'));
      peer.wire.send({ type: 'reject', ...r });
      return;
    }
    if (peer.uploadQueue.length >= MAX_UPLOAD_QUEUE) return peer.wire.destroy(new Error('too many requests'));
    peer.uploadQueue.push({ index: r.index, begin: r.begin, length: r.length });
    void this.pumpUpload(peer);
  }

  private async pumpUpload(peer: Peer): Promise<void> {
    if (peer.uploading) return;
    peer.uploading = true;
    try {
      while (peer.uploadQueue.length > 0 && !peer.wire.destroyed && !peer.amChoking && !peer.wire.writableNeedDrain()) {
        const r = peer.uploadQueue.shift()!;
        const delay = Math.max(this.uploadLimiter.consume(r.length), this.options.globalUpload?.consume(r.length) ?? 0);
        const piece = await this.readPieceHeld(r.index);
        let sending = false;
        try {
          if (delay > 0) await sleep(delay);
          if (peer.wire.destroyed || peer.amChoking) break;
          sending = true;
          peer.wire.sendPiece(r.index, r.begin, piece.subarray(r.begin, r.begin + r.length), () => this.pieceBuffers.release(piece));
        } finally {
          if (!sending) this.pieceBuffers.release(piece);
        }
        this.uploadedBytes += r.length;
      }
    } catch (error) {
      this.emit('warning', `cannot serve data: ${describeError(error)}`);
      peer.wire.destroy();
      if (this.state === 'seeding') this.fail(error);
    } finally {
      peer.uploading = false;
    }
  }

  /**
   * The piece's bytes, held in pieceBuffers for the caller, who releases them once sent: held
   * before anything else runs, so the cache cannot hand the buffer on meanwhile.
   */
  private readPieceHeld(index: number): Promise<Buffer> {
    const cached = this.readCache.get(index);
    if (cached) {
      this.readCache.delete(index);
      this.readCache.set(index, cached);
      this.pieceBuffers.hold(cached);
      return Promise.resolve(cached);
    }
    let pending = this.pendingReads.get(index);
    if (!pending) {
      const size = this.picker.pieceSize(index);
      // Into a pooled buffer; one whose read failed is dropped (other slices may still be landing in it).
      const into = size === this.meta.pieceLength ? this.pieceBuffers.take() : undefined;
      const read: PendingRead = {
        waiters: 0,
        data: this.storage.read(index, 0, size, into).then(
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
  private cachePiece(index: number, data: Buffer): void {
    // A read that lands after a stop: a stopped torrent keeps nothing in memory.
    if (!this.running) return;
    const old = this.readCache.get(index);
    if (old) {
      this.readCache.delete(index);
      this.readCacheBytes -= old.length;
      if (old !== data) this.pieceBuffers.give(old);
    }
    this.readCache.set(index, data);
    this.readCacheBytes += data.length;
    for (const [k, v] of this.readCache) {
      if (this.readCacheBytes <= (this.options.readCacheBytes ?? READ_CACHE_BYTES) || k === index) break;
      this.readCache.delete(k);
      this.readCacheBytes -= v.length;
      this.pieceBuffers.give(v);
    }
  }

  private clearReadCache(): void {
    this.readCache.clear();
    this.readCacheBytes = 0;
    this.pendingReads.clear();
  }

  // ---- choking ----

  private rechokeTimer?: NodeJS.Timeout;

  private rechokeSoon(): void {
    if (this.rechokeTimer || !this.running) return;
    this.rechokeTimer = setTimeout(() => {
      this.rechokeTimer = undefined;
      this.rechoke();
    }, 50);
    this.rechokeTimer.unref();
  }

  private rechoke(): void {
    if (!this.running) return;
    const now = Date.now();
    const seeding = this.state === 'seeding';
    const list: ChokerPeer[] = [...this.peers.values()].map((p) => ({
      id: p.id,
      interested: p.peerInterested,
      downloadRate: p.wire.downloadRate.rate(now),
      uploadRate: p.wire.uploadRate.rate(now),
      snubbed: p.snubbed,
      connectedAt: p.connectedAt,
      lastUnchokedAt: p.lastUnchokedAt,
      isSeed: p.isSeed,
    }));
    const slots = this.options.uploadSlots ?? 8;
    if (!this.optimistic || now - this.lastOptimisticAt >= OPTIMISTIC_INTERVAL_MS || !this.peers.has(this.optimistic)) {
      const regular = chooseUnchoked(list, { uploadSlots: slots, seeding });
      this.optimistic = pickOptimistic(list, regular, now, Math.random);
      this.lastOptimisticAt = now;
    }
    const unchoke = chooseUnchoked(list, { uploadSlots: slots, seeding, optimistic: this.optimistic });
    for (const p of this.peers.values()) {
      const shouldChoke = !unchoke.has(p.id);
      if (shouldChoke === p.amChoking) continue;
      p.amChoking = shouldChoke;
      if (shouldChoke) {
        const fast = p.wire.remoteHandshake?.fast ?? false;
        if (fast) for (const r of p.uploadQueue) p.wire.send({ type: 'reject', ...r });
        p.uploadQueue.length = 0;
        p.wire.send({ type: 'choke' });
      } else {
        p.lastUnchokedAt = now;
        p.wire.send({ type: 'unchoke' });
      }
    }
  }

  // ---- housekeeping ----

  private get housekeeper(): Housekeeper {
    return this.options.housekeeper ?? sharedHousekeeper;
  }

  /** Once a second from the housekeeper: the tick, and the rechoke and resume save when due. */
  housekeep(now: number): void {
    if (!this.running) return;
    if (now - this.lastRechokeAt >= CHOKE_INTERVAL_MS) {
      this.lastRechokeAt = now;
      if (this.peers.size > 0) this.rechoke();
    }
    if (now - this.lastSaveAt >= RESUME_SAVE_INTERVAL_MS) {
      this.lastSaveAt = now;
      // Off the critical path, so the data is flushed: resume data then holds across reboots too.
      if (this.dirty || this.storage.hasUnflushedWrites) void this.saveResume({ flush: true });
    }
    this.releaseMemoryWhenIdle(now);
    if (this.isIdle()) {
      this.connectMore();
      return;
    }
    this.tick(now);
  }

  /** Hundreds of seeding torrents must not each keep megabytes of pieces nobody asks for. */
  private releaseMemoryWhenIdle(now: number): void {
    const bytes = this.downloadedBytes + this.uploadedBytes;
    if (bytes !== this.lastTraffic.bytes || this.lastTraffic.at === 0) {
      this.lastTraffic = { bytes, at: now };
      return;
    }
    if (now - this.lastTraffic.at < IDLE_MEMORY_RELEASE_MS) return;
    if (this.readCacheBytes > 0) this.clearReadCache();
    this.pieceBuffers.clear();
  }

  /** Nothing to tick: no peers or web seeds at work, not checking, no traffic in the rate window. */
  private isIdle(): boolean {
    if (this.peers.size > 0 || this.halfOpen > 0 || this.state === 'checking') return false;
    if (this.state === 'downloading' && this.webSeeds.some((ws) => !ws.disabledReason)) return false;
    const first = this.rateSamples[0];
    const last = this.rateSamples[this.rateSamples.length - 1];
    if (first && last && (first.down !== last.down || first.up !== last.up)) return false;
    // Traffic after a quiet spell measures from its own start, not from samples long past.
    this.rateSamples.length = 0;
    return true;
  }

  private tick(now: number): void {
    const endgame = this.picker.inEndgame();
    for (const p of this.peers.values()) {
      const rate = p.wire.downloadRate.rate(now);
      p.queueDepth = Math.max(MIN_QUEUE_DEPTH, Math.min(MAX_QUEUE_DEPTH, Math.ceil((rate * REQUEST_QUEUE_SECONDS) / BLOCK)));
      if (p.requests.size > 0 && isSnubbed(p.lastBlockAt, p.requests.size, now, endgame ? 15_000 : 60_000)) {
        p.snubbed = true;
        this.releaseRequests(p);
      }
      if (this.state === 'downloading' && !p.amInterested && this.picker.isInteresting(p.bitfield)) this.setInterested(p, true);
      if (this.state === 'downloading' && p.amInterested && !this.picker.isInteresting(p.bitfield) && p.requests.size === 0) this.setInterested(p, false);
      this.fillRequests(p);
    }
    this.sampleRates(now);
    this.connectMore();
    this.fillWebSeeds();
    this.emit('tick');
  }

  private sampleRates(now: number): void {
    this.rateSamples.push({ at: now, down: this.downloadedBytes, up: this.uploadedBytes });
    while (this.rateSamples.length > 6) this.rateSamples.shift();
  }

  private rates(): { down: number; up: number } {
    const first = this.rateSamples[0];
    const last = this.rateSamples[this.rateSamples.length - 1];
    if (!first || !last || last.at === first.at || !this.running) return { down: 0, up: 0 };
    const seconds = (last.at - first.at) / 1000;
    return { down: (last.down - first.down) / seconds, up: (last.up - first.up) / seconds };
  }

  /** Saves are serialised: one in flight at a time, and stop() waits for it before closing storage. */
  private saveResume({ flush = false }: { flush?: boolean } = {}): Promise<void> {
    this.saving = this.saving.then(() => this.writeResume(flush));
    return this.saving;
  }

  private async writeResume(flush: boolean): Promise<void> {
    if (!this.options.resumePath || !(this.dirty || (flush && this.storage.hasUnflushedWrites))) return;
    this.dirty = false;
    try {
      const missing = this.running ? await this.storage.missingData(this.picker.have) : undefined;
      if (missing && this.running) {
        this.fail(new StorageError(`missing data: ${missing} was deleted or truncated`, 'ENOENT', missing));
        return;
      }
      await mkdir(dirname(this.options.resumePath), { recursive: true });
      await this.storage.saveResume(this.picker.have, this.options.resumePath, { flush });
    } catch (error) {
      this.dirty = true;
      this.emit('warning', `cannot save resume data: ${describeError(error)}`);
    }
  }

  private fail(error: unknown): void {
    this.error = describeError(error);
    this.setState('error');
    this.emit('error-state', this.error);
    void this.stop();
  }

  private setState(state: TorrentState): void {
    if (this.state === state) return;
    this.state = state;
    this.emit('state', state);
  }

  // ---- construction helpers ----

  private makePicker(have: Bitfield): PiecePicker {
    const picker = new PiecePicker({ pieceCount: this.meta.pieceCount, pieceLength: this.meta.pieceLength, totalLength: this.meta.length }, have);
    if (this.options.filePriorities) picker.setPiecePriorities(this.piecePriorities());
    if (this.options.sequential) picker.setSequential(true);
    return picker;
  }

  private piecePriorities(): Uint8Array {
    const result = new Uint8Array(this.meta.pieceCount);
    const files = this.meta.files;
    const priorities = this.options.filePriorities;
    files.forEach((f, i) => {
      if (f.length === 0 || f.padding) return;
      const p = priorities ? priorities[i] ?? 1 : 1;
      const first = Math.floor(f.offset / this.meta.pieceLength);
      const last = Math.floor((f.offset + f.length - 1) / this.meta.pieceLength);
      for (let k = first; k <= last; k++) result[k] = Math.max(result[k]!, p);
    });
    return result;
  }

  private makeAnnouncer(): Announcer {
    const announcer = new Announcer(this.meta.announce, {
      params: () => ({
        infoHash: this.infoHash,
        peerId: this.options.peerId,
        port: this.options.listenPort(),
        uploaded: this.uploadedBytes,
        downloaded: this.downloadedBytes,
        left: this.bytesLeft(),
        numwant: 80,
      }),
      timeoutMs: this.options.announceTimeoutMs,
      udpBaseTimeoutMs: this.options.udpBaseTimeoutMs,
    });
    announcer.on('peers', (peers: PeerAddress[]) => this.addPeers(peers));
    announcer.on('update', () => this.emit('trackers'));
    return announcer;
  }

  private makeWebSeeds(): WebSeed[] {
    const setting = this.options.webSeeds;
    if (setting === false) return [];
    const options = typeof setting === 'object' ? setting : {};
    const urls = [...new Set(this.meta.urlList)].filter((u) => /^https?:\/\/[^/]/i.test(u));
    const seeds: WebSeed[] = [];
    for (const url of urls) {
      try {
        seeds.push(new WebSeed(url, this.meta, this.webSeedHost(), options));
      } catch {
        // An unparsable URL is not a source.
      }
    }
    return seeds;
  }

  private webSeedHost(): WebSeedHost {
    return {
      pick: (id, count) => {
        if (!this.running || this.state !== 'downloading' || this.pendingWriteBytes > MAX_PENDING_WRITE_BYTES) return [];
        return this.picker.pick(id, this.allPieces, count);
      },
      deliver: (id, b, data) => this.onWebSeedBlock(id, b.index, b.begin, data),
      release: (id, b) => {
        if (this.running) this.picker.releaseBlock(id, b.index, b.begin);
      },
      warn: (message) => this.emit('warning', message),
      disabled: (id) => {
        if (!this.running) return;
        this.picker.removePeer(id);
        this.fillOthers();
      },
    };
  }

  private fillWebSeeds(): void {
    if (this.state === 'downloading') for (const ws of this.webSeeds) ws.fill();
  }

  /** A block from a web seed; returns how long the web seed should pause (rate limits). */
  private onWebSeedBlock(id: string, index: number, begin: number, block: Buffer): number {
    if (!this.running) return 0;
    this.downloadedBytes += block.length;
    const delay = Math.max(this.downloadLimiter.consume(block.length), this.options.globalDownload?.consume(block.length) ?? 0);
    const result = this.state === 'downloading' ? this.picker.blockReceived(id, index, begin) : undefined;
    if (!result?.accepted) {
      this.wastedBytes += block.length;
      return delay;
    }
    this.cancelElsewhere(result.cancelFrom, index, begin, block.length);
    this.storeBlock(index, begin, block, id, result.pieceComplete);
    return delay;
  }

  /** What peer exchange sees of this torrent: connected peers at their listen ports, and a way in for new ones. */
  private pexSwarm(): PexSwarm {
    return {
      pexPeers: () => {
        const out = [];
        for (const p of this.peers.values()) {
          const port = p.incoming ? p.wire.remoteExtensions?.p : p.port;
          if (!port) continue;
          out.push({ id: p.id, host: p.host, port, flags: (p.isSeed ? PEX_SEED : 0) | (p.incoming ? 0 : PEX_REACHABLE) });
        }
        return out;
      },
      learnPeers: (addresses) => {
        if (this.known.size < MAX_KNOWN_FROM_PEX) this.addPeers(addresses.slice(0, MAX_KNOWN_FROM_PEX - this.known.size));
      },
    };
  }

  private extensionHandshake(): ExtensionHandshake {
    const handshake: ExtensionHandshake = { m: {}, v: 'btui 0.1.0', reqq: MAX_UPLOAD_QUEUE, p: this.options.listenPort() || undefined };
    this.extensions.forEach((extension, i) => {
      handshake.m[extension.name] = i + 1;
      Object.assign(handshake, extension.handshakeFields?.());
    });
    return handshake;
  }

  private bytesLeft(): number {
    const have = this.picker.have;
    if (have.isComplete()) return 0;
    let left = 0;
    for (let i = 0; i < this.meta.pieceCount; i++) if (!have.get(i)) left += this.picker.pieceSize(i);
    return left;
  }

  // ---- stats ----

  stats(): TorrentStats {
    const have = this.picker.have;
    const haveCount = have.count();
    const completedBytes = have.isComplete() ? this.meta.length : this.completedBytes(have);
    const rates = this.rates();
    let seeds = 0;
    for (const p of this.peers.values()) if (p.isSeed) seeds++;
    const left = this.meta.length - completedBytes;
    return {
      infoHash: this.meta.infoHash,
      name: this.meta.name,
      state: this.state,
      error: this.error,
      length: this.meta.length,
      pieceCount: this.meta.pieceCount,
      pieceLength: this.meta.pieceLength,
      havePieces: haveCount,
      completedBytes,
      progress: this.meta.length === 0 ? 1 : completedBytes / this.meta.length,
      downloadRate: rates.down,
      uploadRate: rates.up,
      downloaded: this.downloadedBytes,
      uploaded: this.uploadedBytes,
      wasted: this.wastedBytes,
      ratio: this.downloadedBytes > 0 ? this.uploadedBytes / this.downloadedBytes : 0,
      peers: this.peers.size,
      seeds,
      knownPeers: this.known.size,
      etaSeconds: rates.down > 0 && left > 0 ? left / rates.down : undefined,
      addedAt: this.addedAt,
      completedAt: this.completedAt,
      directory: this.options.directory,
      hashFailures: this.hashFailures,
    };
  }

  private completedBytes(have: Bitfield): number {
    const count = have.count();
    if (count === 0) return 0;
    const last = this.meta.pieceCount - 1;
    return count * this.meta.pieceLength - (have.get(last) ? this.meta.pieceLength - this.picker.pieceSize(last) : 0);
  }

  peerStats(): PeerStats[] {
    const now = Date.now();
    const list: PeerStats[] = [...this.peers.values()].map((p) => ({
      id: p.id,
      host: p.host,
      port: p.port,
      client: p.wire.remoteHandshake ? clientFromPeerId(p.wire.remoteHandshake.peerId) : 'unknown',
      incoming: p.incoming,
      amChoking: p.amChoking,
      amInterested: p.amInterested,
      peerChoking: p.peerChoking,
      peerInterested: p.peerInterested,
      snubbed: p.snubbed,
      progress: this.meta.pieceCount ? p.bitfield.count() / this.meta.pieceCount : 0,
      downloadRate: p.wire.downloadRate.rate(now),
      uploadRate: p.wire.uploadRate.rate(now),
      downloaded: p.wire.downloadRate.total,
      uploaded: p.wire.uploadRate.total,
      requests: p.requests.size,
      uploadQueue: p.uploadQueue.length,
    }));
    for (const ws of this.webSeeds) {
      const s = ws.stats();
      if (s.disabled) continue;
      list.push({
        id: ws.id,
        host: ws.host,
        port: ws.port,
        client: 'web seed',
        incoming: false,
        amChoking: true,
        amInterested: this.state === 'downloading',
        peerChoking: false,
        peerInterested: false,
        snubbed: false,
        progress: 1,
        downloadRate: s.downloadRate,
        uploadRate: 0,
        downloaded: s.downloaded,
        uploaded: 0,
        requests: s.requests,
        uploadQueue: 0,
      });
    }
    return list;
  }

  trackerStats(): TrackerStats[] {
    return this.announcer.stats();
  }

  /** Per piece: have, downloading (blocks in flight) and how many connected peers have it. */
  pieceStats(): { have: Uint8Array; downloading: number[]; availability: Uint16Array } {
    const availability = new Uint16Array(this.meta.pieceCount);
    for (let i = 0; i < availability.length; i++) availability[i] = this.picker.availability(i);
    const downloading = new Set<number>(this.inProgress.keys());
    for (const p of this.peers.values()) for (const r of p.requests.values()) downloading.add(r.index);
    return { have: Uint8Array.from(this.picker.have.buffer), downloading: [...downloading], availability };
  }
}

export function addressKey(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function normalizeHost(host: string): string {
  return host.startsWith('::ffff:') ? host.slice(7) : host;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
