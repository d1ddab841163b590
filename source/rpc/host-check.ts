// DNS-rebinding protection, as transmission-daemon's rpc-host-whitelist: without authentication,
// a request whose Host header names anything but an IP address or localhost is refused (421),
// so a web page whose name was re-pointed at 127.0.0.1 cannot drive the RPC from a browser.
import { isIP } from 'node:net';

/** The host part of a Host header, without port or IPv6 brackets; undefined when malformed. */
export function hostOf(header: string): string | undefined {
  const h = header.trim().toLowerCase();
  const v6 = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/.exec(h);
  if (v6) return v6[1];
  const m = /^([^:[\]]+)(?::\d{1,5})?$/.exec(h);
  return m ? m[1] : undefined;
}

/** Whether a Host header is allowed without authentication (`extra`: further names the user allows). */
export function isAllowedHost(header: string | undefined, extra: readonly string[] = []): boolean {
  // HTTP/1.0 clients may send no Host; browsers always do, so its absence is no rebinding.
  if (header === undefined) return true;
  const host = hostOf(header);
  if (host === undefined) return false;
  if (host === 'localhost' || host === 'localhost.') return true;
  if (isIP(host) !== 0) return true;
  return extra.some((name) => name.toLowerCase() === host);
}
