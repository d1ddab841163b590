import { formatRate } from '../format/duration.js';
import type { GoalMode, TorrentRow } from './types.js';

/**
 * What the per-torrent prompts (labels, seed goals, limits) accept, and how their current
 * values are written back into them. Pure: a refused value comes back as one line saying
 * why, and nothing is changed.
 */
export type Parsed<T> = { value: T } | { error: string };

const KIB = 1024;

/** "music, linux isos" -> ['music', 'linux isos']; empty clears. (The service trims and drops duplicates too.) */
export function parseLabels(text: string): string[] {
  return [
    ...new Set(
      text
        .split(',')
        .map((l) => l.trim())
        .filter((l) => l !== ''),
    ),
  ];
}

export function labelsText(labels: readonly string[]): string {
  return labels.join(', ');
}

const GLOBAL_WORDS = new Set(['', 'global', 'default']);
const UNLIMITED_WORDS = new Set(['unlimited', 'none', 'off', 'no', 'never', '∞']);

export interface RatioGoal {
  seedRatioMode: GoalMode;
  seedRatioLimit?: number;
}

export interface IdleGoal {
  seedIdleMode: GoalMode;
  seedIdleLimit?: number;
}

/** A seed ratio goal: a number (2, 1.5), `global` (or empty) or `unlimited`. */
export function parseRatioGoal(typed: string): Parsed<RatioGoal> {
  const text = typed.trim().toLowerCase();
  if (GLOBAL_WORDS.has(text)) return { value: { seedRatioMode: 'global' } };
  if (UNLIMITED_WORDS.has(text)) return { value: { seedRatioMode: 'unlimited' } };
  const why = `seed ratio goal: '${typed.trim()}'`;
  if (!/^\d+(\.\d+)?$|^\.\d+$/.test(text)) return { error: `${why} is not a ratio (a number like 2 or 1.5, global, or unlimited)` };
  const value = Number(text);
  if (value <= 0) return { error: `${why} would stop seeding at once (type unlimited for no goal)` };
  if (value > 10_000) return { error: `${why} is too large (at most 10000; unlimited for no goal)` };
  return { value: { seedRatioMode: 'single', seedRatioLimit: value } };
}

const TIME_UNITS: Record<string, number> = { d: 1440, h: 60, m: 1, min: 1 };

/** A seed idle-time goal in whole minutes: `90m`, `2h`, `1h30m`, `1d`, a bare number of minutes, `global` (or empty) or `unlimited`. */
export function parseIdleGoal(typed: string): Parsed<IdleGoal> {
  const text = typed.trim().toLowerCase();
  if (GLOBAL_WORDS.has(text)) return { value: { seedIdleMode: 'global' } };
  if (UNLIMITED_WORDS.has(text)) return { value: { seedIdleMode: 'unlimited' } };
  const why = `seed idle goal: '${typed.trim()}'`;
  let minutes: number | undefined;
  if (/^\d+$/.test(text)) minutes = Number(text);
  else if (/^(\d+(\.\d+)?\s*(d|h|min|m)\s*)+$/.test(text)) {
    minutes = 0;
    for (const m of text.matchAll(/(\d+(?:\.\d+)?)\s*(d|h|min|m)/g)) minutes += Number(m[1]) * TIME_UNITS[m[2]!]!;
  }
  if (minutes === undefined)
    return { error: `${why} is not a time (like 90m, 2h, 1h30m, 1d; a bare number is minutes; or global, unlimited)` };
  if (!Number.isInteger(minutes)) return { error: `${why} is not a whole number of minutes` };
  if (minutes <= 0) return { error: `${why} would stop seeding at once (type unlimited for no goal)` };
  if (minutes > 366 * 1440) return { error: `${why} is too long (at most a year; unlimited for no goal)` };
  return { value: { seedIdleMode: 'single', seedIdleLimit: minutes } };
}

