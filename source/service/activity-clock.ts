/**
 * Time spent downloading and seeding, accumulated across runs (Transmission's secondsDownloading
 * and secondsSeeding): closed intervals in milliseconds, and the open one's start.
 */
export interface ActivityClock {
  downloadingMs: number;
  seedingMs: number;
  /** What the open interval counts, and since when. */
  running?: 'downloading' | 'seeding';
  since: number;
}

export function newClock(seconds: { downloading?: number; seeding?: number } = {}): ActivityClock {
  return { downloadingMs: (seconds.downloading ?? 0) * 1000, seedingMs: (seconds.seeding ?? 0) * 1000, since: 0 };
}

/** The torrent's state now: the open interval is closed, and a new one opened if it downloads or seeds. */
export function noteState(clock: ActivityClock, state: string, now: number): void {
  close(clock, now);
  clock.running = state === 'downloading' || state === 'seeding' ? state : undefined;
  clock.since = now;
}

function close(clock: ActivityClock, now: number): void {
  const ms = Math.max(0, now - clock.since);
  if (clock.running === 'downloading') clock.downloadingMs += ms;
  else if (clock.running === 'seeding') clock.seedingMs += ms;
  clock.since = now;
}

/** Whole seconds of each, the open interval included. */
export function clockSeconds(clock: ActivityClock, now: number): { downloading: number; seeding: number } {
  const open = clock.running ? Math.max(0, now - clock.since) : 0;
  return {
    downloading: Math.floor((clock.downloadingMs + (clock.running === 'downloading' ? open : 0)) / 1000),
    seeding: Math.floor((clock.seedingMs + (clock.running === 'seeding' ? open : 0)) / 1000),
  };
}
