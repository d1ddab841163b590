import type { AnyFlags } from 'meow';

/**
 * The common, unambiguous command lines parsed without meow, whose import alone costs
 * about 30 ms (most of `btui metainfo -t`'s budget). Every token must be one of:
 *   --long-name VALUE, --long-name=VALUE, -s VALUE   (a known string or number flag)
 *   --long-name, -s                                  (a known boolean flag)
 *   --no-long-name                                   (a known boolean flag, false)
 *   a positional that does not start with '-'
 * Anything else (--help, --version, --no-x of a non-boolean, '--', '-', unknown or repeated flags, a missing
 * or dash-led value, quotes, 'true'/'false' after a boolean, a non-decimal number) returns
 * undefined, and the caller hands the line to meow, which decides as it always has. For the
 * lines it accepts the result is exactly meow's `{input, flags}`
 * (test/commands/simple-flags.test.ts compares the two).
 */
export interface SimpleParse {
  input: string[];
  flags: Record<string, unknown>;
}

type Spec = AnyFlags[string];

const DECIMAL = /^[0-9]+(\.[0-9]+)?$/;
const CAMEL_KEY = /^[a-z][a-z0-9]*(?:[A-Z][a-z0-9]+)*$/;

export function parseSimpleFlags(argv: readonly string[], specs: AnyFlags): SimpleParse | undefined {
  const byLong = new Map<string, string>();
  const byShort = new Map<string, string>();
  for (const [key, spec] of Object.entries(specs)) {
    if (!CAMEL_KEY.test(key) || spec.aliases !== undefined || spec.choices !== undefined || spec.isRequired !== undefined) return undefined;
    if (spec.type === undefined || (spec.type === 'boolean' && spec.isMultiple)) return undefined;
    byLong.set(
      key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`),
      key,
    );
    if (spec.shortFlag !== undefined) byShort.set(spec.shortFlag, key);
  }

  const input: string[] = [];
  const flags: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (!token.startsWith('-')) {
      input.push(token);
      continue;
    }
    let key: string | undefined;
    let inline: string | undefined;
    let negated = false;
    if (token.startsWith('--')) {
      const eq = token.indexOf('=');
      const name = eq < 0 ? token.slice(2) : token.slice(2, eq);
      key = byLong.get(name);
      if (eq >= 0) inline = token.slice(eq + 1);
      if (key === undefined && name.startsWith('no-')) {
        key = byLong.get(name.slice(3));
        negated = true;
        if (key !== undefined && specs[key]!.type !== 'boolean') return undefined;
      }
    } else if (token.length === 2) {
      key = byShort.get(token[1]!);
    }
    if (key === undefined) return undefined;
    const spec = specs[key]!;
    let value: unknown;
    if (spec.type === 'boolean') {
      if (inline !== undefined || /^(true|false)$/.test(argv[i + 1] ?? '')) return undefined;
      value = !negated;
    } else {
      let text = inline;
      if (text === undefined) {
        text = argv[i + 1];
        if (text === undefined || text.startsWith('-')) return undefined;
        i++;
      } else if (text === '' || /^['"]|['"]$/.test(text)) {
        return undefined;
      }
      if (spec.type === 'number') {
        if (!DECIMAL.test(text)) return undefined;
        value = Number(text);
      } else {
        value = text;
      }
    }
    if (spec.isMultiple) {
      ((flags[key] ??= []) as unknown[]).push(value);
    } else {
      if (key in flags) return undefined;
      flags[key] = value;
    }
  }

  for (const [key, spec] of Object.entries(specs)) {
    if (key in flags) continue;
    const fallback = defaultOf(spec);
    if (fallback !== undefined) flags[key] = fallback;
  }
  return { input, flags };
}

/** meow's default: the given one, else false for a boolean and [] for a repeatable flag. */
function defaultOf(spec: Spec): unknown {
  if (spec.default !== undefined) return spec.default;
  if (spec.type === 'boolean') return false;
  if (spec.isMultiple) return [];
  return undefined;
}
