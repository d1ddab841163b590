import net from 'node:net';
import os from 'node:os';

/** An IPv6 peer address (an IPv4-mapped one is IPv4's). */
export function isIPv6Host(host: string): boolean {
  return net.isIPv6(host) && !host.toLowerCase().startsWith('::ffff:');
}

/** An address that names no one interface. */
export function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

/** The one address family a listen host takes (0.0.0.0 is IPv4's), or 0 for both (no host, '::'). */
export function listenFamily(host: string | undefined): 0 | 4 | 6 {
  if (host === '0.0.0.0') return 4;
  return host && !isWildcard(host) ? (net.isIP(host) as 0 | 4 | 6) : 0;
}

/** The name of the interface that holds a local address, if any does. */
export function interfaceHolding(address: string): string | undefined {
  for (const [name, addresses] of Object.entries(os.networkInterfaces())) if (addresses?.some((a) => a.address === address)) return name;
  return undefined;
}
