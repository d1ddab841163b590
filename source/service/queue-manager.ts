/**
 * The download queue: at most `maxActive` torrents download at once; the rest wait in
 * the "queued" state. Priority decides who goes first (high, normal, low), then the order
 * of adding. Seeding torrents are never queued, and a torrent whose data may be complete but
 * is not checked yet does not wait for a slot: it is checked first, seed-only (as Transmission
 * verifies before it queues), and queues only if the check finds pieces missing.
 */
import { TurnSlices } from '../engine/torrent/turn-slices.js';
import { SortedChunks } from './sorted-chunks.js';

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
  /** Breaks ties of priority and order (ids follow the order of adding). */
  readonly id: number;
  /** 1 low, 2 normal, 3 high. */
  readonly priority: number;
  /** Order among equal priorities (the time of adding unless moved). */
  readonly order: number;
  /** Wants to run but waits for a slot (or for the seed-only check that tells whether it needs one). */
  queued: boolean;
  /** Started with startNow: outside the queue until stopped (never waits for a slot, takes none, is never stopped by a pass). */
  readonly forced?: boolean;
}

/** How the queue manager reads the torrents and starts and stops them (the service). */
export interface QueueHost {
  /** Every torrent with its data (magnets without metadata left out): read only when the limit changes. */
  subjects(): Iterable<QueueSubject>;
  /** The torrent's subject while it has its data (undefined once removed). */
  current(hash: string): QueueSubject | undefined;
  running(hash: string): boolean;
  /** Counts against the limit: downloading, or checking/stopped without having completed. */
  downloading(hash: string): boolean;
  /** Waiting, with its data perhaps complete but not checked yet: checked seed-only instead of waiting for a slot. */
  checkFirst(hash: string): boolean;
  start(hash: string): void;
  /** Starts it seed-only: it seeds if its check finds it complete, else it stops again (Torrent.start's seedOnly). */
  check(hash: string): void;
  stop(hash: string): void;
  /** The torrent's row changed (queued or not). */
  changed(hash: string): void;
}

/** A waiting torrent's place in the queue as it was when it began to wait (a move files it again). */
interface Place {
  readonly subject: QueueSubject;
  readonly priority: number;
  readonly order: number;
  readonly id: number;
}

const placeOf = (subject: QueueSubject): Place => ({ subject, priority: subject.priority, order: subject.order, id: subject.id });

/** Queue order: priority, then order, then id. */
const comparePlaces = (a: Place, b: Place): number => b.priority - a.priority || a.order - b.order || a.id - b.id;

/** A start planned by a pass: for a download slot, outside the slots (complete, forced, no limit), or a seed-only check. */
interface PlannedStart {
  readonly subject: QueueSubject;
  readonly kind: 'slot' | 'free' | 'check';
}

/**
 * Keeps at most `maxActive` torrents downloading, starting the next ones as slots free up.
 * Bursts of events are planned once (schedule), explicit requests at once. The waiting torrents
 * are kept in queue order between passes, so a pass reads the torrents holding a slot, the first
 * `maxActive` waiting ones and those whose state changed since the last pass (noteChange): its
 * cost follows the slots and the changes, not the 50,000 seeding or waiting torrents.
 */
export class QueueManager {
  private scheduled?: { immediate: NodeJS.Immediate } | { timeout: NodeJS.Timeout };
  private lastPassEnd = -Infinity;
  private lastPassMs = 0;
  /** The starts planned by the last pass, made START_BATCH a turn. */
  private starting?: TurnSlices<PlannedStart>;
  /** Something asked for a new plan while planned starts were still being made. */
  private replanAfter = false;
  /** Held: nothing is started or stopped until release() (the TUI's first frame comes first). */
  private held = false;
  /** Waiting for a download slot, in queue order; `places` finds each one's entry by hash. */
  private readonly waiting = new SortedChunks<Place>(comparePlaces);
  private readonly places = new Map<string, Place>();
  /** Running downloads holding a slot: read again by every pass (about maxActive of them). */
  private readonly holding = new Map<string, QueueSubject>();
  /** Started seed-only and still checking: they take no slot, and no pass reads them until their state changes. */
  private readonly checking = new Map<string, QueueSubject>();
  /** Waiting for a seed-only check, in the order they came (not read by passes: each takes the next few). */
  private readonly toCheck = new Map<string, QueueSubject>();
  /** Torrents the next pass reads: their state changed, they asked to run or they moved in the queue. */
  private readonly changedHashes = new Set<string>();
  /** Torrents the last pass read (tests count them: they must not grow with the seeding or the waiting ones). */
  lastPassReads = 0;

