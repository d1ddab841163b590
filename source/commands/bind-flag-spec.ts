/** The --bind / --interface flag definitions, apart from bind-flags.ts so that `metainfo -t` loads nothing of the binding. */
export const bindFlags = {
  bind: { type: 'string' },
  interface: { type: 'string' },
} as const;

export const bindHelp = `    --bind ADDR            every socket (peers, trackers, DHT, LSD, web seeds) leaves from ADDR only
    --interface NAME       the same with NAME's address; while it has none, no traffic at all`;
