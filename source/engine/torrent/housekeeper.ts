import { TurnSlices } from './turn-slices.js';

/** Something with periodic work, called once a second while registered. */
export interface Housekept {
  housekeep(now: number): void;
}

/**
 * Members housekept in one turn of the event loop at most: 10,000 seeding torrents took ~50-150 ms
 * in one block every second, and a key pressed meanwhile waited for all of it.
 */
export const HOUSEKEEP_SLICE = 250;

/**
 * One timer for the periodic work of many torrents: with a thousand torrents, one wakeup a second
 * instead of three timers each. Each pass goes over the members a slice per turn of the event loop.
 * The timer runs only while something is registered, and never keeps the process alive.
 */
export class Housekeeper {
  private readonly members = new Set<Housekept>();
  private timer?: NodeJS.Timeout;
  /** The pass under way, over the members as they were when it began. */
  private pass?: TurnSlices<Housekept>;

  constructor(private readonly intervalMs = 1000) {}

  add(member: Housekept): void {
    this.members.add(member);
    if (!this.timer) {
      this.timer = setInterval(() => this.run(), this.intervalMs);
      this.timer.unref();
    }
  }

  delete(member: Housekept): void {
    this.members.delete(member);
    if (this.members.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  get size(): number {
    return this.members.size;
  }

  private run(): void {
    // A pass still under way (a busy process) finishes before another begins.
    if (this.pass) return;
    this.pass = new TurnSlices(
      [...this.members],
      HOUSEKEEP_SLICE,
      (member, now) => {
        // Gone since the pass began (removed, stopped): not housekept.
        if (this.members.has(member)) member.housekeep(now);
      },
      () => (this.pass = undefined),
    );
    this.pass.start();
  }
}

/** For torrents made outside a session. */
export const sharedHousekeeper = new Housekeeper();
