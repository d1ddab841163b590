/**
 * The download queue: at most `maxActive` torrents download at once; the rest wait in
 * the "queued" state. Priority decides who goes first (high, normal, low), then the order
 * of adding. Seeding torrents are never queued. A pure function, so it is tested alone.
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
}

export interface QueuePlan {
  start: string[];
  /** Running downloads that lost their slot to higher-priority ones: stopped and queued. */
  stop: string[];
}

export function planQueue(entries: readonly QueueEntry[], maxActive: number): QueuePlan {
  const start: string[] = [];
  const stop: string[] = [];
  const downloads: { entry: QueueEntry; index: number }[] = [];
  entries.forEach((entry, index) => {
    if (!entry.running && !entry.queued) return;
    if (maxActive <= 0 || !entry.downloading || entry.forced) {
      if (!entry.running) start.push(entry.hash);
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
  return { start, stop };
}

/** The least time between two deferred passes (a burst's requests wait at most this long)... */
const DEFERRED_GAP_MS = 50;
/** ...or this many times as long as the last pass took, so that passes take at most a tenth of the time. */
const DEFERRED_GAP_PER_PASS = 10;

export const PRIORITY_NAMES: Record<number, string> = { 1: 'low', 2: 'normal', 3: 'high' };
export const MIN_PRIORITY = 1;
export const MAX_PRIORITY = 3;

/** What the queue manager needs to know of one torrent, and may change. */
export interface QueueSubject {
  readonly hash: string;
  readonly priority: number;
  /** Order among equal priorities (the time of adding unless moved). */
  readonly order: number;
  /** Wants to run but waits for a slot. */
  queued: boolean;
  /** Started with startNow: outside the queue until stopped (see QueueEntry.forced). */
  readonly forced?: boolean;
}

/** How the queue manager reads the torrents and starts and stops them (the service). */
export interface QueueHost {
  /** Every torrent with its data (magnets without metadata left out), in the order of adding. */
  subjects(): Iterable<QueueSubject>;
  running(hash: string): boolean;
  /** Counts against the limit: see QueueEntry.downloading. */
  downloading(hash: string): boolean;
  start(hash: string): void;
  stop(hash: string): void;
  /** The torrent's row changed (queued or not). */
  changed(hash: string): void;
}

/**
 * Applies planQueue: keeps at most `maxActive` torrents downloading, starting the next ones
 * as slots free up. Bursts of events are planned once (schedule), explicit requests at once.
 */
export class QueueManager {
  private scheduled?: { immediate: NodeJS.Immediate } | { timeout: NodeJS.Timeout };
  private lastPassEnd = -Infinity;
  private lastPassMs = 0;
  /** Held: nothing is started or stopped until release() (the TUI's first frame comes first). */
  private held = false;

  constructor(
    private readonly host: QueueHost,
    private maxActiveDownloads = 0,
  ) {}

  get maxActive(): number {
    return this.maxActiveDownloads;
  }

  setMaxActive(max: number): void {
    this.maxActiveDownloads = Math.max(0, Math.floor(max));
    this.apply();
  }

  /** Asks for a torrent to run: now if a slot is free (or it is complete), else queued. */
  request(subject: QueueSubject, options: { defer?: boolean } = {}): void {
    subject.queued = true;
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

  /**
   * Re-plans once the current burst of events is over, and no sooner than DEFERRED_GAP_MS (or ten
   * times the last pass's time) after the last pass: a pass reads every torrent, and a stream of
   * adds to a session of 10,000 made one on nearly every turn of the event loop (42% of the
   * daemon's CPU; 62% at 25,000 with passes 50 ms apart).
   */
  schedule(): void {
    if (this.held || this.scheduled) return;
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
    const started = performance.now();
    try {
      this.pass();
    } finally {
      this.lastPassEnd = performance.now();
      this.lastPassMs = this.lastPassEnd - started;
    }
  }

  private pass(): void {
    const entries: QueueEntry[] = [];
    const byHash = new Map<string, QueueSubject>();
    const limited = this.maxActiveDownloads > 0;
    for (const subject of this.host.subjects()) {
      const running = this.host.running(subject.hash);
      if (!running && !subject.queued) continue;
      // Running and taking no slot (seeding, or no limit): planQueue has nothing to do with it,
      // and 10,000 seeding torrents would otherwise be copied on every pass of a burst of adds.
      const downloading = limited && this.host.downloading(subject.hash);
      if (running && !downloading) continue;
      byHash.set(subject.hash, subject);
      entries.push({
        hash: subject.hash,
        priority: subject.priority,
        addedAt: subject.order,
        running,
        queued: subject.queued,
        downloading,
        forced: subject.forced,
      });
    }
    const plan = planQueue(entries, this.maxActiveDownloads);
    for (const hash of plan.start) {
      byHash.get(hash)!.queued = false;
      this.host.changed(hash);
      this.host.start(hash);
    }
    for (const hash of plan.stop) {
      byHash.get(hash)!.queued = true;
      this.host.changed(hash);
      this.host.stop(hash);
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
  }

  private cancelScheduled(): void {
    const scheduled = this.scheduled;
    this.scheduled = undefined;
    if (!scheduled) return;
    if ('immediate' in scheduled) clearImmediate(scheduled.immediate);
    else clearTimeout(scheduled.timeout);
  }
}
