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
    if (maxActive <= 0 || !entry.downloading) {
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

export const PRIORITY_NAMES: Record<number, string> = { 1: 'low', 2: 'normal', 3: 'high' };
export const MIN_PRIORITY = 1;
export const MAX_PRIORITY = 3;
