/**
 * Bencode codec (BEP 3), strict where the spec is strict and binary-safe everywhere.
 *
 * Own codec rather than the `bencode` package because the engine needs: byte spans of
 * decoded containers (the info-hash is the SHA-1 of the info dictionary's exact bytes),
 * dictionary keys that are arbitrary bytes (v2 `piece layers` is keyed by raw hashes),
 * integers beyond 2^53, and typed errors with offsets for hostile input.
 */

export type BValue = number | bigint | Uint8Array | BValue[] | BDict;
/** Dictionary keys are byte strings held as latin1 JS strings (one char per byte). */
export type BDict = Map<string, BValue>;

export class BencodeError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at byte ${offset}`);
    this.name = 'BencodeError';
  }
}

export interface DecodeOptions {
  /** Reject dictionaries whose keys are not in ascending byte order (spec-conformant). */
  strictKeyOrder?: boolean;
  /** Deepest list/dict nesting accepted (default 256; capped at 1024 so deep input cannot overflow the stack). */
  maxDepth?: number;
  /** Allow bytes after the first complete value (e.g. ut_metadata piece payloads). */
  allowTrailing?: boolean;
  /** Most values (integers, strings, lists, dicts, keys) accepted; default unlimited. */
  maxTokens?: number;
  /**
   * Record spans only for containers nested at most this deep (the top value is depth 0);
   * default: all (none from decode(), which returns only the value). A .torrent needs only its
   * info dictionary's (depth 1).
   */
  spanDepth?: number;
  /** One list whose items are handed over as they are decoded instead of being kept. */
  stream?: ListStream;
}

export interface ListStream {
  /** The dictionary keys from the top value down to the list, e.g. ['info', 'files']. */
  path: readonly string[];
  /** Called with each item as soon as it is decoded (and checked); the item is not kept. */
  item(value: BValue): void;
  /** What stands in the list's place, after its last item; only this option's user should ever see it. */
  end(): unknown;
  /**
   * An optional fast lane: takes the item at `start`, and as many items after it as it likes,
   * straight from the bytes when they have a shape it knows, instead of the decoder building
   * them as values. It must take only what decode() would accept as that many values, each of
   * at most 2 levels of nesting, holding at most `tokens` values in all, and then set
   * `taken.end` (just past the last item taken) and `taken.tokens`, and return true; if it takes
   * none it returns false and the item is decoded and handed to item() as usual.
   */
  rawItem?(bytes: Buffer, start: number, tokens: number, taken: { end: number; tokens: number }): boolean;
}

export interface Decoded {
  value: BValue;
  /** Where each decoded list or dict sits in the input, end exclusive. */
  spans: WeakMap<object, [number, number]>;
  /** Offset just past the first complete value. */
  end: number;
  /** True when some dictionary's keys were not in ascending byte order. */
  unsortedKeys: boolean;
}

const DEFAULT_MAX_DEPTH = 256;
const HARD_MAX_DEPTH = DEFAULT_MAX_DEPTH * 4;
const CH_i = 0x69;
const CH_l = 0x6c;
const CH_d = 0x64;
const CH_e = 0x65;
const CH_colon = 0x3a;
const CH_minus = 0x2d;
const CH_0 = 0x30;
const CH_9 = 0x39;
const MAX_INT_DIGITS = 64;
const MAX_CACHED_KEY = 16;

export function decode(input: Uint8Array, options: DecodeOptions = {}): BValue {
  // Only the value is returned: no spans are recorded unless asked for.
  return decodeDetailed(input, { spanDepth: -1, ...options }).value;
}

export function decodeDetailed(input: Uint8Array, options: DecodeOptions = {}): Decoded {
  const maxDepth = Math.min(options.maxDepth ?? DEFAULT_MAX_DEPTH, HARD_MAX_DEPTH);
  const strictKeyOrder = options.strictKeyOrder ?? false;
  const spanDepth = options.spanDepth ?? Infinity;
  const stream = options.stream;
  // Keys are read straight from the input (no per-key copy) through a Buffer view.
  const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  // Counted only under a limit: Infinity is a heap number, and counting it down allocates one
  // per value in code that has not been optimised yet (all of a one-shot command's).
  const limited = options.maxTokens !== undefined;
  let tokensLeft = options.maxTokens ?? 0;
  const spans = new WeakMap<object, [number, number]>();
  let pos = 0;
  let unsortedKeys = false;
  const len = input.length;

  const fail = (msg: string, at = pos): never => {
    throw new BencodeError(msg, at);
  };

  const readInt = (terminator: number): number | bigint => {
    const start = pos;
    const negative = input[pos] === CH_minus;
    if (negative) pos++;
    const digitsStart = pos;
    // One pass: the value is summed while the digits are found (used when there are at most 15).
    let n = 0;
    let c = 0;
    while (pos < len && (c = input[pos]!) >= CH_0 && c <= CH_9) {
      n = n * 10 + (c - CH_0);
      pos++;
    }
    const digits = pos - digitsStart;
    if (pos >= len) fail('unexpected end of data in integer', start);
    if (c !== terminator) fail(`unexpected byte 0x${c.toString(16)} in integer`);
    if (digits === 0) fail('integer has no digits', start);
    if (digits > MAX_INT_DIGITS) fail('integer too long', start);
    if (digits > 1 && input[digitsStart] === CH_0) fail('integer has a leading zero', start);
    if (negative && digits === 1 && input[digitsStart] === CH_0) fail('negative zero', start);
    pos++;
    if (digits <= 15) return negative ? -n : n;
    const text = String.fromCharCode(...input.subarray(start, start + digits + (negative ? 1 : 0)));
    const big = BigInt(text);
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  };

  /** Reads a string's length prefix and colon; `pos` is then at its first byte. */
  const readLength = (): number => {
    const start = pos;
    // Fast path for the usual short length ("12:"); anything unusual goes through readInt.
    let p = pos;
    let c = input[p]!;
    if (c > CH_0 && c <= CH_9) {
      let n = 0;
      while (c >= CH_0 && c <= CH_9 && p - start < 9) {
        n = n * 10 + (c - CH_0);
        c = input[++p]!;
      }
      if (c === CH_colon && p < len && n <= len - p - 1) {
        pos = p + 1;
        return n;
      }
    }
    const n = readInt(CH_colon);
    if (typeof n !== 'number' || n < 0) fail('bad string length', start);
    if (input[start] === CH_minus) fail('negative string length', start);
    if ((n as number) > len - pos) fail(`string length ${n} runs past the end of data`, start);
    return n as number;
  };

  // Every entry of a 'files' list repeats the same few keys: reuse one string per short key
  // (kept by length) instead of making a new one for each.
  const cachedKeyAt: number[] = [];
  const cachedKey: string[] = [];
  const keyString = (start: number, length: number): string => {
    if (length > MAX_CACHED_KEY) return bytes.toString('latin1', start, start + length);
    const at = cachedKeyAt[length];
    if (at !== undefined && compareRanges(input, at, length, start, length) === 0) return cachedKey[length]!;
    const key = bytes.toString('latin1', start, start + length);
    cachedKeyAt[length] = start;
    cachedKey[length] = key;
    return key;
  };

  // Never emptied (a sentinel stays at 0): an emptied array gets new storage at its next push,
  // which a streamed list's items would pay for each.
  const pending: BValue[] = [0];
  /** `onPath`: the value is where stream.path leads so far (its keys are stream.path[0..depth)). */
  const readValue = (depth: number, onPath: boolean): BValue => {
    if (pos >= len) fail('unexpected end of data');
    if (limited && --tokensLeft < 0) fail(`more than ${options.maxTokens} values`);
    const c = input[pos]!;
    if (c >= CH_0 && c <= CH_9) {
      // A byte string: the most common value.
      const n = readLength();
      const value = input.subarray(pos, pos + n);
      pos += n;
      return value;
    }
    if (c === CH_i) {
      pos++;
      return readInt(CH_e);
    }
    if (c === CH_l) {
      if (depth >= maxDepth) fail('nesting too deep');
      const start = pos++;
      if (onPath && depth === stream!.path.length) {
        const raw = depth + 2 < maxDepth && stream!.rawItem !== undefined;
        const taken = { end: 0, tokens: 0 };
        for (;;) {
          if (pos >= len) fail('unexpected end of data in list', start);
          if (input[pos] === CH_e) break;
          if (raw && stream!.rawItem!(bytes, pos, limited ? tokensLeft : Number.MAX_SAFE_INTEGER, taken)) {
            pos = taken.end;
            if (limited) tokensLeft -= taken.tokens;
            continue;
          }
          stream!.item(readValue(depth + 1, false));
        }
        pos++;
        return stream!.end() as BValue;
      }
      // Items gather on one shared stack and leave it as an array of their exact size: a
      // list grown by push keeps room for 17 (a 'files' list holds one list per file).
      const base = pending.length;
      for (;;) {
        if (pos >= len) fail('unexpected end of data in list', start);
        if (input[pos] === CH_e) break;
        pending.push(readValue(depth + 1, false));
      }
      const list = pending.slice(base);
      pending.length = base;
      pos++;
      if (depth <= spanDepth) spans.set(list, [start, pos]);
      return list;
    }
    if (c === CH_d) {
      if (depth >= maxDepth) fail('nesting too deep');
      const start = pos++;
      const dict: BDict = new Map();
      let previousStart = -1;
      let previousLength = 0;
      // While keys arrive in strictly ascending order no key can repeat: no lookup needed.
      let sorted = true;
      for (;;) {
        if (pos >= len) fail('unexpected end of data in dictionary', start);
        if (input[pos] === CH_e) break;
        const keyAt = pos;
        if (!(input[pos]! >= CH_0 && input[pos]! <= CH_9)) fail('dictionary key is not a byte string');
        const keyLength = readLength();
        const keyStart = pos;
        pos += keyLength;
        if (previousStart >= 0) {
          const order = compareRanges(input, previousStart, previousLength, keyStart, keyLength);
          if (order === 0) fail('duplicate dictionary key', keyAt);
          if (order > 0) {
            if (strictKeyOrder) fail('dictionary keys are not sorted', keyAt);
            unsortedKeys = true;
            sorted = false;
          }
        }
        const key = keyString(keyStart, keyLength);
        if (!sorted && dict.has(key)) fail('duplicate dictionary key', keyAt);
        previousStart = keyStart;
        previousLength = keyLength;
        dict.set(key, readValue(depth + 1, onPath && key === stream!.path[depth]));
      }
      pos++;
      if (depth <= spanDepth) spans.set(dict, [start, pos]);
      return dict;
    }
    return fail(`unexpected byte 0x${c.toString(16)}`);
  };

  const value = readValue(0, stream !== undefined);
  if (pos !== len && !options.allowTrailing) fail('trailing data after value');
  return { value, spans, end: pos, unsortedKeys };
}

export function encode(value: BValue): Buffer {
  const chunks: Uint8Array[] = [];
  encodeInto(value, chunks, 0);
  return Buffer.concat(chunks);
}

function encodeInto(value: BValue, out: Uint8Array[], depth: number): void {
  if (depth > HARD_MAX_DEPTH) throw new BencodeError('nesting too deep to encode', 0);
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new TypeError(`bencode integers must be whole numbers, got ${value}`);
    // Template literals print 1e21 as "1e+21"; BigInt prints every digit.
    out.push(Buffer.from(`i${Number.isSafeInteger(value) ? value : BigInt(value)}e`, 'latin1'));
  } else if (typeof value === 'bigint') {
    out.push(Buffer.from(`i${value}e`, 'latin1'));
  } else if (value instanceof Uint8Array) {
    out.push(Buffer.from(`${value.length}:`, 'latin1'), value);
  } else if (Array.isArray(value)) {
    out.push(L);
    for (const item of value) encodeInto(item, out, depth + 1);
    out.push(E);
  } else if (value instanceof Map) {
    out.push(D);
    const keys = [...value.keys()].sort(compareLatin1);
    for (const key of keys) {
      if (NOT_LATIN1.test(key)) throw new TypeError('bencode dictionary keys must be latin1 strings (one char per byte)');
      const k = Buffer.from(key, 'latin1');
      out.push(Buffer.from(`${k.length}:`, 'latin1'), k);
      encodeInto(value.get(key)!, out, depth + 1);
    }
    out.push(E);
  } else {
    throw new TypeError(`cannot bencode a value of type ${typeof value}`);
  }
}

const NOT_LATIN1 = /[^\u0000-\u00ff]/;
const L = Buffer.from('l');
const D = Buffer.from('d');
const E = Buffer.from('e');

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/** Bytewise order of two ranges of one array (what compareBytes gives for their copies). */
export function compareRanges(data: Uint8Array, a: number, aLength: number, b: number, bLength: number): number {
  const n = aLength < bLength ? aLength : bLength;
  for (let i = 0; i < n; i++) {
    const d = data[a + i]! - data[b + i]!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return aLength === bLength ? 0 : aLength < bLength ? -1 : 1;
}

function compareLatin1(a: string, b: string): number {
  // latin1 strings hold one byte per char, so UTF-16 code unit order is byte order.
  return a < b ? -1 : a > b ? 1 : 0;
}

export function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** Builds a BDict from a plain object, for hand-written messages (keys must be ASCII). */
export function dict(entries: Record<string, BValue | string | undefined>): BDict {
  const map: BDict = new Map();
  for (const [k, v] of Object.entries(entries)) {
    if (v === undefined) continue;
    map.set(k, typeof v === 'string' ? Buffer.from(v, 'utf8') : v);
  }
  return map;
}

export function isDict(v: BValue | undefined): v is BDict {
  return v instanceof Map;
}

export function isBytes(v: BValue | undefined): v is Uint8Array {
  return v instanceof Uint8Array;
}

export function isInt(v: BValue | undefined): v is number | bigint {
  return typeof v === 'number' || typeof v === 'bigint';
}
