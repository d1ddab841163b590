import { EventEmitter } from 'node:events';
import type net from 'node:net';
import { Announcer, type TrackerStats } from '../discovery/announcer.js';
import type { TorrentEvents, TorrentOptions } from './torrent-options.js';
import { Bitfield } from '../codec/bitfield.js';
import type { Metainfo } from '../metainfo/metainfo.js';
import { PiecePicker } from './picker.js';
import { RateLimiter } from './rate-limiter.js';
import { sharedHousekeeper, type Housekeeper } from './housekeeper.js';
import { Storage, StorageError } from '../storage/storage.js';
import type { PeerAddress, PeerSource } from '../discovery/tracker/types.js';
import type { PeerWire } from '../wire/peer-wire.js';
import { describeError } from '../../errors.js';
import type { TorrentContext, TorrentState } from './torrent-context.js';
import { peerStatsOf, pieceStatsOf, torrentStats, Traffic, type PeerStats, type PieceStats, type TorrentStats } from './torrent-stats.js';
import { bytesLeft, piecePriorities } from './piece-priorities.js';
import { assembleParts, type TorrentParts } from './torrent-parts.js';

export type { TorrentState } from './torrent-context.js';
export type { PeerStats, TorrentStats } from './torrent-stats.js';
export { addressKey } from '../transport/dialer.js';
export type { TorrentEvents, TorrentOptions } from './torrent-options.js';

/**
 * One torrent: owns the state machine (start, stop, recheck, error, complete) and its storage,
 * picker and announcer, and delegates the transfer to its collaborators: the peer set, the
 * download and upload pipelines, choking, web seeds, resume saving. Plain Node; reports
 * through typed events and `stats()`, which returns plain copies.
 */
export class Torrent extends EventEmitter<TorrentEvents> {
  readonly infoHash: Buffer;
  readonly storage: Storage;
  picker: PiecePicker;
  state: TorrentState = 'paused';
  error?: string;
  readonly addedAt = Date.now();
  completedAt?: number;

  private announcer: Announcer;
  private running = false;
  private starting?: Promise<void>;
  private stopping?: Promise<void>;
  /** Counts starts: work begun in one run checks it is still current before acting. */
  private run = 0;
  private readonly traffic = new Traffic();
  private readonly downloadLimiter = new RateLimiter();
  private readonly uploadLimiter = new RateLimiter();
  private readonly pieceBuffers: TorrentParts['pieceBuffers'];
  private readonly peers: TorrentParts['peers'];
  private readonly extensions: TorrentParts['extensions'];
  private readonly download: TorrentParts['download'];
  private readonly uploader: TorrentParts['uploader'];
  private readonly choking: TorrentParts['choking'];
  private readonly webSeeds: TorrentParts['webSeeds'];
  private readonly resume: TorrentParts['resume'];

  constructor(
    readonly meta: Metainfo,
    private readonly options: TorrentOptions,
  ) {
    super();
    this.infoHash = meta.infoHashBuffer;
    this.storage = new Storage(meta, {
      directory: options.directory,
      hash: options.hash,
      filePriorities: options.filePriorities,
      check: options.check,
    });
    this.picker = this.makePicker(new Bitfield(meta.pieceCount));
    this.announcer = this.makeAnnouncer();
    ({
      pieceBuffers: this.pieceBuffers,
      peers: this.peers,
      extensions: this.extensions,
      download: this.download,
      uploader: this.uploader,
      choking: this.choking,
      webSeeds: this.webSeeds,
      resume: this.resume,
    } = assembleParts(this.context(), options, {
      downloadLimiter: this.downloadLimiter,
      uploadLimiter: this.uploadLimiter,
      events: {
        piece: (index) => this.emit('piece', index),
        hashFailed: (index) => this.emit('hash-failed', index),
        peer: (id) => this.emit('peer', id),
        peerClosed: (id) => this.emit('peer-closed', id),
      },
      wantedComplete: () => this.completeIfOnDisk(),
    }));
  }

  /** The collaborators' view of this torrent: live getters, no reference to the Torrent itself. */
  private context(): TorrentContext {
    const self = this;
    return {
      meta: this.meta,
      storage: this.storage,
      traffic: this.traffic,
      get picker() {
        return self.picker;
      },
      get state() {
        return self.state;
      },
      get running() {
        return self.running;
      },
      get run() {
        return self.run;
      },
      warn: (message) => this.emit('warning', message),
      fail: (error) => this.fail(error),
    };
  }

  get name(): string {
    return this.meta.name;
  }

