// HTTP Basic authentication for the RPC, and the refusal to serve beyond loopback without it.
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

export interface RpcCredentials {
  readonly username: string;
  readonly password: string;
}

export const AUTH_REALM = 'Transmission';

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** Checks Authorization headers against one set of credentials in constant time. */
export class BasicAuth {
  readonly #expected: Buffer;

  constructor(credentials: RpcCredentials) {
    this.#expected = digest(`${credentials.username}:${credentials.password}`);
  }

  /** True when the header carries the right user and password. */
  check(header: string | undefined): boolean {
    const given = parseBasic(header);
    // Hashing both sides gives equal-length buffers, so timingSafeEqual never throws and the time
    // taken says nothing about the password's length or its first wrong character.
    const ok = timingSafeEqual(digest(given ?? '\u0000'), this.#expected);
    return given !== undefined && ok;
  }
}

/** The "user:password" of a Basic Authorization header, or undefined. */
export function parseBasic(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*basic\s+([A-Za-z0-9+/=._~-]+)\s*$/i.exec(header);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  return decoded.includes(':') ? decoded : undefined;
}

/** Parses "user:password" as given to --rpc-auth. */
export function parseCredentials(text: string): RpcCredentials | undefined {
  const i = text.indexOf(':');
  if (i <= 0 || i === text.length - 1) return undefined;
  return { username: text.slice(0, i), password: text.slice(i + 1) };
}

/** Whether an address to bind to reaches only this machine. */
export function isLoopback(bind: string): boolean {
  const host = bind.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || /^::ffff:127\./.test(host);
  return false;
}

/**
 * Why the RPC must not start on `bind` with these credentials, or undefined when it may.
 * Anything beyond loopback needs a user and password: the RPC can add torrents and move files.
 */
export function checkRpcExposure(bind: string, auth: RpcCredentials | undefined): string | undefined {
  if (isLoopback(bind)) return undefined;
  if (auth && auth.username !== '' && auth.password !== '') return undefined;
  return `refusing to serve the RPC on ${bind} without credentials: anyone who can reach it could add torrents and delete data. Pass --rpc-auth USER:PASSWORD, or bind to 127.0.0.1.`;
}
