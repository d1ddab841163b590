import { httpAnnounce, httpScrape } from './http-tracker.js';
import { TrackerError } from './errors.js';
import { udpAnnounce, udpScrape } from './udp-tracker.js';
import type { AnnounceParams, AnnounceResult, ScrapeStats, TrackerRequestOptions } from './types.js';

export { TrackerError, displayUrl } from './errors.js';
export { scrapeUrlFor } from './scrape-url.js';
export { parseCompactPeers4, parseCompactPeers6 } from './compact.js';
export { clearUdpConnectionCache } from './udp-tracker.js';
export type { AnnounceEvent, AnnounceParams, AnnounceResult, PeerAddress, ScrapeStats, TrackerRequestOptions } from './types.js';

function protocolOf(url: string): 'http' | 'udp' {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'http' || scheme === 'https') return 'http';
  if (scheme === 'udp') return 'udp';
  throw new TrackerError(url, scheme ? `unsupported tracker protocol '${scheme}:'` : 'not a tracker URL');
}

function checkHash(url: string, name: string, value: Buffer): void {
  if (value.length !== 20) throw new TrackerError(url, `${name} must be 20 bytes, got ${value.length}`);
}

/** Announces to an http(s):// or udp:// tracker; rejects with TrackerError. */
export async function announce(url: string, params: AnnounceParams, opts: TrackerRequestOptions = {}): Promise<AnnounceResult> {
  checkHash(url, 'info-hash', params.infoHash);
  checkHash(url, 'peer id', params.peerId);
  return protocolOf(url) === 'udp' ? udpAnnounce(url, params, opts) : httpAnnounce(url, params, opts);
}

/** Scrapes an http(s):// or udp:// tracker. Keys are lowercase hex; hashes the tracker did not report are absent. */
export async function scrape(url: string, infoHashes: Buffer[], opts: TrackerRequestOptions = {}): Promise<Map<string, ScrapeStats>> {
  for (const hash of infoHashes) checkHash(url, 'info-hash', hash);
  if (infoHashes.length === 0) return new Map();
  return protocolOf(url) === 'udp' ? udpScrape(url, infoHashes, opts) : httpScrape(url, infoHashes, opts);
}
