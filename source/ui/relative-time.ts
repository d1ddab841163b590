import { formatDuration } from '../format/duration.js';

/** "3m12s ago" / "in 25m00s" / "-": tracker times read best relative to now. */
export function ago(at: number | undefined, now = Date.now()): string {
  if (at === undefined) return '-';
  return `${formatDuration(Math.max(0, (now - at) / 1000))} ago`;
}

export function until(at: number | undefined, now = Date.now()): string {
  if (at === undefined) return '-';
  const seconds = (at - now) / 1000;
  return seconds <= 0 ? 'now' : `in ${formatDuration(seconds)}`;
}

/** Milliseconds (engine times) as "2024-05-01 12:00:00 UTC". */
export function utcTime(ms: number | undefined): string {
  if (ms === undefined) return '-';
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
