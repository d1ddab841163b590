import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  BencodeError,
  decode,
  decodeDetailed,
  encode,
  isDict,
  latin1,
  type BDict,
  type BValue,
} from '../../../source/engine/codec/bencode.js';
import { mutatedEncodings } from '../../helpers/bencode-mutations.js';

const FUZZ_RUNS = process.env.CI ? 100_000 : 5_000;
const b = (s: string) => Buffer.from(s, 'latin1');

function rejects(input: string | Uint8Array, message: RegExp, options = {}): BencodeError {
  const bytes = typeof input === 'string' ? b(input) : input;
  let caught: unknown;
  try {
    decode(bytes, options);
  } catch (error) {
    caught = error;
  }
  assert.ok(
    caught instanceof BencodeError,
    `expected BencodeError for ${JSON.stringify(String(input).slice(0, 40))}, got ${String(caught)}`,
  );
  assert.match(caught.message, message);
  return caught;
}

describe('decode: integers', () => {
  test('canonical integers', () => {
    assert.equal(decode(b('i0e')), 0);
    assert.equal(decode(b('i42e')), 42);
    assert.equal(decode(b('i-42e')), -42);
    assert.equal(decode(b('i9007199254740991e')), Number.MAX_SAFE_INTEGER);
    assert.equal(decode(b('i-9007199254740991e')), -Number.MAX_SAFE_INTEGER);
  });

  test('integers beyond 2^53 come back as exact bigints', () => {
    assert.equal(decode(b('i9007199254740992e')), 9007199254740992n);
    assert.equal(decode(b('i18446744073709551616e')), 18446744073709551616n);
    assert.equal(decode(b('i-18446744073709551617e')), -18446744073709551617n);
  });

  test('malformed integers', () => {
    rejects('i-0e', /negative zero at byte 1/);
    rejects('i03e', /leading zero at byte 1/);
    rejects('i-03e', /leading zero/);
    rejects('i00e', /leading zero/);
    rejects('ie', /no digits/);
    rejects('i-e', /no digits/);
    rejects('i+1e', /unexpected byte 0x2b/);
    rejects('i1.5e', /unexpected byte 0x2e/);
    rejects('i 1e', /unexpected byte 0x20/);
    rejects('i12', /unexpected end of data in integer/);
    rejects('i', /unexpected end of data/);
    rejects(`i${'9'.repeat(65)}e`, /integer too long/);
  });

  test('the offset in the message points into the input', () => {
    const error = rejects('d1:ai012ee', /integer has a leading zero at byte 5$/);
    assert.equal(error.offset, 5);
  });
});

describe('decode: byte strings', () => {
  test('binary-safe strings', () => {
    assert.equal((decode(b('0:')) as Uint8Array).length, 0);
    assert.deepEqual([...(decode(b('3:a\x00\xff')) as Uint8Array)], [0x61, 0, 0xff]);
  });

  test('bad lengths', () => {
    rejects('5:ab', /string length 5 runs past the end of data at byte 0/);
    rejects('03:abc', /leading zero/);
    rejects('3', /unexpected end of data/);
    rejects('3abc', /unexpected byte 0x61/);
    rejects('1:', /runs past the end/);
    rejects('4294967296:abc', /runs past the end/);
  });

  test('huge lengths fail cleanly instead of allocating', () => {
    rejects('99999999999999999999:', /bad string length/);
    rejects('9007199254740993:x', /bad string length/);
    rejects(`${'9'.repeat(70)}:`, /integer too long/);
  });

  test('decoded strings are views of the input, not copies', () => {
    const input = b('4:spam');
    const value = decode(input) as Uint8Array;
    assert.equal(value.buffer, input.buffer);
  });
});

