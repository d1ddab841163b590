// Over 400 lines, one class: the state machine (start, stop, recheck, error, complete) and the lazy making and letting go of its parts share the torrent's state; the transfer itself is in the collaborators torrent-parts.ts assembles.
import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { resolve } from 'node:path';
import { Announcer, idleTrackerStats, type TrackerStats } from '../discovery/announcer.js';
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
import { TorrentView, type TorrentState } from './torrent-context.js';
import { peerStatsOf, pieceStatsOf, torrentStats, Traffic, type PeerStats, type PieceStats, type TorrentStats } from './torrent-stats.js';
import { bytesLeft, piecePriorities } from './piece-priorities.js';
import { pieceSizeUnchecked } from '../metainfo/piece-layout.js';
import { assembleParts, makePeerSet, type TorrentParts } from './torrent-parts.js';
import type { PeerSet, PeerSetLinks } from './peer-set.js';
import { ResumeSaver } from './resume-saver.js';
import { sharedCheckLimiter } from './check-slots.js';

export type { TorrentState } from './torrent-context.js';
export type { PeerStats, TorrentStats } from './torrent-stats.js';
export { addressKey } from '../transport/dialer.js';
export type { TorrentEvents, TorrentOptions } from './torrent-options.js';

/**
 * One torrent: owns the state machine (start, stop, recheck, error, complete) and its storage,
 * picker and announcer, and delegates the transfer to its collaborators: the peer set, the
 * download and upload pipelines, choking, web seeds, resume saving. Plain Node; reports
 * through typed events and `stats()`, which returns plain copies.
 *
 * A stopped torrent is cheap (a seedbox keeps thousands paused): the storage, the picker, the
 * announcer, the collaborators and the rate limiters are made when first needed (the first
 * start, mostly), and all but the peer set and announcer are let go again at stop. Until then the reads come from a
 * light form: the pieces we have as a bitfield, the trackers as the metainfo lists them.
 *
 * A running torrent that has every piece (a seedbox seeds thousands to nobody) is nearly as cheap:
 * it announces and saves its resume data, but its picker, peer set and collaborators are made only
 * when a peer comes (an incoming connection, an address to dial) or a part asks for them.
 */
export class Torrent extends EventEmitter<TorrentEvents> {
  readonly infoHash: Buffer;
  state: TorrentState = 'paused';
  error?: string;
  readonly addedAt = Date.now();
  completedAt?: number;

  /** Made at each start; kept after stop, so that the last run's tracker replies still show. */
  private announcer?: Announcer;
  private storageInstance?: Storage;
  /** Made from `savedHave` when first needed, let go at stop. */
  private livePicker?: PiecePicker;
  /** The pieces we have while there is no picker (resume data, a check, the last run). */
  private savedHave: Bitfield;
  /** The working parts: made at start when there is something to download, else with the first peer; let go at stop. */
  private parts?: TorrentParts & { downloadLimiter: RateLimiter; uploadLimiter: RateLimiter };
  /** Made at start (or for a check), let go at stop. */
  private resumeSaver?: ResumeSaver;
  private viewInstance?: TorrentView;
  /** Known addresses and bans: made with the first peer or start, kept across stops. */
  private peerSet?: PeerSet;
  private limits = { download: 0, upload: 0 };
  private running = false;
  private starting?: Promise<void>;
  private stopping?: Promise<void>;
  /** Counts starts: work begun in one run checks it is still current before acting. */
  private run = 0;
  /** The pieces we have were read from resume data or found by a check (seed mode counts): a start need not check. */
  private haveKnown = false;
  private readonly traffic = new Traffic();

  constructor(
    readonly meta: Metainfo,
    private readonly options: TorrentOptions,
  ) {
    super();
    this.infoHash = meta.infoHashBuffer;
    if (options.filePriorities) checkFilePriorities(meta, options.filePriorities);
    this.savedHave = new Bitfield(meta.pieceCount);
  }

