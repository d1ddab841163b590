import { TrackerError } from './errors.js';

/**
 * BEP 48: an HTTP tracker supports scrape when the last path segment of its announce URL
 * starts with "announce"; replacing that word with "scrape" gives the scrape URL.
 */
export function scrapeUrlFor(announceUrl: string): string {
  const queryAt = announceUrl.indexOf('?');
  const base = queryAt < 0 ? announceUrl : announceUrl.slice(0, queryAt);
  const query = queryAt < 0 ? '' : announceUrl.slice(queryAt);
  const slash = base.lastIndexOf('/');
  const schemeEnd = base.indexOf('://');
  if (slash < 0 || (schemeEnd >= 0 && slash < schemeEnd + 3)) throw new TrackerError(announceUrl, 'tracker does not support scrape');
  const last = base.slice(slash + 1);
  if (!last.startsWith('announce')) throw new TrackerError(announceUrl, 'tracker does not support scrape');
  return `${base.slice(0, slash + 1)}scrape${last.slice('announce'.length)}${query}`;
}
