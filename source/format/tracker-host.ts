/** A tracker URL's host, lower-case ('' when the URL cannot be read): what `tracker:NAME` in the filter matches. */
export function trackerHost(url: string): string {
  try {
    return new URL(url).hostname.toLowerCase().replace(/^\[|\]$/g, '');
  } catch {
    return '';
  }
}

const cache = new WeakMap<readonly unknown[], readonly string[]>();

/** The hosts of a torrent's trackers, each once, in announce order; the same array for the same list (rows compare it). */
export function trackerHosts(urls: readonly (string | readonly string[])[]): readonly string[] {
  const cached = cache.get(urls);
  if (cached) return cached;
  const hosts = [...new Set(urls.flat().map(trackerHost))].filter((h) => h !== '');
  cache.set(urls, hosts);
  return hosts;
}
