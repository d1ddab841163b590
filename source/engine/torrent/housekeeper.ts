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
  /** The pass under way: the members when it began, and how far it got. */
  private pass?: Housekept[];
  private next = 0;

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
    this.pass = [...this.members];
    this.next = 0;
    this.slice();
  }

  private readonly slice = (): void => {
    const pass = this.pass;
    if (!pass) return;
    const now = Date.now();
    const end = Math.min(pass.length, this.next + HOUSEKEEP_SLICE);
    try {
      while (this.next < end) {
        const member = pass[this.next++]!;
        // Gone since the pass began (removed, stopped): not housekept.
        if (this.members.has(member)) member.housekeep(now);
      }
    } catch (error) {
      this.pass = undefined;
      throw error;
    }
    if (this.next < pass.length) setImmediate(this.slice);
    else this.pass = undefined;
  };
}

/** For torrents made outside a session. */
export const sharedHousekeeper = new Housekeeper();
