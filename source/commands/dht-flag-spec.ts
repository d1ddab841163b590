/**
 * The DHT and LSD flag definitions and help, apart from dht-flags.ts so that a command can
 * declare them without loading the DHT (metainfo -t never needs it).
 */
export const dhtFlags = {
  dht: { type: 'boolean', default: true },
  dhtBootstrap: { type: 'string', isMultiple: true },
} as const;

export const dhtHelp = `    --dht-bootstrap HOST:PORT  DHT node to start from (repeatable; replaces the public routers)
    --no-dht               no DHT (peers only from trackers, x.pe and --peer)`;

/** Local service discovery (BEP 14): off by default, as multicast on a seedbox's LAN is rarely wanted. */
export const lsdFlags = {
  lsd: { type: 'boolean', default: false },
} as const;

export const lsdHelp = `    --lsd                  also find peers on the local network (BEP 14 multicast)`;
