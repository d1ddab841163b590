import meow, { type AnyFlags, type Result } from 'meow';
import { UserError } from '../errors.js';

/**
 * meow for a subcommand, with unknown options reported as one line (meow's own report
 * spans two) and exit code 2, as every btui usage error is.
 */
export function parseCommand<Flags extends AnyFlags>(name: string, help: string, argv: string[], flags: Flags): Result<Flags> {
  const cli = meow(help, { importMeta: import.meta, argv, description: false, allowUnknownFlags: true, flags });
  const known = new Set(['help', 'version']);
  for (const key of Object.keys(flags)) {
    known.add(key);
    known.add(key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`));
  }
  const unknown = Object.keys(cli.unnormalizedFlags).filter((k) => k.length > 1 && !known.has(k));
  if (unknown.length > 0) throw new UserError(`${name}: unknown option --${unknown[0]} (try 'btui ${name} --help')`, 2);
  return cli;
}
