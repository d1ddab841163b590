/** Something with periodic work, called once a second while registered. */
export interface Housekept {
  housekeep(now: number): void;
}

/**
 * One timer for the periodic work of many torrents: with a thousand torrents, one wakeup a second
 * instead of three timers each. The timer runs only while something is registered, and never
 * keeps the process alive.
 */
export class Housekeeper {
  private readonly members = new Set<Housekept>();
  private timer?: NodeJS.Timeout;

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
    const now = Date.now();
    for (const member of this.members) member.housekeep(now);
  }
}

/** For torrents made outside a session. */
export const sharedHousekeeper = new Housekeeper();
