import { createRequire } from 'node:module';
import type { AnyFlags, Result } from 'meow';
import { UserError } from '../errors.js';
import { checkNumberFlags, type NumberRule } from './number-flags.js';
import { parseSimpleFlags } from './simple-flags.js';

export type ParsedCommand<Flags extends AnyFlags> = Pick<Result<Flags>, 'input' | 'flags'>;

/**
 * A subcommand's flags. Ordinary lines are parsed without loading meow (see simple-flags.ts);
 * anything else goes to meow, with unknown options reported as one line (meow's own report
 * spans two) and exit code 2, as every btui usage error is.
 */
export function parseCommand<Flags extends AnyFlags>(
  name: string,
  help: string,
  argv: string[],
  flags: Flags,
  rules: Partial<Record<keyof Flags & string, NumberRule>> = {},
): ParsedCommand<Flags> {
  const simple = parseSimpleFlags(argv, flags);
  let parsed: ParsedCommand<Flags>;
  if (simple) {
    // What meow does too: `ps` shows the command's name, not "node".
    process.title = 'btui';
    parsed = simple as ParsedCommand<Flags>;
  } else {
    parsed = parseWithMeow(name, help, argv, flags);
  }
  checkNumberFlags(name, argv, flags, parsed.flags as Record<string, unknown>, rules);
  return parsed;
}

function parseWithMeow<Flags extends AnyFlags>(name: string, help: string, argv: string[], flags: Flags): ParsedCommand<Flags> {
  // Loaded only here, synchronously (require of an ES module: Node 20.19 and later).
  const meow = createRequire(import.meta.url)('meow').default as typeof import('meow').default;
  const cli = meow(help, { importMeta: import.meta, argv, description: false, allowUnknownFlags: true, flags });
  const known = new Set(['help', 'version']);
  for (const [key, spec] of Object.entries(flags)) {
    known.add(key);
    known.add(key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`));
    if (spec.shortFlag !== undefined) known.add(spec.shortFlag);
    for (const alias of spec.aliases ?? []) known.add(alias);
  }
  // An unknown short option too: `create -t URL` (for -a) must not make a torrent without its tracker.
  const unknown = Object.keys(cli.unnormalizedFlags).filter((k) => !known.has(k));
  if (unknown.length > 0) {
    const option = unknown[0]!.length === 1 ? `-${unknown[0]}` : `--${unknown[0]}`;
    throw new UserError(`${name}: unknown option ${option} (try 'btui ${name} --help')`, 2);
  }
  return cli;
}
