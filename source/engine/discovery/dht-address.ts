/**
 * DHT node addresses, apart from the DHT itself: flag parsing and settings need them without
 * loading the DHT library (about 20 ms of start-up that --no-dht does not need).
 */
import { isIP } from 'node:net';
import type { PeerAddress } from './tracker/types.js';

/** The well-known public routers; only used when the caller asks for the defaults. */
export const DEFAULT_DHT_BOOTSTRAP = ['router.bittorrent.com:6881', 'dht.transmissionbt.com:6881', 'router.utorrent.com:6881'];

/** HOST:PORT or [IPV6]:PORT as a node address (an IPv6 one is for the IPv6 DHT); throws a readable error. */
export function parseNodeAddress(text: string): PeerAddress {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\[\]]+)):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535) throw new Error(`bad DHT node '${text}': expected HOST:PORT or [IPV6]:PORT`);
  if (match[1] !== undefined && isIP(match[1]) !== 6) throw new Error(`bad DHT node '${text}': not an IPv6 address`);
  return { host: match[1] ?? match[2]!, port };
}