describe('decode: lists and dictionaries', () => {
  test('nested values', () => {
    const value = decode(b('d4:listli1e3:twoe3:numi-7ee'));
    assert.ok(isDict(value));
    assert.deepEqual([...value.keys()], ['list', 'num']);
    const list = value.get('list') as BValue[];
    assert.equal(list[0], 1);
    assert.equal(Buffer.from(list[1] as Uint8Array).toString(), 'two');
    assert.equal(value.get('num'), -7);
  });

  test('truncated containers', () => {
    rejects('l', /unexpected end of data in list at byte 0/);
    rejects('li1e', /unexpected end of data in list/);
    rejects('d', /unexpected end of data in dictionary/);
    rejects('d1:a', /unexpected end of data at byte 4/);
    rejects('d1:ai1e', /unexpected end of data in dictionary/);
    rejects('ld1:ai1ee', /unexpected end of data in list/);
  });

  test('empty input and stray bytes', () => {
    rejects('', /unexpected end of data at byte 0/);
    rejects('e', /unexpected byte 0x65 at byte 0/);
    rejects('x', /unexpected byte 0x78/);
    rejects('li1exe', /unexpected byte 0x78 at byte 4/);
  });

  test('dictionary keys must be byte strings', () => {
    rejects('di1ei2ee', /dictionary key is not a byte string at byte 1/);
    rejects('dlei1ee', /dictionary key is not a byte string/);
    rejects('dde1:ae', /dictionary key is not a byte string/);
  });

  test('duplicate keys are rejected, adjacent or not, strict or lenient', () => {
    rejects('d1:ai1e1:ai2ee', /duplicate dictionary key at byte 7/);
    rejects('d1:ai1e1:ai2ee', /duplicate dictionary key/, { strictKeyOrder: true });
    rejects('d1:bi1e1:ai2e1:bi3ee', /duplicate dictionary key at byte 13/);
  });

  test('unsorted keys: strictKeyOrder rejects', () => {
    rejects('d1:bi1e1:ai2ee', /dictionary keys are not sorted at byte 7/, { strictKeyOrder: true });
    // bytewise, not by code point of some decoding: 0xff sorts after 'z'
    rejects('d1:\xffi1e1:zi2ee', /not sorted/, { strictKeyOrder: true });
    assert.doesNotThrow(() => decode(b('d1:zi1e1:\xffi2ee'), { strictKeyOrder: true }));
  });

  test('unsorted keys: lenient keeps their order and their exact bytes', () => {
    const input = b('d4:infod1:bi1e1:ai2ee1:xi0ee');
    const { value, spans, unsortedKeys } = decodeDetailed(input);
    assert.equal(unsortedKeys, true);
    const info = (value as BDict).get('info') as BDict;
    assert.deepEqual([...info.keys()], ['b', 'a']);
    // the info-hash must be taken over the bytes as they are, not as re-encoded
    const [start, end] = spans.get(info)!;
    assert.equal(latin1(input.subarray(start, end)), 'd1:bi1e1:ai2ee');
    // re-encoding gives the canonical form, which is itself a fixed point
    const canonical = encode(value);
    assert.equal(latin1(canonical), 'd4:infod1:ai2e1:bi1ee1:xi0ee');
    assert.equal(decodeDetailed(canonical, { strictKeyOrder: true }).unsortedKeys, false);
    assert.deepEqual(encode(decode(canonical)), canonical);
  });

  test('sorted input reports unsortedKeys false', () => {
    assert.equal(decodeDetailed(b('d1:ai1e1:bi2ee')).unsortedKeys, false);
  });

  test('spans locate every container', () => {
    const input = b('l1:xd1:kleee');
    const { value, spans } = decodeDetailed(input);
    const list = value as BValue[];
    assert.deepEqual(spans.get(list), [0, 12]);
    assert.deepEqual(spans.get(list[1] as BDict), [4, 11]);
    assert.deepEqual(spans.get((list[1] as BDict).get('k') as BValue[]), [8, 10]);
  });
});

