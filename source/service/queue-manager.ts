/**
 * The download queue: at most `maxActive` torrents download at once; the rest wait in
 * the "queued" state. Priority decides who goes first (high, normal, low), then the order
 * of adding. Seeding torrents are never queued, and a torrent whose data may be complete but
 * is not checked yet does not wait for a slot: it is checked first, seed-only (as Transmission
 * verifies before it queues), and queues only if the check finds pieces missing. A pure
 * function, so it is tested alone.
 */
export interface QueueEntry {
  readonly hash: string;
  /** 1 low, 2 normal, 3 high. */
  readonly priority: number;
  readonly addedAt: number;
  readonly running: boolean;
  /** Waiting to be started (the user wants it running). */
  readonly queued: boolean;
  /** Counts against the limit: downloading, or checking/stopped without having completed. */
  readonly downloading: boolean;
  /** Started with startNow: outside the queue (never waits for a slot, takes none, is never stopped). */
  readonly forced?: boolean;
  /** Waiting, with its data perhaps complete but not checked yet: checked seed-only instead of waiting for a slot. */
  readonly checkFirst?: boolean;
}

export interface QueuePlan {
  start: string[];
  /** Running downloads that lost their slot to higher-priority ones: stopped and queued. */
  stop: string[];
  /** Started seed-only, outside the slots: they seed if their check finds them complete, else wait in the queue. */
  check: string[];
}

export function planQueue(entries: readonly QueueEntry[], maxActive: number): QueuePlan {
  const start: string[] = [];
  const stop: string[] = [];
  const check: string[] = [];
  const downloads: { entry: QueueEntry; index: number }[] = [];
  entries.forEach((entry, index) => {
    if (!entry.running && !entry.queued) return;
    if (maxActive <= 0 || !entry.downloading || entry.forced) {
      if (!entry.running) start.push(entry.hash);
    } else if (entry.checkFirst && !entry.running) {
      check.push(entry.hash);
    } else {
      downloads.push({ entry, index });
    }
  });
  downloads.sort((a, b) => b.entry.priority - a.entry.priority || a.entry.addedAt - b.entry.addedAt || a.index - b.index);
  downloads.forEach(({ entry }, rank) => {
    if (rank < maxActive) {
      if (!entry.running) start.push(entry.hash);
    } else if (entry.running) {
      stop.push(entry.hash);
    }
  });
  return { start, stop, check };
}

/** The least time between two deferred passes (a burst's requests wait at most this long)... */
const DEFERRED_GAP_MS = 50;
/** ...or this many times as long as the last pass took, so that passes take at most a tenth of the time. */
const DEFERRED_GAP_PER_PASS = 10;

/**
 * Torrents started in one turn of the event loop at most (a start takes ~0.1 ms of CPU): the
 * 10,000 of a restored session start over many turns, with keys and frames between them.
 */
export const START_BATCH = 200;

/**
 * Seed-only checks started and not finished, at most: 8 check at once in the engine
 * (engine/torrent/check-slots.ts), the rest wait their turn there. 10,000 started together
 * held ~150 MiB more while they waited (each running torrent's start-up), and V8 kept that much
 * more heap after they were done.
 */
export const MAX_SEED_ONLY_CHECKS = 64;

export const PRIORITY_NAMES: Record<number, string> = { 1: 'low', 2: 'normal', 3: 'high' };
export const MIN_PRIORITY = 1;
export const MAX_PRIORITY = 3;

/** What the queue manager needs to know of one torrent, and may change. */
export interface QueueSubject {
  readonly hash: string;
  readonly priority: number;
  /** Order among equal priorities (the time of adding unless moved). */
  readonly order: number;
  /** Wants to run but waits for a slot (or for the seed-only check that tells whether it needs one). */
  queued: boolean;
  /** Started with startNow: outside the queue until stopped (see QueueEntry.forced). */
  readonly forced?: boolean;
}

/** How the queue manager reads the torrents and starts and stops them (the service). */
export interface QueueHost {
  /** Every torrent with its data (magnets without metadata left out): read only when the limit changes. */
  subjects(): Iterable<QueueSubject>;
  /** The torrent's subject while it has its data (undefined once removed). */
  current(hash: string): QueueSubject | undefined;
  running(hash: string): boolean;
  /** Counts against the limit: see QueueEntry.downloading. */
  downloading(hash: string): boolean;
  /** See QueueEntry.checkFirst. */
  checkFirst(hash: string): boolean;
  start(hash: string): void;
  /** Starts it seed-only: it seeds if its check finds it complete, else it stops again (Torrent.start's seedOnly). */
  check(hash: string): void;
  stop(hash: string): void;
  /** The torrent's row changed (queued or not). */
  changed(hash: string): void;
}