  /** Piece data held in memory for uploads and reuse: the read cache and spare piece buffers. */
  get cachedBytes(): number {
    return this.uploader.cachedBytes + this.pieceBuffers.spareCount * this.pieceBuffers.size;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Where its data is (changes when moved). */
  get directory(): string {
    return this.options.directory;
  }

  /** Payload bytes received, sent, wasted (unrequested or duplicate) and discarded by failed hashes this run: stats() without the rest. */
  get transferred(): { readonly downloaded: number; readonly uploaded: number; readonly wasted: number; readonly corrupt: number } {
    return this.traffic;
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
      this.webSeeds.addTo(this.picker);
      this.setState(this.picker.wantedComplete() ? 'seeding' : 'downloading');
      if (this.state === 'seeding' && !this.completedAt) this.completedAt = Date.now();
      this.announcer = this.makeAnnouncer();
      this.announcer.start();
      const now = Date.now();
      this.choking.start(now);
      this.resume.start(now);
      this.housekeeper.add(this);
      this.peers.connectMore();
      this.webSeeds.fill();
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
    this.resume.markOutdated();
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
    this.peers.closeAll();
    this.webSeeds.closeAll();
    this.download.dropPartialPieces();
    this.pieceBuffers.clear();
    this.extensions.closeAll();
    this.uploader.clearReadCache();
    if (this.state !== 'error') this.setState('paused');
    await this.starting?.catch(() => undefined);
    // Pieces being verified and written land before the resume data is saved and storage closed.
    await this.download.settled();
    await Promise.all([this.announcer.stop(), this.resume.save()]);
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
      this.resume.markOutdated();
      // Saved while the storage is still open: a closed one refuses to stamp the files.
      await this.resume.save();
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

  /** Closes every peer connection, running or not (the session's bound network went down). */
  dropConnections(): void {
    this.peers.dropAll();
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
    void this.resume.save();
    this.webSeeds.abortAll();
    for (const p of [...this.peers.values()]) {
      this.download.releaseRequests(p);
      if (p.isSeed) p.wire.destroy();
      else this.download.setInterested(p, false);
    }
    this.choking.rechokeSoon();
    this.emit('done');
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

  // ---- peers ----

  addPeers(addresses: PeerAddress[], from?: PeerSource): void {
    this.peers.addPeers(addresses, from);
  }

  /** An incoming connection whose handshake named this torrent (the session answered it). */
  attachIncoming(wire: PeerWire, socket: net.Socket): void {
    this.peers.attachIncoming(wire, socket);
  }

  // ---- housekeeping ----

  private get housekeeper(): Housekeeper {
    return this.options.housekeeper ?? sharedHousekeeper;
  }

  /** Once a second from the housekeeper: the tick, and the rechoke and resume save when due. */
  housekeep(now: number): void {
    if (!this.running) return;
    this.choking.housekeep(now);
    this.resume.housekeep(now);
    this.uploader.releaseMemoryWhenIdle(now);
    if (this.isIdle()) {
      this.peers.connectMore();
      return;
    }
    this.tick(now);
  }

  /** Nothing to tick: no peers or web seeds at work, not checking, no traffic in the rate window. */
  private isIdle(): boolean {
    if (this.peers.size > 0 || this.peers.halfOpen > 0 || this.state === 'checking') return false;
    if (this.state === 'downloading' && this.webSeeds.anyActive) return false;
    return this.traffic.settleIfQuiet();
  }

  private tick(now: number): void {
    const endgame = this.picker.inEndgame();
    for (const p of this.peers.values()) this.download.tickPeer(p, now, endgame);
    this.traffic.sample(now);
    this.peers.connectMore();
    this.webSeeds.fill();
    this.emit('tick');
  }

  // ---- construction helpers ----

  private makePicker(have: Bitfield): PiecePicker {
    const picker = new PiecePicker(
      { pieceCount: this.meta.pieceCount, pieceLength: this.meta.pieceLength, totalLength: this.meta.length },
      have,
    );
    if (this.options.filePriorities) picker.setPiecePriorities(this.piecePriorities());
    if (this.options.sequential) picker.setSequential(true);
    return picker;
  }

  private piecePriorities(): Uint8Array {
    return piecePriorities(this.meta, this.options.filePriorities);
  }

  private makeAnnouncer(): Announcer {
    const announcer = new Announcer(this.meta.announce, {
      params: () => ({
        infoHash: this.infoHash,
        peerId: this.options.peerId,
        port: this.options.listenPort(),
        uploaded: this.traffic.uploaded,
        downloaded: this.traffic.downloaded,
        left: bytesLeft(this.picker.have, this.meta.pieceCount, (i) => this.picker.pieceSize(i)),
        numwant: 80,
        ipv6: this.options.ownIpv6?.(),
      }),
      timeoutMs: this.options.announceTimeoutMs,
      udpBaseTimeoutMs: this.options.udpBaseTimeoutMs,
      limiter: this.options.announceLimiter,
      localAddress: this.options.binding && (() => this.options.binding!.require()),
    });
    announcer.on('peers', (peers: PeerAddress[]) => this.addPeers(peers));
    announcer.on('update', () => this.emit('trackers'));
    return announcer;
  }

  // ---- stats ----

  stats(): TorrentStats {
    const { meta, picker, traffic, running, state, error, addedAt, completedAt } = this;
    const peers = { peers: this.peers.values(), peerCount: this.peers.size, knownPeers: this.peers.knownCount };
    return torrentStats({
      meta,
      picker,
      traffic,
      running,
      state,
      error,
      addedAt,
      completedAt,
      directory: this.options.directory,
      ...peers,
    });
  }

  peerStats(): PeerStats[] {
    return [...peerStatsOf(this.peers.values(), this.meta.pieceCount), ...this.webSeeds.stats()];
  }

  trackerStats(): TrackerStats[] {
    return this.announcer.stats();
  }

  /** Per piece: have, downloading (blocks in flight) and how many connected peers have it. */
  pieceStats(): PieceStats {
    return pieceStatsOf(this.picker, this.meta.pieceCount, this.download.assembling(), this.peers.values());
  }
}
