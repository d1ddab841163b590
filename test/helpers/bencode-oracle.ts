// The `bencode` npm package as a second opinion on our decoder: both results are put in one
// comparable shape. Where the package cannot represent a value faithfully the shape says so
// (undefined) instead of comparing something lossy: the rules are named in RULES.
import bencode from 'bencode';
import { isBytes, isDict, type BValue } from '../../source/engine/codec/bencode.js';

/** Integers as text, byte strings as hex, dictionaries as entries sorted by key. */
export type Shape = string | Shape[] | { dict: [string, Shape][] };

export const RULES = {
  bigInteger: 'integers beyond 2^53: ours are exact bigints, the package sums them into a rounded double',
  keyCollision: 'keys that are not UTF-8 come back from the package as hex text and can collide with a real key',
  protoKey: "a '__proto__' key is swallowed by the package's plain object",
} as const;

const utf8 = new TextDecoder();
/** The package's text for a key: UTF-8, or hex when it holds bytes that are not UTF-8. */
function packageKey(bytes: Uint8Array): string {
  const text = utf8.decode(bytes);
  return text.includes('\uFFFD') ? Buffer.from(bytes).toString('hex') : text;
}

const int = (n: number | bigint) => (n === 0 ? '0' : String(n));
const bytesShape = (b: Uint8Array) => `b:${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')}`;

/** Our value in the shared shape, or the rule that keeps the package from holding it. */
export function oursShape(value: BValue): Shape | { rule: string } {
  if (typeof value === 'number') return int(value);
  if (typeof value === 'bigint') return { rule: RULES.bigInteger };
  if (isBytes(value)) return bytesShape(value);
  if (Array.isArray(value)) {
    const items: Shape[] = [];
    for (const item of value) {
      const shape = oursShape(item);
      if (typeof shape === 'object' && 'rule' in shape) return shape;
      items.push(shape);
    }
    return items;
  }
  if (!isDict(value)) throw new TypeError('not a bencode value');
  const entries = new Map<string, Shape>();
  for (const [key, item] of value) {
    const text = packageKey(latin1ToBytes(key));
    if (text === '__proto__') return { rule: RULES.protoKey };
    if (entries.has(text)) return { rule: RULES.keyCollision };
    const shape = oursShape(item);
    if (typeof shape === 'object' && 'rule' in shape) return shape;
    entries.set(text, shape);
  }
  return { dict: [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) };
}

/** The package's result in the shared shape. */
export function packageShape(value: unknown): Shape {
  if (typeof value === 'number') return int(value);
  if (value instanceof Uint8Array) return bytesShape(value);
  if (Array.isArray(value)) return value.map(packageShape);
  if (value !== null && typeof value === 'object')
    return {
      dict: Object.entries(value)
        .map(([k, v]): [string, Shape] => [k, packageShape(v)])
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    };
  throw new TypeError(`the package returned ${String(value)}`);
}

/** The package's decoding of `bytes`, shaped. Only for input ours accepted: on some malformed input the package never returns. */
export function packageDecode(bytes: Uint8Array): Shape {
  return packageShape(bencode.decode(bytes));
}

function latin1ToBytes(key: string): Uint8Array {
  return Buffer.from(key, 'latin1');
}
