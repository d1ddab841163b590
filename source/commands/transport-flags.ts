/** Which transports peer connections use: the flags download and serve share. */
export const transportFlags = {
  utp: { type: 'boolean', default: false },
  tcp: { type: 'boolean', default: true },
} as const;

export const transportHelp = `    --utp                  also uTP (BEP 29) on the listen port's UDP: accepted, and tried before TCP
    --no-tcp               no TCP peer connections (with --utp: uTP only)`;
