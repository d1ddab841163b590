import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { decode, encode, latin1, type BDict, type BValue } from '../../../source/engine/codec/bencode.js';
import { BencodeJsonError, formatJson, fromJson, keyToJson, parseJson, toJson } from '../../../source/engine/codec/bencode-json.js';

const b = (s: string) => Buffer.from(s, 'latin1');
const show = (bencoded: string) => JSON.parse(formatJson(decode(b(bencoded))));
const back = (json: string) => latin1(encode(parseJson(json)));

function mappingError(json: string, message: RegExp): void {
  let caught: unknown;
  try {
    parseJson(json);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof BencodeJsonError, `expected BencodeJsonError for ${json}, got ${String(caught)}`);
  assert.match(caught.message, message);
  assert.doesNotMatch(caught.message, /\n/);
}

describe('bencode -> JSON', () => {
  test('integers: numbers while exact, {"$int"} beyond 2^53', () => {
    assert.deepEqual(show('li0ei-5ei9007199254740991ei9007199254740992ei-18446744073709551616ee'), [
      0,
      -5,
      9007199254740991,
      { $int: '9007199254740992' },
      { $int: '-18446744073709551616' },
    ]);
  });

  test('byte strings: readable text as strings, anything else as {"$hex"}', () => {
    const utf8 = Buffer.from('héllo ✓ 😀', 'utf8');
    const bencoded = `l${utf8.length}:${latin1(utf8)}6:\x7f\x00\x00\x01\x1a\xe12:\xc3\x28` + '3:a\tb2:\x00a1:\x7f0:e';
    assert.deepEqual(show(bencoded), [
      'héllo ✓ 😀',
      { $hex: '7f0000011ae1' },
      { $hex: 'c328' },
      'a\tb',
      { $hex: '0061' },
      { $hex: '7f' },
      '',
    ]);
  });

  test('a leading byte-order mark is kept, not stripped', () => {
    const bytes = b('6:\xef\xbb\xbfabc');
    const text = formatJson(decode(bytes));
    assert.equal(JSON.parse(text), '\ufeffabc');
    assert.deepEqual(encode(parseJson(text)), bytes);
  });

  test('keys: "$" doubled, non-text as "$hex:"', () => {
    assert.deepEqual(Object.keys(show('d0:i0e1:$i1e4:$hexi2e4:$inti3e5:$hex:i4e2:\xff\x00i5e1:ai6ee')), [
      '',
      '$$',
      '$$hex',
      '$$int',
      '$$hex:',
      '$hex:ff00',
      'a',
    ]);
    assert.equal(keyToJson('\x01'), '$hex:01');
  });

  test('a real dictionary shaped like a wrapper stays a dictionary', () => {
    const bencoded = 'd4:$hex2:abe';
    assert.deepEqual(show(bencoded), { $$hex: 'ab' });
    assert.equal(back(formatJson(decode(b(bencoded)))), bencoded);
  });

  test('pretty output keeps dictionary order, including integer-like keys', () => {
    const text = formatJson(decode(b('d2:10i1e1:2i2e1:ai3ee')));
    assert.equal(text, '{\n  "10": 1,\n  "2": 2,\n  "a": 3\n}');
    assert.equal(formatJson(decode(b('le'))), '[]');
    assert.equal(formatJson(decode(b('de'))), '{}');
    assert.equal(formatJson(decode(b('l1:\xffe'))), '[\n  {"$hex": "ff"}\n]');
  });

  test('toJson agrees with formatJson and survives a "__proto__" key', () => {
    const value = decode(b('d9:__proto__d1:xi1ee1:ai2ee'));
    const json = toJson(value) as Record<string, unknown>;
    assert.deepEqual(JSON.parse(formatJson(value)), json);
    assert.equal(Object.getPrototypeOf(json), Object.prototype);
    assert.equal(back(JSON.stringify(json)), 'd9:__proto__d1:xi1ee1:ai2ee');
  });
});