describe('decode: hostile shapes', () => {
  test('100000 nested lists throw BencodeError, not a stack overflow', () => {
    rejects('l'.repeat(100_000), /nesting too deep/);
    rejects(`${'l'.repeat(100_000)}${'e'.repeat(100_000)}`, /nesting too deep/);
    rejects('d1:a'.repeat(100_000), /nesting too deep/);
    rejects('l'.repeat(100_000), /nesting too deep/, { maxDepth: 1_000_000 });
  });

  test('maxDepth is the number of nested containers allowed', () => {
    assert.doesNotThrow(() => decode(b(`${'l'.repeat(256)}${'e'.repeat(256)}`)));
    rejects(`${'l'.repeat(257)}${'e'.repeat(257)}`, /nesting too deep at byte 256/);
    rejects('lllleeee', /nesting too deep/, { maxDepth: 3 });
    // a caller's larger limit is capped where the recursion is still safe, and the encoder agrees
    const deepest = b(`${'l'.repeat(1024)}${'e'.repeat(1024)}`);
    assert.deepEqual(encode(decode(deepest, { maxDepth: Infinity })), deepest);
    rejects(`${'l'.repeat(1025)}${'e'.repeat(1025)}`, /nesting too deep/, { maxDepth: Infinity });
  });

  test('maxTokens counts every value (not dictionary keys); without it there is no limit', () => {
    // d 1:a l i1e i2e e e: the dict, the list and two integers are 4 values.
    assert.doesNotThrow(() => decode(b('d1:ali1ei2eee'), { maxTokens: 4 }));
    rejects('d1:ali1ei2eee', /more than 3 values at byte 8/, { maxTokens: 3 });
    const many = b(`l${'i7e'.repeat(100_000)}e`);
    assert.equal((decode(many) as BValue[]).length, 100_000);
    rejects(many, /more than 100000 values/, { maxTokens: 100_000 });
    // A streamed list whose items are taken raw counts what the taker says it took.
    const taker = (took: number) => ({
      path: [],
      item: () => undefined,
      end: () => 0,
      rawItem: (bytes: Buffer, start: number, tokens: number, taken: { end: number; tokens: number }) => {
        if (took > tokens) return false;
        taken.end = start + 3;
        taken.tokens = took;
        return true;
      },
    });
    const three = b('li1ei2ei3ee');
    // The list, then 2 + 2 taken raw; the third is declined (2 > 0 left) and decoded: one too many.
    assert.doesNotThrow(() => decodeDetailed(three, { maxTokens: 7, stream: taker(2) }));
    assert.throws(() => decodeDetailed(three, { maxTokens: 5, stream: taker(2) }), /more than 5 values at byte 7/);
    assert.doesNotThrow(() => decodeDetailed(three, { stream: taker(1e9) }));
  });

  test('trailing data is rejected unless allowed', () => {
    rejects('i1ei2e', /trailing data after value at byte 3/);
    rejects('de\n', /trailing data/);
    const { value, end } = decodeDetailed(b('d1:ai1eeRAW PIECE DATA'), { allowTrailing: true });
    assert.equal((value as BDict).get('a'), 1);
    assert.equal(end, 8);
  });
});

