/** A tracker said no, answered garbage, or could not be reached. `reason` is the bare cause. */
export class TrackerError extends Error {
  readonly reason: string;
  readonly url: string;

  constructor(url: string, reason: string) {
    super(`${displayUrl(url)}: ${reason}`);
    this.name = 'TrackerError';
    this.url = url;
    this.reason = reason;
  }
}

/** The URL without query or credentials: private trackers put passkeys there. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return url.split('?')[0] ?? url;
  }
}
