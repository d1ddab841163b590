/** One HTTP range request, streamed: the body goes to a callback as it arrives. */
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';

export class HttpRangeError extends Error {
  /** A permanent error (404, no range support, ...) will not go away by retrying. */
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'HttpRangeError';
  }
}

export interface Agents {
  http: http.Agent;
  https: https.Agent;
}

export interface RangeRequest {
  agents: Agents;
  /** No bytes for this long: the request fails. */
  idleTimeoutMs: number;
  signal?: AbortSignal;
  /** A bound session's address: the request leaves from it (and reaches only hosts of its family). */
  localAddress?: string;
  /** Body bytes in order, exactly `length` in all; returns how long to pause the response (rate limits). */
  onData(chunk: Buffer): number;
}

const MAX_REDIRECTS = 3;

export function fetchRange(url: string, start: number, length: number, request: RangeRequest, redirects = 0): Promise<void> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return reject(new HttpRangeError(`bad URL ${url}`, true));
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') return reject(new HttpRangeError(`unsupported URL ${url}`, true));
    const client = target.protocol === 'https:' ? https : http;
    const req = client.request(target, {
      agent: target.protocol === 'https:' ? request.agents.https : request.agents.http,
      headers: { range: `bytes=${start}-${start + length - 1}`, 'user-agent': 'btui/0.1.0' },
      signal: request.signal,
      ...(request.localAddress ? { localAddress: request.localAddress, family: isIP(request.localAddress) } : {}),
    });
    req.setTimeout(request.idleTimeoutMs, () => req.destroy(new HttpRangeError(`no data for ${request.idleTimeoutMs / 1000} s`, false)));
    req.once('error', (error) =>
      reject(error instanceof HttpRangeError || error.name === 'AbortError' ? error : new HttpRangeError(error.message, false)),
    );
    req.once('response', (res) => {
      const status = res.statusCode ?? 0;
      const fail = (message: string, permanent: boolean) => {
        res.resume();
        reject(new HttpRangeError(message, permanent));
      };
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        if (redirects >= MAX_REDIRECTS) return reject(new HttpRangeError('too many redirects', true));
        const next = new URL(res.headers.location, target).toString();
        return fetchRange(next, start, length, request, redirects + 1).then(resolve, reject);
      }
      if (status === 200 && start !== 0) return fail('the server ignores range requests', true);
      if (status !== 200 && status !== 206) {
        const transient = status >= 500 || status === 408 || status === 429;
        return fail(`HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}`, !transient);
      }
      if (status === 206 && !contentRangeMatches(res.headers['content-range'], start, length)) {
        return fail(`unexpected Content-Range ${res.headers['content-range'] ?? '(none)'}`, true);
      }
      let received = 0;
      res.on('data', (chunk: Buffer) => {
        const take = Math.min(chunk.length, length - received);
        if (take <= 0) return;
        received += take;
        const pause = request.onData(take === chunk.length ? chunk : chunk.subarray(0, take));
        if (received >= length) {
          // A 200 answer holds the whole file: stop once we have our part.
          if (status === 200) req.destroy();
          resolve();
          return;
        }
        if (pause > 0) {
          res.pause();
          setTimeout(() => res.resume(), pause).unref();
        }
      });
      res.once('end', () => {
        if (received < length) reject(new HttpRangeError(`response ended after ${received} of ${length} bytes`, false));
      });
      res.once('error', (error) => reject(error.name === 'AbortError' ? error : new HttpRangeError(error.message, false)));
    });
    req.end();
  });
}

function contentRangeMatches(header: string | undefined, start: number, length: number): boolean {
  if (header === undefined) return true;
  const m = /^bytes\s+(\d+)-(\d+)\//i.exec(header.trim());
  return m !== null && Number(m[1]) === start && Number(m[2]) === start + length - 1;
}