describe('encode', () => {
  test('every kind of value', () => {
    const value: BValue = new Map<string, BValue>([
      ['int', -3],
      ['big', 2n ** 70n],
      ['bytes', new Uint8Array([0, 255])],
      ['list', [1, [], new Map()]],
    ]);
    assert.equal(latin1(encode(value)), 'd3:bigi1180591620717411303424e5:bytes2:\x00\xff3:inti-3e4:listli1eledeee');
  });

  test('large numbers are written digit by digit, never in exponent form', () => {
    assert.equal(latin1(encode(1e21)), 'i1000000000000000000000e');
    assert.equal(latin1(encode(-(2 ** 60))), 'i-1152921504606846976e');
    assert.equal(latin1(encode(-0)), 'i0e');
  });

  test('keys are sorted bytewise', () => {
    const value = new Map<string, BValue>([
      ['\xff', 1],
      ['a', 2],
      ['B', 3],
      ['', 4],
      ['aa', 5],
    ]);
    assert.equal(latin1(encode(value)), 'd0:i4e1:Bi3e1:ai2e2:aai5e1:\xffi1ee');
  });

  test('values outside bencode are TypeErrors', () => {
    assert.throws(() => encode(1.5), TypeError);
    assert.throws(() => encode(Number.NaN), TypeError);
    assert.throws(() => encode(Number.POSITIVE_INFINITY), TypeError);
    assert.throws(() => encode('text' as unknown as BValue), TypeError);
    assert.throws(() => encode(null as unknown as BValue), TypeError);
    assert.throws(() => encode(new Map([['\u0100', 1]])), /latin1/);
  });

  test('absurdly deep values fail with BencodeError', () => {
    let deep: BValue = [];
    for (let i = 0; i < 5000; i++) deep = [deep];
    assert.throws(() => encode(deep), BencodeError);
  });
});

/** Any bencode value, with integers and keys chosen to hit the edges. */
const bvalueArbitrary = fc.letrec<{ value: BValue; int: number | bigint; bytes: Uint8Array; list: BValue[]; dict: BDict }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('int'), tie('bytes'), tie('list'), tie('dict')),
  int: fc.oneof(
    fc.integer({ min: -1000, max: 1000 }),
    fc.maxSafeInteger(),
    fc.bigInt({ min: -(2n ** 100n), max: 2n ** 100n }),
    fc.constantFrom(2 ** 53, -(2 ** 53), 1e21, 2n ** 63n - 1n, 2n ** 64n),
  ),
  bytes: fc.oneof(
    fc.uint8Array({ maxLength: 24 }),
    fc.string({ maxLength: 12 }).map((s) => Buffer.from(s, 'utf8')),
  ),
  list: fc.array(tie('value'), { maxLength: 5 }),
  dict: fc
    .array(fc.tuple(fc.oneof(fc.uint8Array({ maxLength: 6 }).map(latin1), fc.constantFrom('info', 'a', 'b', '\xff', '')), tie('value')), {
      maxLength: 5,
    })
    .map((entries) => new Map(entries)),
}));

describe('properties', () => {
  test('encode -> decode -> encode is the identity, and encoder output is canonical', () => {
    fc.assert(
      fc.property(bvalueArbitrary.value, (value) => {
        const bytes = encode(value);
        const decoded = decodeDetailed(bytes, { strictKeyOrder: true });
        assert.equal(decoded.end, bytes.length);
        assert.deepEqual(encode(decoded.value), bytes);
      }),
      { numRuns: process.env.CI ? 20_000 : 2_000 },
    );
  });

  const mustOnlyThrowBencodeError = (bytes: Uint8Array) => {
    let decoded;
    try {
      decoded = decodeDetailed(bytes);
    } catch (error) {
      if (error instanceof BencodeError) return;
      throw error;
    }
    // whatever the decoder accepts with sorted keys is canonical: re-encoding reproduces it
    if (!decoded.unsortedKeys) assert.deepEqual(encode(decoded.value), Buffer.from(bytes));
  };

  test('random bytes only ever throw BencodeError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), mustOnlyThrowBencodeError), { numRuns: FUZZ_RUNS });
  });

  test('random bencode-alphabet bytes only ever throw BencodeError', () => {
    const alphabet = fc.constantFrom(...b('ilde0123456789:-ab'));
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 64 }).map((a) => Uint8Array.from(a)),
        mustOnlyThrowBencodeError,
      ),
      { numRuns: FUZZ_RUNS },
    );
  });

  test('mutated valid encodings only ever throw BencodeError', () => {
    const mutated = mutatedEncodings(bvalueArbitrary.value, 4);
    fc.assert(fc.property(mutated, mustOnlyThrowBencodeError), { numRuns: FUZZ_RUNS });
  });
});
