import type { AnyFlags } from 'meow';
import { UserError } from '../errors.js';

/** What a number flag may hold, beyond being a number. */
export type NumberRule = 'port' | 'nonNegative' | 'positive' | 'atLeastOne';

const RULES: Record<NumberRule, { ok: (n: number) => boolean; expected: string }> = {
  port: { ok: (n) => Number.isInteger(n) && n >= 0 && n <= 65535, expected: 'a port, 0-65535' },
  nonNegative: { ok: (n) => n >= 0, expected: 'a number, 0 or more' },
  positive: { ok: (n) => n > 0, expected: 'a number above 0' },
  atLeastOne: { ok: (n) => Number.isInteger(n) && n >= 1, expected: 'a whole number, 1 or more' },
};

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * One line for a number flag that is not a number (meow makes `abc` NaN and runs on) or is
 * out of its range: `download: --download-limit 'abc': expected a number, 0 or more`.
 */
export function checkNumberFlags(
  command: string,
  argv: readonly string[],
  specs: AnyFlags,
  flags: Record<string, unknown>,
  rules: Partial<Record<string, NumberRule>> = {},
): void {
  for (const [key, spec] of Object.entries(specs)) {
    if (spec.type !== 'number') continue;
    const values = ([] as unknown[]).concat(flags[key] ?? []);
    const rule = rules[key] === undefined ? undefined : RULES[rules[key]];
    for (const value of values) {
      if (typeof value !== 'number') continue;
      const name = `--${kebab(key)}`;
      if (Number.isNaN(value)) {
        const given = rawValue(argv, name, spec.shortFlag);
        throw new UserError(`${command}: ${name} ${quote(given)}: expected ${rule?.expected ?? 'a number'}`, 2);
      }
      if (rule && !rule.ok(value)) throw new UserError(`${command}: ${name} ${value}: expected ${rule.expected}`, 2);
    }
  }
}

/** The text given after the flag, as typed (meow keeps only the NaN). */
function rawValue(argv: readonly string[], name: string, short: string | undefined): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token.startsWith(`${name}=`)) return token.slice(name.length + 1);
    if (token === name || (short !== undefined && token === `-${short}`)) return argv[i + 1];
  }
  return undefined;
}

function quote(text: string | undefined): string {
  return text === undefined ? '(missing)' : `'${text}'`;
}
