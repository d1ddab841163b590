/**
 * A lossless JSON mapping for bencoded values (used by `btui bencode`).
 *
 *   bencode                      JSON
 *   integer, |n| <= 2^53 - 1     number                       42
 *   integer beyond that          {"$int": "<decimal>"}        {"$int": "18446744073709551616"}
 *   byte string, readable        string                       "ubuntu.iso"
 *   byte string, other           {"$hex": "<lowercase hex>"}  {"$hex": "7f0000011ae1"}
 *   list                         array
 *   dictionary                   object
 *     key, readable              the key itself               "announce"
 *     key, readable, "$..."      "$" doubled                  "$$ref" is the key "$ref"
 *     key, other                 "$hex:<lowercase hex>"       "$hex:1f8b..."
 *
 * "Readable" means valid UTF-8 (no BOM stripping) without control characters other than
 * tab, CR and LF; anything else (pieces, compact peers, node ids) is hex. Because real
 * keys starting with "$" are escaped, an object whose only key is "$hex" or "$int" can
 * only be one of the two wrappers above, so the mapping is unambiguous.
 *
 * Reading JSON back also accepts what btui never prints: {"$hex"} for readable bytes,
 * uppercase hex, {"$int"} for small integers. Numbers must be safe integers (JSON.parse
 * cannot hold bigger ones exactly). Objects become dictionaries whose keys the encoder
 * sorts bytewise, so the order in the JSON text does not matter.
 */
import type { BDict, BValue } from './bencode.js';
import { latin1 } from './bencode.js';

export class BencodeJsonError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(path ? `at ${path}: ${message}` : message);
    this.name = 'BencodeJsonError';
  }
}

const MAX_DEPTH = 256;
const MAX_INT_DIGITS = 64;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const UNREADABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /\p{Cs}/u;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;
const INT = /^-?(?:0|[1-9][0-9]*)$/;

/** The bytes as text when they read as text, else undefined. */
function readable(bytes: Uint8Array): string | undefined {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return undefined;
  }
  return UNREADABLE.test(text) ? undefined : text;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** A dictionary key (latin1, one char per byte) as its JSON object key. */
export function keyToJson(key: string): string {
  const bytes = Buffer.from(key, 'latin1');
  const text = readable(bytes);
  if (text === undefined) return `$hex:${hex(bytes)}`;
  return text.startsWith('$') ? `$${text}` : text;
}

/** Renders a value as pretty JSON text, keeping dictionary order (JS objects would not). */
export function formatJson(value: BValue, indent = '  '): string {
  const parts: string[] = [];
  const write = (v: BValue, pad: string): void => {
    if (typeof v === 'number' || typeof v === 'bigint') {
      parts.push(Number.isSafeInteger(Number(v)) ? String(Number(v)) : `{"$int": "${BigInt(v)}"}`);
    } else if (v instanceof Uint8Array) {
      const text = readable(v);
      parts.push(text === undefined ? `{"$hex": "${hex(v)}"}` : JSON.stringify(text));
    } else if (Array.isArray(v)) {
      if (v.length === 0) return void parts.push('[]');
      const inner = pad + indent;
      parts.push('[');
      v.forEach((item, i) => {
        parts.push(i === 0 ? `\n${inner}` : `,\n${inner}`);
        write(item, inner);
      });
      parts.push(`\n${pad}]`);
    } else {
      if (v.size === 0) return void parts.push('{}');
      const inner = pad + indent;
      parts.push('{');
      let first = true;
      for (const [key, item] of v) {
        parts.push(`${first ? '' : ','}\n${inner}${JSON.stringify(keyToJson(key))}: `);
        first = false;
        write(item, inner);
      }
      parts.push(`\n${pad}}`);
    }
  };
  write(value, '');
  return parts.join('');
}

