import { formatRate } from './duration.js';
import { minuteText } from './schedule.js';

function pair(download: number, upload: number): string {
  const one = (rate: number) => (rate > 0 ? formatRate(rate) : 'unlimited');
  return `down ${one(download)}, up ${one(upload)}`;
}

/**
 * The speed limits a session starts with, in one line for a log: a daemon that is slow because
 * of a limit (or turtle mode) left on in its settings says so where its user looks first.
 */
export function sessionLimitsText(
  limits: { download: number; upload: number },
  alt: { download: number; upload: number; enabled: boolean; scheduled: boolean; begin: number; end: number },
): string {
  const parts: string[] = [];
  parts.push(limits.download > 0 || limits.upload > 0 ? `speed limits ${pair(limits.download, limits.upload)}` : 'no speed limits');
  if (alt.enabled) parts.push(`turtle mode ON: ${pair(alt.download, alt.upload)}`);
  if (alt.scheduled) parts.push(`turtle schedule ${minuteText(alt.begin)}-${minuteText(alt.end)}`);
  return parts.join('; ');
}