/**
 * Applies planQueue: keeps at most `maxActive` torrents downloading, starting the next ones
 * as slots free up. Bursts of events are planned once (schedule), explicit requests at once.
 * A pass reads only the torrents that wait or hold a slot, and those whose state changed since
 * the last one (noteChange): 50,000 seeding torrents cost it nothing.
 */
export class QueueManager {
  private scheduled?: { immediate: NodeJS.Immediate } | { timeout: NodeJS.Timeout };
  private lastPassEnd = -Infinity;
  private lastPassMs = 0;
  /** Starts planned and not yet made (START_BATCH a turn), and the turn that makes the next ones. */
  private pending: { subject: QueueSubject; seedOnly: boolean }[] = [];
  private continuation?: NodeJS.Immediate;
  /** Something asked for a new plan while planned starts were still being made. */
  private replanAfter = false;
  /** Held: nothing is started or stopped until release() (the TUI's first frame comes first). */
  private held = false;
  /** What a pass reads: the torrents waiting for a slot or holding one (and, once, any that changed). */
  private readonly tracked = new Map<string, QueueSubject>();
  /** Started seed-only and still checking: they take no slot, and no pass reads them until their state changes. */
  private readonly checking = new Map<string, QueueSubject>();
  /** Waiting for a seed-only check, in the order they came (not read by passes: each takes the next few). */
  private readonly toCheck = new Map<string, QueueSubject>();
  /** Torrents whose state changed since the last pass. */
  private readonly changedHashes = new Set<string>();
  /** Torrents the last pass read (a test counts them: they must not grow with the seeding ones). */
  lastPassReads = 0;

  constructor(
    private readonly host: QueueHost,
    private maxActiveDownloads = 0,
  ) {}

  get maxActive(): number {
    return this.maxActiveDownloads;
  }

  setMaxActive(max: number): void {
    this.maxActiveDownloads = Math.max(0, Math.floor(max));
    // Running downloads were not tracked while there was no limit: every torrent is read once.
    for (const subject of this.host.subjects()) if (!this.checking.has(subject.hash)) this.tracked.set(subject.hash, subject);
    this.apply();
  }

  /** Asks for a torrent to run: now if a slot is free (or it is complete), else queued. */
  request(subject: QueueSubject, options: { defer?: boolean } = {}): void {
    subject.queued = true;
    // Started now (startNow) waits for no check turn.
    if (subject.forced) this.toCheck.delete(subject.hash);
    if (!this.checking.has(subject.hash) && !this.toCheck.has(subject.hash)) this.tracked.set(subject.hash, subject);
    this.host.changed(subject.hash);
    if (options.defer) this.schedule();
    else this.apply();
  }

  /** Takes a torrent out of the queue (paused by the user). */
  withdraw(subject: QueueSubject): void {
    if (!subject.queued) return;
    subject.queued = false;
    this.host.changed(subject.hash);
  }

  /** A torrent's state changed (started, stopped, checked, completed, removed): the next pass, soon, reads it. */
  noteChange(hash: string): void {
    this.changedHashes.add(hash);
    this.schedule();
  }

  /**
   * Re-plans once the current burst of events is over, and no sooner than DEFERRED_GAP_MS (or ten
   * times the last pass's time) after the last pass: a stream of adds to a session of 10,000 made
   * one on nearly every turn of the event loop (42% of the daemon's CPU when each pass read every
   * torrent; 62% at 25,000 with passes 50 ms apart).
   */
  schedule(): void {
    if (this.held || this.scheduled) return;
    if (this.continuation) {
      this.replanAfter = true;
      return;
    }
    const wait = this.lastPassEnd + Math.max(DEFERRED_GAP_MS, DEFERRED_GAP_PER_PASS * this.lastPassMs) - performance.now();
    this.scheduled = wait > 0 ? { timeout: setTimeout(() => this.apply(), wait) } : { immediate: setImmediate(() => this.apply()) };
  }

  /** Plans nothing until release(): requests made meanwhile are planned together then. */
  hold(): void {
    this.held = true;
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    this.apply();
  }

  /** Starts and stops torrents so that the queue holds. */
  apply(): void {
    this.cancelScheduled();
    if (this.held) return;
    this.replanAfter = false;
    const started = performance.now();
    try {
      this.pass();
    } finally {
      this.lastPassEnd = performance.now();
      this.lastPassMs = this.lastPassEnd - started;
    }
  }