describe('JSON -> bencode', () => {
  test('the mapping back', () => {
    assert.equal(
      back('{"b": [1, -2, "x"], "a": {"$hex": "00FF"}, "$$c": {"$int": "18446744073709551616"}, "$hex:ff": 0}'),
      'd2:$ci18446744073709551616e1:a2:\x00\xff1:bli1ei-2e1:xe1:\xffi0ee',
    );
  });

  test('keys are written sorted bytewise whatever order JSON.parse gives them', () => {
    // JSON.parse puts integer-like keys first, in numeric order
    assert.equal(back('{"b": 1, "10": 2, "2": 3, "a": 4}'), 'd2:10i2e1:2i3e1:ai4e1:bi1ee');
  });

  test('text is written as UTF-8', () => {
    assert.deepEqual(encode(parseJson('"é😀"')), Buffer.from('6:é😀', 'utf8'));
  });

  test('small {"$int"} and whole floats are accepted', () => {
    assert.equal(back('[{"$int": "5"}]'), 'li5ee');
    assert.equal(back('[1.0, 1e3, -0]'), 'li1ei1000ei0ee');
  });

  test('values outside the mapping', () => {
    mappingError('null', /top level.*null has no bencode form/);
    mappingError('{"a": [true]}', /at \.a\[0\]: boolean has no bencode form/);
    mappingError('{"piece length": 1.5}', /at \["piece length"\]: 1.5 is not an integer/);
    mappingError('9007199254740993', /beyond 2\^53; write it as \{"\$int"/);
    mappingError('1e400', /not an integer/);
    mappingError('{"$hex": "abc"}', /even number of hex digits/);
    mappingError('{"$hex": "zz"}', /even number of hex digits/);
    mappingError('{"$hex": 12}', /must hold a string/);
    mappingError('{"$int": "012"}', /decimal integer/);
    mappingError('{"$int": "-0"}', /decimal integer/);
    mappingError('{"$int": "1.5"}', /decimal integer/);
    mappingError(`{"$int": "${'9'.repeat(65)}"}`, /more than 64 digits/);
    mappingError('{"$hex": "00", "x": 1}', /unknown "\$" key/);
    mappingError('{"$foo": 1}', /at \["\$foo"\]: unknown "\$" key/);
    mappingError('{"$hex:0": 1}', /"\$hex:" key/);
    mappingError('{"a": 1, "$hex:61": 2}', /same bytes as another key/);
    mappingError('"\\ud800"', /lone surrogate/);
    mappingError('{"\\udc00": 1}', /lone surrogate/);
    mappingError(`${'['.repeat(300)}${']'.repeat(300)}`, /nesting too deep/);
    mappingError(`${'{"a":'.repeat(300)}0${'}'.repeat(300)}`, /nesting too deep/);
  });

  test('invalid JSON is one line', () => {
    mappingError('{"a":\n\n', /^invalid JSON: /);
    mappingError('', /^invalid JSON/);
    mappingError('{"a": 1} x', /^invalid JSON/);
  });

  test('fromJson takes parsed values', () => {
    assert.equal(latin1(encode(fromJson({ z: [{ $hex: '' }], a: 'b' }))), 'd1:a1:b1:zl0:ee');
  });
});

/** Bencode values leaning towards what stresses the mapping: text, near-text, "$" keys, big integers. */
const tricky = fc.letrec<{ value: BValue; int: number | bigint; bytes: Uint8Array; key: string; list: BValue[]; dict: BDict }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('int'), tie('bytes'), tie('list'), tie('dict')),
  int: fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.bigInt({ min: -(2n ** 90n), max: 2n ** 90n })),
  bytes: fc.oneof(
    fc.uint8Array({ maxLength: 20 }),
    fc.string({ unit: 'grapheme', maxLength: 8 }).map((s) => Buffer.from(s, 'utf8')),
    fc.string({ unit: 'binary', maxLength: 8 }).map((s) => Buffer.from(s, 'utf8')),
  ),
  key: fc.oneof(
    tie('bytes').map(latin1),
    fc.constantFrom('$', '$$', '$hex', '$int', '$hex:', '$hex:61', '$$hex', '__proto__', 'constructor', '10', '2', '', 'a'),
    fc.string({ unit: 'grapheme-ascii', maxLength: 6 }).map((s) => `$${s}`),
  ),
  list: fc.array(tie('value'), { maxLength: 4 }),
  dict: fc.array(fc.tuple(tie('key'), tie('value')), { maxLength: 5 }).map((entries) => new Map(entries)),
}));

describe('properties', () => {
  const runs = { numRuns: process.env.CI ? 20_000 : 2_000 };

  test('bencode -> pretty JSON -> bencode gives the same bytes', () => {
    fc.assert(
      fc.property(tricky.value, (value) => {
        const bytes = encode(value);
        assert.deepEqual(encode(parseJson(formatJson(decode(bytes)))), bytes);
      }),
      runs,
    );
  });

  test('toJson and formatJson describe the same JSON, and toJson round-trips too', () => {
    fc.assert(
      fc.property(tricky.value, (value) => {
        const json = toJson(value);
        assert.deepEqual(JSON.parse(formatJson(value)), json);
        assert.deepEqual(encode(fromJson(JSON.parse(JSON.stringify(json)))), encode(value));
      }),
      runs,
    );
  });

  test('arbitrary JSON either maps or fails with BencodeJsonError', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (json) => {
        try {
          const value = fromJson(json);
          // whatever maps must be valid bencode the strict decoder accepts
          decode(encode(value), { strictKeyOrder: true });
        } catch (error) {
          if (!(error instanceof BencodeJsonError)) throw error;
        }
      }),
      runs,
    );
  });
});