  constructor(
    private readonly host: QueueHost,
    private maxActiveDownloads = 0,
  ) {}

  get maxActive(): number {
    return this.maxActiveDownloads;
  }

  /** Torrents waiting for a download slot (seed-only checks not counted). */
  get waitingCount(): number {
    return this.waiting.size;
  }

  setMaxActive(max: number): void {
    this.maxActiveDownloads = Math.max(0, Math.floor(max));
    // Running downloads are not followed while there is no limit: every torrent is read once.
    for (const subject of this.host.subjects()) this.changedHashes.add(subject.hash);
    this.apply();
  }

  /** Asks for a torrent to run: now if a slot is free (or it is complete), else queued. */
  request(subject: QueueSubject, options: { defer?: boolean } = {}): void {
    subject.queued = true;
    // Started now (startNow) waits for no check turn.
    if (subject.forced) this.toCheck.delete(subject.hash);
    if (!this.checking.has(subject.hash) && !this.toCheck.has(subject.hash)) this.changedHashes.add(subject.hash);
    this.host.changed(subject.hash);
    if (options.defer) this.schedule();
    else this.apply();
  }

  /** Takes a torrent out of the queue (paused by the user). */
  withdraw(subject: QueueSubject): void {
    if (!subject.queued) return;
    subject.queued = false;
    this.unfile(subject.hash);
    this.toCheck.delete(subject.hash);
    this.host.changed(subject.hash);
  }

  /** A torrent's state changed (started, stopped, checked, completed, removed): the next pass, soon, reads it. */
  noteChange(hash: string): void {
    this.changedHashes.add(hash);
    this.schedule();
  }

  /** A torrent's priority or place in the queue changed: it is filed again, and the queue planned at once. */
  moved(hash: string): void {
    this.changedHashes.add(hash);
    this.apply();
  }

