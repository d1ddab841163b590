// Reading a request's `arguments` with their types checked. A wrong type is an RpcArgumentError,
// whose message becomes the response's `result`; an absent key is undefined.
// Booleans also accept 0 and 1, as libtransmission's tr_variantGetBool does (old clients send them).

export class RpcArgumentError extends Error {
  override name = 'RpcArgumentError';
}

export type Args = Readonly<Record<string, unknown>>;

function fail(key: string, what: string): never {
  throw new RpcArgumentError(`argument "${key}" must be ${what}`);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function optBool(args: Args, key: string): boolean | undefined {
  const v = args[key];
  if (v === undefined) return undefined;
  if (typeof v === 'boolean') return v;
  if (v === 0 || v === 1) return v === 1;
  return fail(key, 'a boolean');
}

export function optNumber(args: Args, key: string, min = -Infinity): number | undefined {
  const v = args[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) return fail(key, 'a number');
  if (v < min) return fail(key, `a number >= ${min}`);
  return v;
}

export function optInt(args: Args, key: string, min = -Infinity, max = Infinity): number | undefined {
  const v = args[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) return fail(key, 'an integer');
  if (v < min || v > max) return fail(key, max === Infinity ? `an integer >= ${min}` : `an integer from ${min} to ${max}`);
  return v;
}

export function optString(args: Args, key: string): string | undefined {
  const v = args[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') return fail(key, 'a string');
  return v;
}

export function optOneOf<T extends string>(args: Args, key: string, allowed: readonly T[]): T | undefined {
  const v = optString(args, key);
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) return fail(key, `one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
  return v as T;
}

export function optStringArray(args: Args, key: string): string[] | undefined {
  const v = args[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) return fail(key, 'an array of strings');
  return v as string[];
}

export function optIntArray(args: Args, key: string, min = 0): number[] | undefined {
  const v = args[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((n) => typeof n === 'number' && Number.isSafeInteger(n) && n >= min)) {
    return fail(key, `an array of integers >= ${min}`);
  }
  return v as number[];
}

/** File indices, where Transmission's empty array means every file. */
export function optFileSelection(args: Args, key: string): readonly number[] | 'all' | undefined {
  const v = optIntArray(args, key);
  if (v === undefined) return undefined;
  return v.length === 0 ? 'all' : v;
}

/** A 0/1/2 limit mode as btui's words. */
export function optLimitMode(args: Args, key: string): 'global' | 'single' | 'unlimited' | undefined {
  const v = optInt(args, key, 0, 2);
  return v === undefined ? undefined : v === 0 ? 'global' : v === 1 ? 'single' : 'unlimited';
}

/** A -1/0/1 priority. */
export function optPriority(args: Args, key: string): -1 | 0 | 1 | undefined {
  return optInt(args, key, -1, 1) as -1 | 0 | 1 | undefined;
}

/** Torrent labels: strings without commas (Transmission joins them with commas elsewhere). */
export function optLabels(args: Args, key = 'labels'): string[] | undefined {
  const labels = optStringArray(args, key);
  if (labels?.some((l) => l.includes(','))) throw new RpcArgumentError('labels may not contain commas');
  return labels?.map((l) => l.trim()).filter((l) => l !== '');
}
