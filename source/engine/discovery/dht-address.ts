/**
 * DHT node addresses, apart from the DHT itself: flag parsing and settings need them without
 * loading the DHT library (about 20 ms of start-up that --no-dht does not need).
 */
import type { PeerAddress } from './tracker/types.js';

/** The well-known public routers; only used when the caller asks for the defaults. */
export const DEFAULT_DHT_BOOTSTRAP = ['router.bittorrent.com:6881', 'dht.transmissionbt.com:6881', 'router.utorrent.com:6881'];

/** HOST:PORT as a node address (the DHT runs over IPv4); throws a readable error. */
export function parseNodeAddress(text: string): PeerAddress {
  if (/^\[/.test(text.trim())) throw new Error(`bad DHT node '${text}': IPv6 nodes are not supported (the DHT is IPv4 only)`);
  const match = /^([^:\[\]]+):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[2]);
  if (!match || port < 1 || port > 65535) throw new Error(`bad DHT node '${text}': expected HOST:PORT`);
  return { host: match[1]!, port };
}
