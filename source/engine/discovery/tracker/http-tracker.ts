import http from 'node:http';
import { trackerHosts } from './host-lookup.js';
import https from 'node:https';
import { isIP } from 'node:net';
import { BencodeError, decode, isBytes, isDict, isInt, type BDict, type BValue } from '../../codec/bencode.js';
import { parseCompactPeers4, parseCompactPeers6 } from './compact.js';
import { startDeadline, type Deadline } from './deadline.js';
import { TrackerError } from './errors.js';
import { scrapeUrlFor } from './scrape-url.js';
import type { AnnounceParams, AnnounceResult, PeerAddress, ScrapeStats, TrackerRequestOptions } from './types.js';

export const MAX_BODY_BYTES = 2 * 1024 * 1024;
const MAX_REDIRECTS = 5;
const DEFAULT_INTERVAL = 1800;
/** Used when the caller sets no deadline, so a stalled tracker cannot hang an announce forever. */
export const DEFAULT_HTTP_TIMEOUT_MS = 30_000;

/** Percent-encodes every byte outside RFC 3986 "unreserved", so raw hashes survive. */
export function percentEncodeBytes(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    const unreserved =
      (b >= 0x30 && b <= 0x39) ||
      (b >= 0x41 && b <= 0x5a) ||
      (b >= 0x61 && b <= 0x7a) ||
      b === 0x2d ||
      b === 0x2e ||
      b === 0x5f ||
      b === 0x7e;
    out += unreserved ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function withQuery(url: string, pairs: string[]): string {
  const hashAt = url.indexOf('#');
  const base = hashAt < 0 ? url : url.slice(0, hashAt);
  const sep = base.includes('?') ? (base.endsWith('?') || base.endsWith('&') ? '' : '&') : '?';
  return base + sep + pairs.join('&');
}

export function buildAnnounceUrl(url: string, p: AnnounceParams): string {
  const pairs = [
    `info_hash=${percentEncodeBytes(p.infoHash)}`,
    `peer_id=${percentEncodeBytes(p.peerId)}`,
    `port=${p.port}`,
    `uploaded=${p.uploaded}`,
    `downloaded=${p.downloaded}`,
    `left=${p.left}`,
    'compact=1',
  ];
  if (p.event) pairs.push(`event=${p.event}`);
  if (p.numwant !== undefined) pairs.push(`numwant=${p.numwant}`);
  if (p.key !== undefined) pairs.push(`key=${(p.key >>> 0).toString(16).padStart(8, '0')}`);
  if (p.trackerId !== undefined) pairs.push(`trackerid=${encodeURIComponent(p.trackerId)}`);
  if (p.ipv6 !== undefined) pairs.push(`ipv6=${encodeURIComponent(p.ipv6)}`);
  return withQuery(url, pairs);
}

export function buildScrapeUrl(announceUrl: string, infoHashes: Buffer[]): string {
  return withQuery(
    scrapeUrlFor(announceUrl),
    infoHashes.map((h) => `info_hash=${percentEncodeBytes(h)}`),
  );
}

function text(v: BValue | undefined): string | undefined {
  return isBytes(v) ? Buffer.from(v).toString('utf8') : undefined;
}

function count(v: BValue | undefined): number | undefined {
  if (!isInt(v)) return undefined;
  const n = Number(v);
  return n < 0 ? 0 : Math.min(n, Number.MAX_SAFE_INTEGER);
}

function decodeReply(url: string, body: Uint8Array): BDict {
  let value: BValue;
  try {
    value = decode(body);
  } catch (error) {
    const detail = error instanceof BencodeError ? error.message : String(error);
    throw new TrackerError(url, `invalid reply (not bencode: ${detail})`);
  }
  if (!isDict(value)) throw new TrackerError(url, 'invalid reply (not a dictionary)');
  const failure = value.get('failure reason');
  if (failure !== undefined) throw new TrackerError(url, text(failure) ?? 'tracker failure (no reason given)');
  return value;
}

function dictPeers(list: BValue[]): PeerAddress[] {
  const peers: PeerAddress[] = [];
  for (const entry of list) {
    if (!isDict(entry)) continue;
    const host = text(entry.get('ip'));
    const port = count(entry.get('port'));
    if (host && port && port <= 65535) peers.push({ host, port });
  }
  return peers;
}

export function parseAnnounceReply(url: string, body: Uint8Array): AnnounceResult {
  const reply = decodeReply(url, body);
  const peers: PeerAddress[] = [];
  const v4 = reply.get('peers');
  if (isBytes(v4)) peers.push(...parseCompactPeers4(v4));
  else if (Array.isArray(v4)) peers.push(...dictPeers(v4));
  const v6 = reply.get('peers6');
  if (isBytes(v6)) peers.push(...parseCompactPeers6(v6));
  const result: AnnounceResult = { interval: count(reply.get('interval')) || DEFAULT_INTERVAL, peers };
  const minInterval = count(reply.get('min interval'));
  if (minInterval !== undefined) result.minInterval = minInterval;
  const complete = count(reply.get('complete'));
  if (complete !== undefined) result.complete = complete;
  const incomplete = count(reply.get('incomplete'));
  if (incomplete !== undefined) result.incomplete = incomplete;
  const trackerId = text(reply.get('tracker id'));
  if (trackerId !== undefined) result.trackerId = trackerId;
  const warning = text(reply.get('warning message'));
  if (warning !== undefined) result.warning = warning;
  return result;
}

export function parseScrapeReply(url: string, body: Uint8Array): Map<string, ScrapeStats> {
  const reply = decodeReply(url, body);
  const files = reply.get('files');
  const out = new Map<string, ScrapeStats>();
  if (files === undefined) return out;
  if (!isDict(files)) throw new TrackerError(url, "invalid scrape reply ('files' is not a dictionary)");
  for (const [key, stats] of files) {
    if (key.length !== 20 || !isDict(stats)) continue;
    out.set(Buffer.from(key, 'latin1').toString('hex'), {
      complete: count(stats.get('complete')) ?? 0,
      incomplete: count(stats.get('incomplete')) ?? 0,
      downloaded: count(stats.get('downloaded')) ?? 0,
    });
  }
  return out;
}

function describeNetworkError(error: NodeJS.ErrnoException, host: string): string {
  switch (error.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'ETIMEOUT':
    case 'EAI_NONAME':
      return `cannot resolve host '${host}'`;
    case 'ECONNREFUSED':
      return 'connection refused (tracker down?)';
    case 'ECONNRESET':
      return 'connection reset by the tracker';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    default:
      return error.message.split('\n')[0] ?? String(error);
  }
}

function getOnce(
  url: URL,
  original: string,
  deadline: Deadline,
  localAddress: string | undefined,
): Promise<{ redirect?: string; status: number; statusText: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const bound = localAddress ? { localAddress, family: isIP(localAddress) } : {};
    const options = {
      agent: false,
      lookup: trackerHosts.forNet,
      ...bound,
      headers: { 'user-agent': 'btui/0.1', 'accept-encoding': 'identity' },
    };
    const req = client.get(url, options, (res) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status >= 300 && status < 400 && location) {
        res.resume();
        resolve({ redirect: new URL(location, url).toString(), status, statusText: res.statusMessage ?? '', body: Buffer.alloc(0) });
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          req.destroy();
          reject(new TrackerError(original, `reply larger than ${MAX_BODY_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => resolve({ status, statusText: res.statusMessage ?? '', body: Buffer.concat(chunks) }));
      res.on('error', (error) => reject(new TrackerError(original, describeNetworkError(error, url.hostname))));
    });
    const onAbort = () => {
      req.destroy();
      reject(deadline.error());
    };
    deadline.signal.addEventListener('abort', onAbort, { once: true });
    req.on('close', () => deadline.signal.removeEventListener('abort', onAbort));
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (deadline.signal.aborted) return reject(deadline.error());
      reject(new TrackerError(original, describeNetworkError(error, url.hostname)));
    });
  });
}

/** GET with redirects, a body cap and an overall deadline; resolves with the 2xx body. */
export async function trackerGet(target: string, original: string, opts: TrackerRequestOptions): Promise<Buffer> {
  const deadline = startDeadline(original, { ...opts, timeoutMs: opts.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS });
  try {
    let current = target;
    for (let hop = 0; ; hop++) {
      if (deadline.signal.aborted) throw deadline.error();
      let url: URL;
      try {
        url = new URL(current);
      } catch {
        throw new TrackerError(original, 'invalid URL');
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        throw new TrackerError(original, `cannot follow a redirect to ${url.protocol}`);
      const reply = await getOnce(url, original, deadline, opts.localAddress);
      if (reply.redirect) {
        if (hop >= MAX_REDIRECTS) throw new TrackerError(original, `too many redirects (more than ${MAX_REDIRECTS})`);
        current = reply.redirect;
        continue;
      }
      if (reply.status < 200 || reply.status >= 300) {
        // Some trackers send their failure reason with an error status.
        try {
          decodeReply(original, reply.body);
        } catch (error) {
          if (error instanceof TrackerError && !error.reason.startsWith('invalid reply')) throw error;
        }
        throw new TrackerError(original, `HTTP ${reply.status}${reply.statusText ? ` ${reply.statusText}` : ''}`);
      }
      return reply.body;
    }
  } finally {
    deadline.dispose();
  }
}

export async function httpAnnounce(url: string, params: AnnounceParams, opts: TrackerRequestOptions = {}): Promise<AnnounceResult> {
  return parseAnnounceReply(url, await trackerGet(buildAnnounceUrl(url, params), url, opts));
}

export async function httpScrape(url: string, infoHashes: Buffer[], opts: TrackerRequestOptions = {}): Promise<Map<string, ScrapeStats>> {
  return parseScrapeReply(url, await trackerGet(buildScrapeUrl(url, infoHashes), url, opts));
}
