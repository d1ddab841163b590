// Over 400 lines: it is the whole public API, each method a documented delegation; the work is in the collaborators it imports.
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { Metainfo } from '../engine/metainfo/metainfo.js';
import type { Session } from '../engine/session/session.js';
import type { SavedSession, SavedTorrent } from '../session-state/session-file.js';
import { TorrentAdder, type AddHost } from './adding.js';
import type { AltSpeed } from './alt-speed.js';
import { countsAsDownloading } from './entry.js';
import { GlobalSettings, type ServiceSettings } from './global-settings.js';
import { MagnetFetches } from './magnet-fetches.js';
import { moveTorrent, type MoveHost } from './moving.js';
import { savedSession, SessionPersistence, type SessionRecovery } from './persistence.js';
import { rebuildSession, restoreSession, type RestoreHost } from './restore.js';
import { QueueManager } from './queue-manager.js';
import { checksFirst } from './check-first.js';
import { globalRates, TorrentReads } from './reads.js';
import { TorrentRegistry } from './registry.js';
import { SessionBinding, type BindingHost } from './session-binding.js';
import { TorrentActions, type ActionHost } from './torrent-actions.js';
import { TorrentSettingsEditor, type SettingsHost } from './torrent-settings.js';
import type {
  AddOptions,
  ChangesSince,
  FileInfo,
  GlobalInfo,
  LogLevel,
  PeerInfo,
  PieceInfo,
  ServiceEvents,
  ServiceOptions,
  TorrentInfo,
  TorrentKey,
  TorrentRef,
  TorrentSettings,
  TorrentSummary,
  TrackerInfo,
} from './types.js';

export type { ServiceOptions, TorrentKey };

/** What the collaborators share: each is given it typed as its own narrow host. */
type ServiceParts = AddHost & ActionHost & SettingsHost & BindingHost & MoveHost & RestoreHost;

/**
 * The service below every front-end (the TUI's store, a Transmission RPC server, a daemon):
 * the session, its persistence, the download queue, magnets waiting for metadata, labels,
 * seed goals and per-torrent limits, behind one API. Results come back as events (typed by
 * ServiceEvents) and as plain-copy reads; a torrent is named by its info-hash or by its id,
 * a small integer stable for the life of the process.
 *
 * Acknowledged means saved: an add's promise resolves once session.json on disk holds it
 * (writes are grouped: one write covers every change that arrived while the last was in flight).
 *
 * It coordinates; the work is done by collaborators that each see only what they need:
 * the registry (entries, ids, changes), the session binding (engine events), adding,
 * per-torrent actions and settings, moving, persistence (saving, restore, rebuild).
 */
