import os from 'node:os';

/** A global unicast IPv6 address of this machine (2000::/3), for peers to connect back to; undefined when none. */
export function globalIpv6(interfaces = os.networkInterfaces()): string | undefined {
  for (const list of Object.values(interfaces))
    for (const i of list ?? []) if (i.family === 'IPv6' && !i.internal && /^[23][0-9a-f]{0,3}:/i.test(i.address)) return i.address;
  return undefined;
}

/** globalIpv6(), looked up again at most once a minute (addresses change rarely; the lookup is a system call per interface). */
export class CachedGlobalIpv6 {
  private at = -Infinity;
  private address: string | undefined;

  get(now = Date.now()): string | undefined {
    if (now - this.at > 60_000) {
      this.at = now;
      this.address = globalIpv6();
    }
    return this.address;
  }
}