  /** Positional I/O on the files; made on first use (a start, a check, reading resume data). */
  get storage(): Storage {
    return (this.storageInstance ??= new Storage(this.meta, {
      directory: this.options.directory,
      hash: this.options.hash,
      filePriorities: this.options.filePriorities,
      check: this.options.check,
    }));
  }

  /** Where the data is: the torrent's file or folder (the storage's root, without making one). */
  get root(): string {
    return this.storageInstance?.root ?? resolve(resolve(this.options.directory), this.meta.name);
  }

  /** The piece picker; a stopped torrent makes one from its saved pieces only when asked (read `have` instead). */
  get picker(): PiecePicker {
    return (this.livePicker ??= this.makePicker(this.savedHave));
  }

  /** The pieces we have, from the picker or, while there is none, the saved bitfield: a new object after each start, check or load. */
  get have(): Bitfield {
    return this.livePicker?.have ?? this.savedHave;
  }

  /** For tests and memory checks: which of the heavy parts exist now. */
  get allocated(): { storage: boolean; picker: boolean; announcer: boolean; parts: boolean; peerSet: boolean } {
    return {
      storage: !!this.storageInstance,
      picker: !!this.livePicker,
      announcer: !!this.announcer,
      parts: !!this.parts,
      peerSet: !!this.peerSet,
    };
  }

  /** Counts starts (see `run`); for the parts, through the view. */
  get runNumber(): number {
    return this.run;
  }

  /** Replaces the pieces we have with a new picker's (running) or the saved bitfield (stopped). */
  private setHave(have: Bitfield): void {
    if (this.running) {
      this.livePicker = this.makePicker(have);
    } else {
      this.livePicker = undefined;
      this.savedHave = have;
    }
  }

  private get peers(): PeerSet {
    return (this.peerSet ??= makePeerSet(this.view, this.options, () => this.peerLinks()));
  }

  /** What takes a new connection: the working parts, made for it if this is the first (none while stopped). */
  private peerLinks(): PeerSetLinks | undefined {
    return this.running ? this.p.links : undefined;
  }

  private get resume(): ResumeSaver {
    return (this.resumeSaver ??= new ResumeSaver(this.view, this.options.resumePath));
  }

  /** The collaborators, the limiters and their wiring: made when first needed while running, let go at stop. */
  private get p(): NonNullable<Torrent['parts']> {
    if (this.parts) return this.parts;
    const downloadLimiter = new RateLimiter(this.limits.download);
    const uploadLimiter = new RateLimiter(this.limits.upload);
    const parts = assembleParts(
      this.view,
      this.options,
      {
        downloadLimiter,
        uploadLimiter,
        events: {
          piece: (index) => this.emit('piece', index),
          hashFailed: (index) => this.emit('hash-failed', index),
          peer: (id) => this.emit('peer', id),
          peerClosed: (id) => this.emit('peer-closed', id),
        },
        wantedComplete: () => this.completeIfOnDisk(),
        markResumeOutdated: () => this.resume.markOutdated(),
      },
      this.peers,
    );
    this.parts = { ...parts, downloadLimiter, uploadLimiter };
    // Made after the start (a seed's first peer): the rechoke counts from now.
    if (this.running && this.state !== 'checking') parts.choking.start(Date.now());
    return this.parts;
  }

  /** The collaborators' view of this torrent. */
  private get view(): TorrentView {
    return (this.viewInstance ??= new TorrentView(this, this.traffic));
  }

  get name(): string {
    return this.meta.name;
  }