export class TorrentService extends EventEmitter<ServiceEvents> {
  private readonly registry: TorrentRegistry;
  private readonly queue: QueueManager;
  private readonly magnets: MagnetFetches;
  private readonly persistence: SessionPersistence;
  private readonly binding: SessionBinding;
  private readonly adder: TorrentAdder;
  private readonly actions: TorrentActions;
  private readonly editor: TorrentSettingsEditor;
  private readonly reads: TorrentReads;
  private readonly parts: ServiceParts;
  private readonly globals: GlobalSettings;
  private seedTimer?: NodeJS.Timeout;
  private altSpeedTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    readonly session: Session,
    private readonly options: ServiceOptions,
  ) {
    super();
    const log = (level: LogLevel, text: string) => this.log(level, text);
    const registry = (this.registry = new TorrentRegistry({
      added: (ref) => this.emit('torrent-added', ref),
      changed: (ref, kind) => this.emit('torrent-changed', ref, kind),
      removed: (entry) => {
        this.binding.forgetTrackerErrors(entry.hash);
        this.emit('torrent-removed', entry.ref);
        this.queue.noteChange(entry.hash);
      },
      unbind: (entry) => this.binding.unbind(entry),
    }));
    this.queue = new QueueManager(
      {
        subjects: () => registry.withTorrents(),
        current: (hash) => {
          const entry = registry.get(hash);
          return entry?.torrent ? entry : undefined;
        },
        running: (hash) => registry.get(hash)?.torrent?.isRunning ?? false,
        downloading: (hash) => countsAsDownloading(registry.get(hash)!),
        checkFirst: (hash) => checksFirst(registry.get(hash)!),
        start: (hash) => void registry.get(hash)?.torrent?.start(),
        check: (hash) => void registry.get(hash)?.torrent?.start({ seedOnly: true }),
        stop: (hash) => void registry.get(hash)?.torrent?.stop(),
        changed: (hash) => registry.touch(registry.get(hash), 'state'),
      },
      options.maxActiveDownloads ?? 0,
    );
    this.globals = new GlobalSettings(
      {
        session,
        queue: this.queue,
        saveSettings: options.saveSettings,
        log: (text) => this.log('info', text),
        changed: () => this.emit('global-changed'),
      },
      options,
    );
    this.persistence = new SessionPersistence(options.stateDirectory, {
      entries: () => this.registry.values(),
      current: (hash) => this.registry.get(hash),
      log,
      debounceMs: options.saveDebounceMs,
      beforeWrite: options.beforeSessionWrite,
    });
    this.magnets = new MagnetFetches({
      session,
      isCurrent: (pending) => registry.get(pending.infoHash)?.pending === pending,
      changed: (pending, kind) => {
        registry.touch(registry.get(pending.infoHash), kind);
        if (kind === 'state') this.persistence.scheduleSave();
      },
      log,
      finish: (pending, resolved) => this.adder.finishMagnet(pending, resolved),
      timeoutMs: () => options.metadataTimeoutMs ?? 300_000,
    });
    const parts = (this.parts = {
      session,
      registry,
      queue: this.queue,
      magnets: this.magnets,
      persistence: this.persistence,
      stateDirectory: options.stateDirectory,
      resumePath: options.resumePath,
      moveFs: options.moveFs,
      log,
      downloadDirectory: () => this.globals.downloadDirectory,
      torrentFilePath: (hash: string) => this.torrentFilePath(hash),
      globalSeedGoals: () => this.globals.seedGoals(),
      addMagnet: (uri: string, addOptions: AddOptions) => this.addMagnet(uri, addOptions),
    });
    this.reads = new TorrentReads(registry);
    this.adder = new TorrentAdder(parts);
    this.actions = new TorrentActions(parts);
    this.editor = new TorrentSettingsEditor(parts);
    this.binding = new SessionBinding(parts);
    this.binding.attach();
    const seedMs = options.seedCheckMs ?? 5000;
    if (seedMs > 0) {
      this.seedTimer = setInterval(() => this.checkSeedGoals(), seedMs);
      this.seedTimer.unref();
    }
    this.globals.checkSchedule();
    const altMs = options.altSpeedCheckMs ?? 15_000;
    if (altMs > 0) {
      this.altSpeedTimer = setInterval(() => this.globals.checkSchedule(), altMs);
      this.altSpeedTimer.unref();
    }
  }

  // ---- reads ----

  /** Every torrent (and magnet waiting for metadata), in the order of adding. The same array until one is added or removed. */
  list(): readonly TorrentRef[] {
    return this.registry.list();
  }

  get size(): number {
    return this.list().length;
  }

  /** The id and hash of a torrent given either. */
  ref(key: TorrentKey): TorrentRef | undefined {
    return this.registry.entry(key)?.ref;
  }

  has(key: TorrentKey): boolean {
    return this.registry.entry(key) !== undefined;
  }

  /** One torrent's list row (a new plain object each call). */
  summary(key: TorrentKey): TorrentSummary | undefined {
    return this.reads.summary(key);
  }

  /** A torrent's files with their progress; undefined for an unknown torrent, [] for a magnet without metadata. */
  files(key: TorrentKey): FileInfo[] | undefined {
    return this.reads.files(key);
  }

  peers(key: TorrentKey): PeerInfo[] | undefined {
    return this.reads.peers(key);
  }

  trackers(key: TorrentKey): TrackerInfo[] | undefined {
    return this.reads.trackers(key);
  }

  pieces(key: TorrentKey): PieceInfo | undefined {
    return this.reads.pieces(key);
  }

  info(key: TorrentKey): TorrentInfo | undefined {
    return this.reads.info(key);
  }

  /** The parsed metainfo (read-only: for summaries like `btui metainfo`'s). */
  metainfo(key: TorrentKey): Readonly<Metainfo> | undefined {
    return this.reads.metainfo(key);
  }

  global(): GlobalInfo {
    return this.globals.global(globalRates(this.registry.values()), this.size);
  }

  /** The settings every front-end shows without asking the engine (cheap: no stats). */
  settings(): ServiceSettings {
    return this.globals.settings();
  }

  /** The current change cursor: changes(cursor) later names what changed after now. */
  cursor(): number {
    return this.registry.cursor();
  }

  /**
   * Which torrents changed (or were added) and which were removed after `since` (a cursor
   * from cursor() or an earlier result): Transmission's `recently-active`. Traffic counts as a
   * change; an idle seeding torrent with no peers does not change.
   */
  changes(since: number): ChangesSince {
    return this.registry.changes(since);
  }

  get recovery(): SessionRecovery | undefined {
    return this.persistence.recovery;
  }

  get sessionPath(): string {
    return this.persistence.path;
  }

  torrentFilePath(hash: string): string {
    return join(this.options.stateDirectory, 'torrents', `${hash}.torrent`);
  }

  // ---- adding ----

  /** A path, http(s) URL, magnet link or info-hash. Returns the info-hash, or undefined (with an error logged) when it cannot be added. */
  add(text: string, options: AddOptions = {}): Promise<string | undefined> {
    return this.adder.add(text, options);
  }

  /** As add(), with the reason in words when it cannot be added (also logged). */
  addExplained(text: string, options: AddOptions = {}): Promise<{ hash: string } | { error: string }> {
    return this.adder.addExplained(text, options);
  }

  /** The bytes of a .torrent file (Transmission's `metainfo`). */
  addTorrentBytes(bytes: Uint8Array, options: AddOptions = {}): Promise<string | undefined> {
    return this.adder.addTorrentBytes(bytes, options);
  }

  /**
   * A magnet link or bare info-hash: listed at once in state "metadata"; the torrent takes
   * its place (and its id) when the metadata arrives. Undefined when the text is not usable.
   */
  addMagnet(text: string, options: AddOptions = {}): Promise<string | undefined> {
    return this.adder.addMagnet(text, options);
  }

  /** Adds a parsed torrent, keeps a copy of its .torrent for the session, and logs it. */
  addMetainfo(meta: Metainfo, options: AddOptions = {}): Promise<string> {
    return this.adder.addMetainfo(meta, options);
  }

  // ---- actions ----

  /** Asks a torrent to run (through the download queue), or a magnet to fetch its metadata. */
  start(key: TorrentKey): Promise<void> {
    return this.actions.start(key);
  }

  /**
   * Starts a torrent outside the download queue (Transmission's torrent-start-now): it runs
   * even when every slot is taken, takes none, and no queue pass stops it until it is stopped.
   */
  startNow(key: TorrentKey): Promise<void> {
    return this.actions.startNow(key);
  }

  /** Stops a torrent (paused by the user: it stays paused across restarts), or a magnet's fetch. */
  stop(key: TorrentKey): Promise<void> {
    return this.actions.stop(key);
  }

  /** Pauses a running, queued or fetching torrent; starts a paused or failed one. */
  toggle(key: TorrentKey): Promise<void> {
    return this.actions.toggle(key);
  }

  /** Checks the data on disk again (Transmission's torrent-verify). */
  verify(key: TorrentKey): Promise<void> {
    return this.actions.verify(key);
  }

  reannounce(key: TorrentKey): void {
    this.actions.reannounce(key);
  }

  /** Removes a torrent (and its .torrent copy and resume data), with its data or not. */
  remove(key: TorrentKey, options: { deleteData?: boolean } = {}): Promise<void> {
    return this.actions.remove(key, options);
  }

  /** Moves a torrent's data to another directory (see moveTorrent); returns whether it moved. */
  async move(key: TorrentKey, directory: string, options: { moveData?: boolean } = {}): Promise<boolean> {
    const entry = this.registry.entry(key);
    if (!entry) return false;
    return moveTorrent(this.parts, entry, directory, options);
  }

  setGlobalLimits(limits: { download?: number; upload?: number }): void {
    this.globals.setLimits(limits);
  }

  getGlobalLimits(): { download: number; upload: number } {
    return this.globals.getLimits();
  }

  /**
   * Turtle mode (Transmission's alternate speed limits): on or off, its limits (bytes/s, 0 =
   * none) and its schedule. While on, its limits replace the global ones; the schedule switches
   * it at the window's edges and the switch may be flipped by hand in between.
   */
  setAltSpeed(patch: Partial<AltSpeed>): void {
    this.globals.setAltSpeed(patch);
  }

  /** Applies the turtle schedule as of `now` (run every altSpeedCheckMs). */
  checkAltSpeedSchedule(now = new Date()): void {
    this.globals.checkSchedule(now);
  }

  /** The service-wide seed goals (for torrents in mode 'global'); null clears one. */
  setGlobalSeedGoals(goals: { ratio?: number | null; idleMinutes?: number | null }): void {
    this.globals.setSeedGoals(goals);
  }

  setMaxActiveDownloads(max: number): void {
    this.globals.setMaxActiveDownloads(max);
  }

  setDownloadDirectory(directory: string): void {
    this.globals.setDownloadDirectory(directory);
  }

  /** Several per-torrent settings at once (Transmission's torrent-set); saved before it resolves. */
  set(key: TorrentKey, settings: TorrentSettings): Promise<void> {
    return this.editor.set(key, settings);
  }

  setLabels(key: TorrentKey, labels: readonly string[]): Promise<void> {
    return this.set(key, { labels });
  }

  setTorrentLimits(key: TorrentKey, limits: { download?: number; upload?: number }): Promise<void> {
    return this.set(key, { downloadLimit: limits.download, uploadLimit: limits.upload });
  }

  setSeedGoals(
    key: TorrentKey,
    goals: Partial<Pick<TorrentSettings, 'seedRatioLimit' | 'seedRatioMode' | 'seedIdleLimit' | 'seedIdleMode'>>,
  ): Promise<void> {
    return this.set(key, goals);
  }

  /** Queue priority: 1 low, 2 normal, 3 high (clamped). */
  setPriority(key: TorrentKey, priority: number): Promise<void> {
    return this.set(key, { priority });
  }

  /**
   * Moves a torrent to `position` (0 first) in the download queue: it takes the priority of
   * the torrent now there and goes just before it.
   */
  setQueuePosition(key: TorrentKey, position: number): Promise<void> {
    return this.editor.setQueuePosition(key, position);
  }

  /** One file's priority: 0 skip, 1 normal, 2 high. */
  setFilePriority(key: TorrentKey, fileIndex: number, priority: number): Promise<void> {
    return this.editor.setFilePriority(key, fileIndex, priority);
  }

  /** Every file's priority at once (one per file). */
  setFilePriorities(key: TorrentKey, priorities: ArrayLike<number>): Promise<void> {
    return this.editor.setFilePriorities(key, priorities);
  }

  /**
   * Stops complete torrents that reached their seed goal (ratio, or minutes without
   * transfer); run every seedCheckMs. Returns the hashes stopped.
   */
  checkSeedGoals(now = Date.now()): string[] {
    return this.actions.checkSeedGoals(now);
  }

  log(level: LogLevel, text: string): void {
    this.emit('log', level, text);
  }

  // ---- the saved session ----

  /** The session as it would be saved now (ephemeral demo torrents left out). */
  savedSession(): SavedSession {
    return savedSession(this.registry.values());
  }

  /** Saves now (errors logged). */
  save(): Promise<void> {
    return this.persistence.save();
  }

  /**
   * Adds the saved torrents back, paused ones paused (the others through the download queue);
   * magnets still without metadata fetch it again. Returns how many came back. An unusable
   * session file leaves `recovery` set: nothing is saved until rebuild() or keepAsIs().
   */
  restore(options: { startLater?: boolean; saved?: SavedTorrent[] } = {}): Promise<number> {
    // startLater: the torrents are listed (with their saved progress) but none starts until
    // startRestored(), so that the TUI's first frame does not wait for every torrent's start.
    if (options.startLater) this.queue.hold();
    return restoreSession(this.persistence, this.parts, options.saved);
  }

  /**
   * Reads session.json without opening anything (restore({ saved }) then opens them): the TUI
   * draws its first list from it. An unusable file is set aside here, leaving `recovery` set.
   */
  readSavedSession(): Promise<SavedTorrent[]> {
    return this.persistence.read();
  }

  /** The saved session as on disk now (after close: as close wrote it, without reading it back). */
  savedSessionOnDisk(): Promise<readonly SavedTorrent[]> {
    return this.persistence.onDiskNow();
  }

  /** After restore({ startLater: true }): the queue starts what it should. */
  startRestored(): void {
    this.queue.release();
  }

  /**
   * The answer yes to the recovery question: every saved .torrent back in the list, where the
   * damaged file said its data was if that can be made out, else in `defaultDirectory`; each
   * runs again only if its resume data finds its data there. Then saving resumes.
   */
  rebuild(defaultDirectory: string): Promise<number> {
    return rebuildSession(this.persistence, this.parts, defaultDirectory);
  }

  /** The answer no: the list stays as it is (the damaged file stays set aside); saving resumes. */
  async keepAsIs(): Promise<void> {
    const aside = this.persistence.recovery?.setAside;
    this.persistence.release();
    this.log('info', `keeping the list as it is${aside ? `; the old session stays in ${aside}` : ''}`);
    await this.persistence.save();
  }

  /** Stops fetching metadata and the timers, and saves (magnets stay saved as magnets). The session itself is the caller's to close. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopWork();
    await this.persistence.compact();
    this.binding.detach();
  }

  /** Stops the timers and the fetches without saving (tests that check what was saved before). */
  dispose(): void {
    this.closed = true;
    this.stopWork();
    this.binding.detach();
  }

  private stopWork(): void {
    clearInterval(this.seedTimer);
    clearInterval(this.altSpeedTimer);
    for (const entry of this.registry.values()) if (entry.pending) this.magnets.cancel(entry.pending);
    this.queue.close();
    this.persistence.close();
  }
}