/** The mapping as a plain JSON value (object key order follows JS rules, not the input). */
export function toJson(value: BValue): unknown {
  if (typeof value === 'number' || typeof value === 'bigint') {
    return Number.isSafeInteger(Number(value)) ? Number(value) : { $int: String(BigInt(value)) };
  }
  if (value instanceof Uint8Array) return readable(value) ?? { $hex: hex(value) };
  if (Array.isArray(value)) return value.map(toJson);
  const out: Record<string, unknown> = {};
  for (const [key, item] of value) {
    // defineProperty, because a "__proto__" key assigned with = would set the prototype.
    Object.defineProperty(out, keyToJson(key), { value: toJson(item), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Parses JSON text in the mapping into a bencode value. */
export function parseJson(text: string): BValue {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    // V8 quotes the offending input in its message; keep that to one line.
    const detail = error instanceof Error ? error.message.replace(/\s+/g, ' ') : String(error);
    throw new BencodeJsonError(`invalid JSON: ${detail}`, '');
  }
  return fromJson(json);
}

/** Maps a JSON value (as JSON.parse returns it) back to a bencode value. */
export function fromJson(json: unknown): BValue {
  return convert(json, [], 0);
}

type Path = (string | number)[];

function pathText(path: Path): string {
  if (path.length === 0) return '';
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`))
    .join('');
}

function convert(json: unknown, path: Path, depth: number): BValue {
  const fail = (message: string): never => {
    throw new BencodeJsonError(message, pathText(path) || '(top level)');
  };
  if (typeof json === 'number') {
    if (!Number.isSafeInteger(json)) {
      return fail(Number.isInteger(json) ? `integer ${json} is beyond 2^53; write it as {"$int": "..."}` : `${json} is not an integer`);
    }
    return json === 0 ? 0 : json;
  }
  if (typeof json === 'string') {
    if (LONE_SURROGATE.test(json)) fail('string has a lone surrogate; write such bytes as {"$hex": "..."}');
    return Buffer.from(json, 'utf8');
  }
  if (Array.isArray(json)) {
    if (depth >= MAX_DEPTH) fail('nesting too deep');
    return json.map((item, i) => convert(item, [...path, i], depth + 1));
  }
  if (json === null || typeof json !== 'object') return fail(`${json === null ? 'null' : typeof json} has no bencode form`);
  const entries = Object.entries(json as Record<string, unknown>);
  if (entries.length === 1 && (entries[0]![0] === '$hex' || entries[0]![0] === '$int')) {
    const [tag, payload] = entries[0]!;
    if (typeof payload !== 'string') return fail(`"${tag}" must hold a string`);
    if (tag === '$hex') {
      if (!HEX.test(payload)) fail('"$hex" must hold an even number of hex digits');
      return Buffer.from(payload, 'hex');
    }
    if (!INT.test(payload) || payload === '-0') fail('"$int" must hold a decimal integer without leading zeros');
    if (payload.replace('-', '').length > MAX_INT_DIGITS) fail(`"$int" has more than ${MAX_INT_DIGITS} digits`);
    const big = BigInt(payload);
    return Number.isSafeInteger(Number(big)) ? Number(big) : big;
  }
  if (depth >= MAX_DEPTH) fail('nesting too deep');
  const dict: BDict = new Map();
  for (const [jsonKey, item] of entries) {
    const keyPath = [...path, jsonKey];
    const key = keyFromJson(jsonKey, keyPath);
    if (dict.has(key)) throw new BencodeJsonError(`key names the same bytes as another key`, pathText(keyPath));
    dict.set(key, convert(item, keyPath, depth + 1));
  }
  return dict;
}

function keyFromJson(jsonKey: string, path: Path): string {
  const fail = (message: string): never => {
    throw new BencodeJsonError(message, pathText(path));
  };
  if (jsonKey.startsWith('$hex:')) {
    const digits = jsonKey.slice(5);
    if (!HEX.test(digits)) fail('"$hex:" key must continue with an even number of hex digits');
    return latin1(Buffer.from(digits, 'hex'));
  }
  if (jsonKey.startsWith('$') && !jsonKey.startsWith('$$')) {
    fail(`unknown "$" key (a real key starting with "$" is written with "$$")`);
  }
  const text = jsonKey.startsWith('$') ? jsonKey.slice(1) : jsonKey;
  if (LONE_SURROGATE.test(text)) fail('key has a lone surrogate; write it as "$hex:..."');
  return latin1(Buffer.from(text, 'utf8'));
}