  /** Piece data held in memory for uploads and reuse: the read cache and spare piece buffers. */
  get cachedBytes(): number {
    const parts = this.parts;
    return parts ? parts.uploader.cachedBytes + parts.pieceBuffers.spareCount * parts.pieceBuffers.size : 0;
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

  /**
   * Starts: checks the data (or reads its resume data), then seeds or downloads. With `seedOnly`
   * a torrent the check finds incomplete goes back to paused before it announces or dials
   * anyone, keeping what the check found: so that a queue can check torrents whose data may be
   * complete without giving each a download slot (as Transmission verifies before queueing).
   */
  start(options: { seedOnly?: boolean } = {}): Promise<void> {
    if (this.running) return this.starting ?? Promise.resolve();
    this.running = true;
    this.run++;
    this.emit('running', true);
    this.error = undefined;
    // A stop still closing (e.g. after an error) finishes first: its writes and close must not land on the new run.
    // 'checking' at once, so that peers added meanwhile wait for the picker startUp makes.
    this.setState('checking');
    const previous = this.stopping;
    const seedOnly = options.seedOnly ?? false;
    this.starting = (previous ? previous.then(() => this.startUp(seedOnly)) : this.startUp(seedOnly)).finally(
      () => (this.starting = undefined),
    );
    return this.starting;
  }

  private async startUp(seedOnly: boolean): Promise<void> {
    const run = this.run;
    try {
      this.setState('checking');
      await this.storage.open();
      const found = await this.initialHave();
      // Stopped meanwhile (and perhaps started again: that run's own start-up follows this one).
      // What a check that ended meanwhile found is kept: the stop saves it as resume data (it saved
      // the pieces known before the check, none, and the next start trusted that).
      if (!this.running || run !== this.run) {
        if (found) this.setHave(found);
        return;
      }
      const have = found ?? new Bitfield(this.meta.pieceCount);
      // A seed with no web seeds and no connections handed over waits for its first peer to make the rest.
      const seedsAlone = have.isComplete() && this.meta.urlList.length === 0 && !this.options.hasHandedOver?.();
      this.savedHave = have;
      this.livePicker = undefined;
      if (seedsAlone) {
        this.setState('seeding');
        // Open again by the first read a peer asks for: ten thousand idle seeds hold no descriptors.
        void this.storage.releaseFiles().catch(() => undefined);
      } else {
        const picker = this.makePicker(have);
        if (seedOnly && !picker.wantedComplete()) {
          // Nothing announced, dialled or made yet: the stop saves what the check found.
          void this.stop();
          return;
        }
        this.livePicker = picker;
        this.p.webSeeds.addTo(picker);
        this.setState(picker.wantedComplete() ? 'seeding' : 'downloading');
      }
      if (this.state === 'seeding' && !this.completedAt) this.completedAt = Date.now();
      this.announcer = this.makeAnnouncer();
      this.announcer.start();
      const now = Date.now();
      this.parts?.choking.start(now);
      this.resume.start(now);
      this.housekeeper.add(this);
      this.peerSet?.connectMore();
      this.parts?.webSeeds.fill();
      if (this.state === 'seeding') this.emit('done');
    } catch (error) {
      this.fail(error);
    }
  }

  /** The pieces we have, from the seed mode, the resume data or a full check; undefined if stopped before its check began. */
  private async initialHave(): Promise<Bitfield | undefined> {
    const count = this.meta.pieceCount;
    if (this.options.seedMode) {
      const all = new Bitfield(count);
      all.setAll();
      this.haveKnown = true;
      return all;
    }
    if (this.options.resumePath) {
      const saved = await this.storage.loadResume(this.options.resumePath).catch(() => undefined);
      if (saved) {
        this.haveKnown = true;
        return saved;
      }
    }
    const run = this.run;
    const checked = await this.fullCheck(() => this.running && run === this.run);
    // Stopped while it waited for its turn: nothing was checked, and nothing is to be saved.
    if (!checked) return undefined;
    this.haveKnown = true;
    // What a full check found is worth keeping: the next start need not check again.
    this.resume.markOutdated();
    return checked;
  }

  /** Reads and hashes every piece once a check slot is free; undefined if `stillWanted` says no by then. */
  private fullCheck(stillWanted: () => boolean): Promise<Bitfield | undefined> {
    const limiter = this.options.checkLimiter ?? sharedCheckLimiter;
    return limiter.run(async () => (stillWanted() ? this.storage.recheck((done, total) => this.emit('checking', done, total)) : undefined));
  }

  async stop(): Promise<void> {
    if (!this.running) return this.stopping;
    this.running = false;
    this.emit('running', false);
    const stopping = this.shutDown();
    this.stopping = stopping;
    await stopping;
    if (this.stopping === stopping) this.stopping = undefined;
  }

  private async shutDown(): Promise<void> {
    const parts = this.parts;
    this.housekeeper.delete(this);
    this.peerSet?.closeAll();
    if (parts) {
      parts.webSeeds.closeAll();
      parts.download.dropPartialPieces();
      parts.pieceBuffers.clear();
      parts.extensions.closeAll();
      parts.uploader.clearReadCache();
    }
    if (this.state !== 'error') this.setState('paused');
    await this.starting?.catch(() => undefined);
    // Pieces being verified and written land before the resume data is saved and storage closed.
    // (Parts made while it stopped, e.g. by a peer attaching meanwhile, are settled too.)
    await this.parts?.download.settled();
    await Promise.all([this.announcer?.stop(), this.resume.save()]);
    await this.storage.close();
    // Stopped for good (no start came meanwhile): the picker's bookkeeping and the working parts go, the pieces we have and the peer set stay.
    if (!this.running) this.releaseWorkingState();
  }

  private releaseWorkingState(): void {
    if (this.livePicker) this.setHave(this.livePicker.have);
    this.parts = undefined;
    this.resumeSaver = undefined;
    this.storageInstance = undefined;
  }

  /**
   * A stopped torrent's pieces from its resume data, without opening, creating or hashing
   * anything: so that a paused torrent shows its progress before it runs. Returns whether
   * saved data was taken (none, stale or unreadable: the progress stays as it was).
   */
  async loadSavedProgress(): Promise<boolean> {
    if (this.running || this.options.seedMode || !this.options.resumePath) return false;
    const run = this.run;
    const made = !this.storageInstance;
    const storage = this.storage;
    const saved = await storage.loadResume(this.options.resumePath).catch(() => undefined);
    // A storage made only to read the resume file goes again, unless something began using it meanwhile (a start, a check).
    if (made && this.storageInstance === storage && !this.running && run === this.run && this.state !== 'checking')
      this.storageInstance = undefined;
    if (!saved || this.running || run !== this.run) return false;
    this.setHave(saved);
    this.haveKnown = true;
    return true;
  }

  /** Whether the pieces we have are known (resume data, a check, a run): else a start checks the data first. */
  get piecesKnown(): boolean {
    return this.haveKnown;
  }

  /**
   * Whether a check could find every wanted piece, from the files' sizes alone: each wanted file
   * is on disk at its full length. Creates nothing (a stopped torrent's storage is let go again).
   */
  async wantedFilesOnDisk(): Promise<boolean> {
    const made = !this.storageInstance;
    const storage = this.storage;
    try {
      return await storage.wantedFilesOnDisk();
    } finally {
      if (made && this.storageInstance === storage && !this.running && this.state !== 'checking') this.storageInstance = undefined;
    }
  }

  /** Drops all state and verifies the data on disk again. */
  async recheck(): Promise<void> {
    const wasRunning = this.running;
    await this.stop();
    this.setState('checking');
    try {
      await this.storage.open();
      const have = (await this.fullCheck(() => true))!;
      this.setHave(have);
      this.haveKnown = true;
      const resume = this.resume;
      resume.markOutdated();
      // Saved while the storage is still open: a closed one refuses to stamp the files.
      await resume.save();
      await this.storage.close();
      this.setState('paused');
      if (!this.running) this.releaseWorkingState();
    } catch (error) {
      this.fail(error);
      return;
    }
    if (wasRunning) await this.start();
  }

  announceNow(): void {
    this.announcer?.announceNow();
  }

  /** Closes every peer connection, running or not (the session's bound network went down). */
  dropConnections(): void {
    this.peerSet?.dropAll();
  }

  setLimits(limits: { download?: number; upload?: number }): void {
    if (limits.download !== undefined) {
      this.limits.download = Math.max(0, limits.download);
      this.parts?.downloadLimiter.setRate(limits.download);
    }
    if (limits.upload !== undefined) {
      this.limits.upload = Math.max(0, limits.upload);
      this.parts?.uploadLimiter.setRate(limits.upload);
    }
  }

  setFilePriorities(priorities: Uint8Array): void {
    checkFilePriorities(this.meta, priorities);
    this.options.filePriorities = priorities;
    this.storageInstance?.setFilePriorities(priorities);
    this.livePicker?.setPiecePriorities(this.piecePriorities());
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
    this.announcer?.completed();
    const { webSeeds, peers, download, choking } = this.p;
    void this.resume.save();
    webSeeds.abortAll();
    for (const p of [...peers.values()]) {
      download.releaseRequests(p);
      if (p.isSeed) p.wire.destroy();
      else download.setInterested(p, false);
    }
    choking.rechokeSoon();
    this.emit('done');
  }

  /** Goes to the error state and stops (its parts report their fatal errors here too). */
  fail(error: unknown): void {
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

  /** Kept for the next start when stopped (the peer set is made for them). */
  addPeers(addresses: PeerAddress[], from?: PeerSource): void {
    this.peers.addPeers(addresses, from);
  }

  /** An incoming connection whose handshake named this torrent (the session answered it). */
  attachIncoming(wire: PeerWire, socket: Duplex & { remoteAddress?: string; remotePort?: number }): void {
    // A stopped torrent's peer set turns it away.
    this.peers.attachIncoming(wire, socket);
  }

  // ---- housekeeping ----

  private get housekeeper(): Housekeeper {
    return this.options.housekeeper ?? sharedHousekeeper;
  }

  /** Once a second from the housekeeper: the tick, and the rechoke and resume save when due. */
  housekeep(now: number): void {
    if (!this.running) return;
    this.resumeSaver?.housekeep(now);
    const parts = this.parts;
    if (!parts) {
      this.peerSet?.connectMore();
      return;
    }
    parts.choking.housekeep(now);
    parts.uploader.releaseMemoryWhenIdle(now);
    if (this.isIdle(parts)) {
      parts.peers.connectMore();
      return;
    }
    this.tick(now, parts);
  }

  /** Nothing to tick: no peers or web seeds at work, not checking, no traffic in the rate window. */
  private isIdle({ peers, webSeeds }: TorrentParts): boolean {
    if (peers.size > 0 || peers.halfOpen > 0 || this.state === 'checking') return false;
    if (this.state === 'downloading' && webSeeds.anyActive) return false;
    return this.traffic.settleIfQuiet();
  }

  private tick(now: number, { peers, download, webSeeds }: TorrentParts): void {
    const endgame = this.picker.inEndgame();
    for (const p of peers.values()) download.tickPeer(p, now, endgame);
    this.traffic.sample(now);
    peers.connectMore();
    webSeeds.fill();
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
        left: bytesLeft(this.have, this.meta.pieceCount, (i) =>
          pieceSizeUnchecked(this.meta.length, this.meta.pieceLength, this.meta.pieceCount, i),
        ),
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
    const { meta, have, traffic, running, state, error, addedAt, completedAt } = this;
    const set = this.peerSet;
    const peers = set
      ? { peers: set.values(), peerCount: set.size, knownPeers: set.knownCount }
      : { peers: [], peerCount: 0, knownPeers: 0 };
    return torrentStats({
      meta,
      have,
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
    const parts = this.parts;
    return parts ? [...peerStatsOf(parts.peers.values(), this.meta.pieceCount), ...parts.webSeeds.stats()] : [];
  }

  trackerStats(): TrackerStats[] {
    return this.announcer?.stats() ?? idleTrackerStats(this.meta.announce);
  }

  /** Per piece: have, downloading (blocks in flight) and how many connected peers have it. */
  pieceStats(): PieceStats {
    const parts = this.parts;
    return pieceStatsOf(this.have, this.livePicker, this.meta.pieceCount, parts?.download.assembling() ?? [], parts?.peers.values() ?? []);
  }
}

/** The storage's check, made without a storage: one priority per file. */
function checkFilePriorities(meta: Metainfo, priorities: Uint8Array): void {
  if (priorities.length !== meta.files.length)
    throw new RangeError(`expected ${meta.files.length} file priorities, got ${priorities.length}`);
}
