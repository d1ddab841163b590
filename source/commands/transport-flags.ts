import { UserError } from '../errors.js';

/** Which transports peer connections use: the flags download and serve share. */
export const transportFlags = {
  utp: { type: 'boolean', default: false },
  tcp: { type: 'boolean', default: true },
} as const;

export const transportHelp = `    --utp                  also uTP (BEP 29) on the listen port's UDP: accepted, and tried first with
                           peers known to speak it (TCP first with the rest)
    --no-tcp               no TCP peer connections (with --utp: uTP only)`;

/** The session's transport options; with neither transport there would be no connections at all. */
export function transportOptions(flags: { utp: boolean; tcp: boolean }, command: string): { utp: boolean; tcp: boolean } {
  if (!flags.utp && !flags.tcp) throw new UserError(`${command}: --no-tcp leaves no way to reach peers; add --utp`, 2);
  return { utp: flags.utp, tcp: flags.tcp };
}