  private pass(): void {
    // Checks planned by the last pass and not started yet are planned again with the rest.
    for (const { subject, seedOnly } of this.pending) if (seedOnly) this.tracked.set(subject.hash, subject);
    this.readChanges();
    const entries: QueueEntry[] = [];
    const byHash = new Map<string, QueueSubject>();
    const limited = this.maxActiveDownloads > 0;
    let reads = 0;
    for (const [hash, subject] of this.tracked) {
      reads++;
      const running = this.host.running(hash);
      if (!running && !subject.queued) {
        this.tracked.delete(hash);
        continue;
      }
      if (running && subject.queued) {
        // Started meanwhile (a seed-only check that found it complete, a start from elsewhere): no longer waiting.
        subject.queued = false;
        this.host.changed(hash);
      }
      // Running and taking no slot (seeding, forced, or no limit): nothing to plan until its state changes.
      const downloading = limited && this.host.downloading(hash);
      if (running && (!downloading || subject.forced)) {
        this.tracked.delete(hash);
        continue;
      }
      byHash.set(hash, subject);
      entries.push({
        hash,
        priority: subject.priority,
        addedAt: subject.order,
        running,
        queued: subject.queued,
        downloading,
        forced: subject.forced,
        checkFirst: limited && !running && this.host.checkFirst(hash),
      });
    }
    this.lastPassReads = reads;
    const plan = planQueue(entries, this.maxActiveDownloads);
    for (const hash of plan.check) {
      this.tracked.delete(hash);
      this.toCheck.set(hash, byHash.get(hash)!);
    }
    this.pending = [
      ...plan.start.map((hash) => ({ subject: byHash.get(hash)!, seedOnly: false })),
      ...this.nextChecks().map((subject) => ({ subject, seedOnly: true })),
    ];
    this.startSome();
    for (const hash of plan.stop) {
      byHash.get(hash)!.queued = true;
      this.host.changed(hash);
      this.host.stop(hash);
    }
  }

  /** The next torrents waiting for a seed-only check, as many as may start; those no longer waiting for one are let go. */
  private nextChecks(): QueueSubject[] {
    const next: QueueSubject[] = [];
    for (const [hash, subject] of this.toCheck) {
      if (this.checking.size + next.length >= MAX_SEED_ONLY_CHECKS) break;
      this.toCheck.delete(hash);
      if (this.host.current(hash) !== subject || !subject.queued || this.host.running(hash)) continue;
      if (this.maxActiveDownloads > 0 && this.host.checkFirst(hash)) next.push(subject);
      else this.tracked.set(hash, subject);
    }
    this.lastPassReads += next.length;
    return next;
  }

  /** The torrents whose state changed go back to being read; a seed-only check still under way stays out. */
  private readChanges(): void {
    for (const hash of this.changedHashes) {
      const subject = this.host.current(hash);
      if (!subject) {
        this.tracked.delete(hash);
        this.checking.delete(hash);
        this.toCheck.delete(hash);
        continue;
      }
      if (this.checking.has(hash)) {
        if (this.host.running(hash) && this.host.downloading(hash)) continue;
        this.checking.delete(hash);
      }
      this.tracked.set(hash, subject);
    }
    this.changedHashes.clear();
  }

  /** The next batch of the planned starts; the rest in the next turn, without planning again for each batch. */
  private startSome(): void {
    if (this.continuation) clearImmediate(this.continuation);
    this.continuation = undefined;
    for (const { subject, seedOnly } of this.pending.splice(0, START_BATCH)) {
      // Paused or started meanwhile: left as it is.
      if (!subject.queued || this.host.running(subject.hash)) continue;
      if (seedOnly) {
        // Still waiting (for the check's verdict): shown as checking, read again once its state changes.
        this.tracked.delete(subject.hash);
        this.checking.set(subject.hash, subject);
        this.host.check(subject.hash);
        continue;
      }
      subject.queued = false;
      this.host.changed(subject.hash);
      this.host.start(subject.hash);
    }
    if (this.pending.length > 0) {
      this.continuation = setImmediate(() => this.startSome());
    } else if (this.replanAfter) {
      this.replanAfter = false;
      this.schedule();
    }
  }

  /** Each subject's place in the queue (0 first): by priority, then age, then order. */
  positions(subjects: readonly QueueSubject[]): Map<string, number> {
    const order = subjects.map((s, index) => ({ s, index }));
    order.sort((a, b) => b.s.priority - a.s.priority || a.s.order - b.s.order || a.index - b.index);
    return new Map(order.map(({ s }, rank) => [s.hash, rank]));
  }

  close(): void {
    this.cancelScheduled();
    if (this.continuation) clearImmediate(this.continuation);
    this.continuation = undefined;
    this.pending = [];
    this.toCheck.clear();
  }

  private cancelScheduled(): void {
    const scheduled = this.scheduled;
    this.scheduled = undefined;
    if (!scheduled) return;
    if ('immediate' in scheduled) clearImmediate(scheduled.immediate);
    else clearTimeout(scheduled.timeout);
  }
}