/** Minutes as the idle prompt takes them back: 90 -> "1h30m", 2880 -> "2d". */
export function minutesText(minutes: number): string {
  if (minutes > 0 && minutes % 1440 === 0) return `${minutes / 1440}d`;
  if (minutes < 60) return `${minutes}m`;
  const m = minutes % 60;
  return `${Math.floor(minutes / 60)}h${m ? `${m}m` : ''}`;
}

const RATE_UNITS: Record<string, number> = { '': KIB, k: KIB, m: KIB * KIB, g: KIB * KIB * KIB };

/**
 * A per-torrent rate limit in bytes/s, typed as the CLI takes it: KiB/s (`512`), or with a
 * unit (`512K`, `1M`, `1.5MiB/s`); `0`, `unlimited` or empty = no limit of its own.
 */
export function parseRateLimit(typed: string, which: 'download' | 'upload'): Parsed<number> {
  const text = typed.trim().toLowerCase();
  if (text === '' || text === '0' || UNLIMITED_WORDS.has(text)) return { value: 0 };
  const why = `${which} limit: '${typed.trim()}'`;
  const m = /^(\d+(?:\.\d+)?|\.\d+)\s*(?:([kmg])(?:i?b)?)?(?:\/s)?$/.exec(text);
  if (!m) return { error: `${why} is not a rate (KiB/s like 512, or 512K, 1M, 1.5M; 0 or unlimited for none)` };
  const bytes = Math.round(Number(m[1]) * RATE_UNITS[m[2] ?? '']!);
  if (bytes === 0) return { value: 0 };
  if (bytes < KIB) return { error: `${why} is under 1 KiB/s (0 or unlimited for none)` };
  if (bytes > 2 ** 40) return { error: `${why} is too large (at most 1 TiB/s; 0 or unlimited for none)` };
  return { value: bytes };
}

/** A limit as the prompt takes it back: 0 -> "0", 1 MiB/s -> "1M", 512 KiB/s -> "512". */
export function rateLimitText(bytes: number): string {
  if (bytes <= 0) return '0';
  if (bytes % (KIB * KIB) === 0) return `${bytes / (KIB * KIB)}M`;
  if (bytes % KIB === 0) return String(bytes / KIB);
  return String(Math.round((bytes / KIB) * 1000) / 1000);
}

/** What the prompts open with. */
export function ratioGoalText(row: Pick<TorrentRow, 'seedRatioMode' | 'seedRatioLimit'>): string {
  return row.seedRatioMode === 'single' ? String(row.seedRatioLimit) : row.seedRatioMode;
}

export function idleGoalText(row: Pick<TorrentRow, 'seedIdleMode' | 'seedIdleLimit'>): string {
  return row.seedIdleMode === 'single' ? minutesText(row.seedIdleLimit) : row.seedIdleMode;
}

/** The Info tab's line: "ratio 2, idle global (none)". */
export function seedGoalsSummary(
  row: Pick<TorrentRow, 'seedRatioMode' | 'seedRatioLimit' | 'seedIdleMode' | 'seedIdleLimit'>,
  global: { seedRatioLimit?: number; seedIdleLimit?: number },
): string {
  const ratio =
    row.seedRatioMode === 'single'
      ? String(row.seedRatioLimit)
      : row.seedRatioMode === 'unlimited'
        ? 'unlimited'
        : `global (${global.seedRatioLimit === undefined ? 'none' : String(global.seedRatioLimit)})`;
  const idle =
    row.seedIdleMode === 'single'
      ? minutesText(row.seedIdleLimit)
      : row.seedIdleMode === 'unlimited'
        ? 'unlimited'
        : `global (${global.seedIdleLimit === undefined ? 'none' : minutesText(global.seedIdleLimit)})`;
  return `ratio ${ratio}, idle ${idle}`;
}

/** The Info tab's line: "↓ 1 MiB/s  ↑ unlimited". */
export function limitsSummary(row: Pick<TorrentRow, 'downloadLimit' | 'uploadLimit'>): string {
  const one = (n: number) => (n > 0 ? formatRate(n) : 'unlimited');
  return `↓ ${one(row.downloadLimit)}  ↑ ${one(row.uploadLimit)}`;
}
