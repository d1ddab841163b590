/**
 * When a complete torrent has seeded enough: shared by `btui download --seed-ratio/--seed-time`
 * and the service's per-torrent seed goals (Transmission's seedRatioLimit and seedIdleLimit).
 */
export interface SeedGoal {
  /** Uploaded / size at which seeding ends; undefined = no ratio goal. */
  ratio?: number;
  /** Minutes after which seeding ends (seeding time for `download`, idle time for the service); undefined = none. */
  minutes?: number;
}

export interface SeedProgress {
  uploaded: number;
  /** The torrent's size (0 is taken as 1 byte). */
  length: number;
  /** Minutes counted against `minutes`. */
  minutes: number;
}

/** Which goal was reached, if any: the ratio is looked at first. */
export function seedGoalReached(goal: SeedGoal, progress: SeedProgress): 'ratio' | 'time' | undefined {
  if (goal.ratio !== undefined && progress.uploaded / (progress.length || 1) >= goal.ratio) return 'ratio';
  if (goal.minutes !== undefined && progress.minutes >= goal.minutes) return 'time';
  return undefined;
}