  /**
   * Re-plans once the current burst of events is over, and no sooner than DEFERRED_GAP_MS (or ten
   * times the last pass's time) after the last pass: a stream of adds to a session of 10,000 made
   * one on nearly every turn of the event loop (42% of the daemon's CPU when each pass read every
   * torrent; 62% at 25,000 with passes 50 ms apart).
   */
  schedule(): void {
    if (this.held || this.scheduled) return;
    if (this.starting?.running) {
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
    // Starts planned by the last pass and not made yet are planned again with the rest, and the
    // torrents holding a slot are read again (a download that completed frees its slot).
    for (const { subject } of this.starting?.cancel() ?? []) this.changedHashes.add(subject.hash);
    for (const hash of this.holding.keys()) this.changedHashes.add(hash);
    const starts: PlannedStart[] = [];
    let reads = this.changedHashes.size;
    for (const hash of this.changedHashes) this.file(hash, starts);
    this.changedHashes.clear();

    const stops: QueueSubject[] = [];
    if (this.maxActiveDownloads > 0) {
      // The holders and the first maxActive waiting torrents, in queue order: the first maxActive get a slot.
      const contenders: { place: Place; holds: boolean }[] = [];
      for (const subject of this.holding.values()) contenders.push({ place: placeOf(subject), holds: true });
      const stale: Place[] = [];
      let taken = 0;
      for (const place of this.waiting) {
        if (taken >= this.maxActiveDownloads) break;
        reads++;
        const { subject } = place;
        if (this.host.current(subject.hash) !== subject || !subject.queued || this.host.running(subject.hash)) {
          stale.push(place);
          continue;
        }
        contenders.push({ place, holds: false });
        taken++;
      }
      // Changed without a word to the queue: read again by the next pass.
      for (const place of stale) {
        this.unfile(place.subject.hash);
        this.changedHashes.add(place.subject.hash);
      }
      contenders.sort((a, b) => comparePlaces(a.place, b.place));
      contenders.forEach(({ place, holds }, rank) => {
        if (rank < this.maxActiveDownloads) {
          if (holds) return;
          this.unfile(place.subject.hash);
          starts.push({ subject: place.subject, kind: 'slot' });
        } else if (holds) {
          stops.push(place.subject);
        }
      });
    }
    const checks = this.nextChecks();
    reads += checks.length;
    this.lastPassReads = reads;
    const starting = new TurnSlices(
      [...starts, ...checks.map((subject) => ({ subject, kind: 'check' as const }))],
      START_BATCH,
      (start) => this.startOne(start),
      () => {
        if (this.starting === starting) this.starting = undefined;
        if (this.replanAfter) {
          this.replanAfter = false;
          this.schedule();
        }
      },
    );
    this.starting = starting;
    starting.start();
    for (const subject of stops) {
      subject.queued = true;
      this.holding.delete(subject.hash);
      this.changedHashes.add(subject.hash);
      this.host.changed(subject.hash);
      this.host.stop(subject.hash);
    }
    if (this.changedHashes.size > 0) this.schedule();
  }

  /**
   * Reads one torrent and puts it where it belongs: holding a slot, waiting for one (in order),
   * waiting for a seed-only check, to be started outside the slots (complete, forced, no limit),
   * or nowhere (paused, seeding, removed).
   */
  private file(hash: string, starts: PlannedStart[]): void {
    this.unfile(hash);
    this.holding.delete(hash);
    const subject = this.host.current(hash);
    if (!subject) {
      this.checking.delete(hash);
      this.toCheck.delete(hash);
      return;
    }
    if (this.checking.has(hash)) {
      // A seed-only check still under way stays out until its state changes.
      if (this.host.running(hash) && this.host.downloading(hash)) return;
      this.checking.delete(hash);
    }
    const running = this.host.running(hash);
    if (!running && !subject.queued) {
      this.toCheck.delete(hash);
      return;
    }
    if (running && subject.queued) {
      // Started meanwhile (a seed-only check that found it complete, a start from elsewhere): no longer waiting.
      subject.queued = false;
      this.host.changed(hash);
    }
    const downloading = this.maxActiveDownloads > 0 && this.host.downloading(hash);
    if (running || !downloading || subject.forced) this.toCheck.delete(hash);
    if (running) {
      if (downloading && !subject.forced) this.holding.set(hash, subject);
    } else if (!downloading || subject.forced) {
      starts.push({ subject, kind: 'free' });
    } else if (this.host.checkFirst(hash)) {
      if (!this.toCheck.has(hash)) this.toCheck.set(hash, subject);
    } else {
      this.toCheck.delete(hash);
      const place = placeOf(subject);
      this.places.set(hash, place);
      this.waiting.add(place);
    }
  }

  /** Takes a torrent out of the waiting ones, if it was there. */
  private unfile(hash: string): void {
    const place = this.places.get(hash);
    if (!place) return;
    this.places.delete(hash);
    this.waiting.delete(place);
  }

  /** The next torrents waiting for a seed-only check, as many as may start; those no longer waiting for one are read again by the next pass. */
  private nextChecks(): QueueSubject[] {
    const next: QueueSubject[] = [];
    for (const [hash, subject] of this.toCheck) {
      if (this.checking.size + next.length >= MAX_SEED_ONLY_CHECKS) break;
      this.toCheck.delete(hash);
      if (this.host.current(hash) !== subject || !subject.queued || this.host.running(hash)) continue;
      if (this.maxActiveDownloads > 0 && this.host.checkFirst(hash)) next.push(subject);
      else this.changedHashes.add(hash);
    }
    return next;
  }

  /** Makes one planned start, unless it was paused or started meanwhile. */
  private startOne({ subject, kind }: PlannedStart): void {
    if (!subject.queued || this.host.running(subject.hash)) return;
    if (kind === 'check') {
      // Still waiting (for the check's verdict): shown as checking, read again once its state changes.
      this.checking.set(subject.hash, subject);
      this.host.check(subject.hash);
      return;
    }
    subject.queued = false;
    this.host.changed(subject.hash);
    this.host.start(subject.hash);
    if (kind === 'slot') this.holding.set(subject.hash, subject);
  }

  /** Each subject's place in the queue (0 first): by priority, then order, then id. */
  positions(subjects: readonly QueueSubject[]): Map<string, number> {
    const order = subjects.map(placeOf).sort(comparePlaces);
    return new Map(order.map((place, rank) => [place.subject.hash, rank]));
  }

  close(): void {
    this.cancelScheduled();
    this.starting?.cancel();
    this.starting = undefined;
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
