// Our bencode decoder against the `bencode` npm package (4.0.1) as a differential oracle: on canonical
// input both read the same values; where ours is stricter each case names the rule it enforces and
// shows what the package makes of the same bytes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import bencode from 'bencode';
import fc from 'fast-check';
import { BencodeError, decode, encode, latin1, type BDict, type BValue } from '../../../source/engine/codec/bencode.js';
import { oursShape, packageDecode, RULES } from '../../helpers/bencode-oracle.js';
import { mutatedEncodings } from '../../helpers/bencode-mutations.js';

const RUNS = process.env.CI ? 20_000 : 2_000;
const b = (s: string) => Buffer.from(s, 'latin1');

/** Values with keys that are mostly text (some raw bytes) and integers up to and beyond 2^53. */
const value = fc.letrec<{ value: BValue; list: BValue[]; dict: BDict }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.maxSafeInteger(), fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n })),
    fc.oneof(
      fc.uint8Array({ maxLength: 24 }),
      fc.string({ maxLength: 12 }).map((s) => Buffer.from(s, 'utf8')),
    ),
    tie('list'),
    tie('dict'),
  ),
  list: fc.array(tie('value'), { maxLength: 5 }),
  dict: fc
    .array(
      fc.tuple(
        fc.oneof(
          fc.string({ maxLength: 8 }).map((s) => latin1(Buffer.from(s, 'utf8'))),
          fc.uint8Array({ maxLength: 4 }).map(latin1),
          fc.constantFrom('info', 'ff', '\xff', '0', '1', '10', ''),
        ),
        tie('value'),
      ),
      { maxLength: 5 },
    )
    .map((entries) => new Map(entries)),
}));

/** Compares when the package can hold the value; otherwise returns the rule that stopped it. */
function agree(bytes: Uint8Array, ours: BValue): string | undefined {
  const shape = oursShape(ours);
  if (typeof shape === 'object' && 'rule' in shape) return shape.rule;
  assert.deepEqual(packageDecode(bytes), shape);
  return undefined;
}

describe('bencode: the npm package as an oracle', () => {
  test('canonical input: both decoders read the same value (or the package cannot hold it, for a named reason)', () => {
    const skipped = new Map<string, number>();
    fc.assert(
      fc.property(value.value, (v) => {
        const bytes = encode(v);
        const rule = agree(bytes, decode(bytes, { strictKeyOrder: true }));
        if (rule) skipped.set(rule, (skipped.get(rule) ?? 0) + 1);
      }),
      { numRuns: RUNS },
    );
    // Most values are compared, not skipped.
    const total = [...skipped.values()].reduce((a, n) => a + n, 0);
    assert.ok(total < RUNS / 2, `${total} of ${RUNS} skipped: ${JSON.stringify([...skipped])}`);
  });

  test('canonical input: both encoders write the same bytes for text keys and safe integers', () => {
    const plain = fc.letrec<{ v: unknown }>((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.maxSafeInteger(),
        fc.uint8Array({ maxLength: 16 }),
        fc.array(tie('v'), { maxLength: 4 }),
        fc.dictionary(
          fc.stringMatching(/^[a-z0-9 ._-]{0,8}$/).filter((k) => k !== '__proto__'),
          tie('v'),
          { maxKeys: 4 },
        ),
      ),
    })).v;
    const ours = (v: unknown): BValue =>
      typeof v === 'number' || v instanceof Uint8Array
        ? v
        : Array.isArray(v)
          ? v.map(ours)
          : new Map(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, ours(x)]));
    fc.assert(
      fc.property(plain, (v) => assert.deepEqual(Buffer.from(bencode.encode(v)), encode(ours(v)))),
      { numRuns: RUNS },
    );
  });

  test('fuzz: whatever ours accepts from mutated encodings, the package reads the same', () => {
    let accepted = 0;
    const mutated = mutatedEncodings(value.value, 3);
    fc.assert(
      fc.property(mutated, (bytes) => {
        let ours: BValue;
        try {
          ours = decode(bytes);
        } catch (error) {
          if (error instanceof BencodeError) return;
          throw error;
        }
        accepted++;
        agree(bytes, ours);
      }),
      { numRuns: RUNS },
    );
    assert.ok(accepted > 0, 'no mutated input was accepted: the comparison never ran');
  });

  // Where ours refuses what the package takes: the rule, the bytes, our error, and the package's reading.
  const stricter: { rule: string; input: string; ours: RegExp; theirs: unknown }[] = [
    { rule: 'integers have no leading zeros (BEP 3)', input: 'i03e', ours: /leading zero/, theirs: 3 },
    { rule: 'there is no negative zero (BEP 3)', input: 'i-0e', ours: /negative zero/, theirs: -0 },
    { rule: 'an integer has digits', input: 'ie', ours: /no digits/, theirs: 0 },
    { rule: 'a minus sign alone is no integer', input: 'i-e', ours: /no digits/, theirs: -0 },
    { rule: 'integers have no plus sign', input: 'i+5e', ours: /unexpected byte 0x2b/, theirs: 5 },
    { rule: 'integers are whole (no decimal point)', input: 'i1.5e', ours: /unexpected byte 0x2e/, theirs: 1 },
    { rule: 'string lengths have no leading zeros', input: '03:abc', ours: /leading zero/, theirs: b('abc') },
    { rule: 'a string is as long as its length says', input: '5:ab', ours: /runs past the end/, theirs: b('ab') },
    { rule: 'one value, nothing after it', input: 'i1eXYZ', ours: /trailing data/, theirs: 1 },
    { rule: 'a dictionary key appears once', input: 'd1:ai1e1:ai2ee', ours: /duplicate dictionary key/, theirs: { a: 2 } },
    { rule: 'empty input is no value', input: '', ours: /unexpected end of data/, theirs: null },
  ];
  for (const { rule, input, ours, theirs } of stricter) {
    test(`stricter than the package: ${rule} (${JSON.stringify(input)})`, () => {
      assert.throws(
        () => decode(b(input)),
        (e: unknown) => e instanceof BencodeError && ours.test(e.message),
      );
      assert.deepEqual(bencode.decode(b(input)), theirs instanceof Buffer ? new Uint8Array(theirs) : theirs);
    });
  }

  test('stricter than the package on request: keys in ascending byte order (strictKeyOrder, for .torrent info)', () => {
    const input = b('d1:bi1e1:ai2ee');
    assert.throws(() => decode(input, { strictKeyOrder: true }), /keys are not sorted/);
    // Lenient, ours keeps the order the bytes had; the package returns an object.
    assert.deepEqual([...(decode(input) as BDict).keys()], ['b', 'a']);
    assert.deepEqual(bencode.decode(input), { b: 1, a: 2 });
  });

  test(`where the package cannot hold a value: ${RULES.bigInteger}`, () => {
    const input = b('i9007199254740993e');
    assert.equal(decode(input), 9007199254740993n);
    assert.equal(bencode.decode(input), 9007199254740992);
  });

  test(`where the package cannot hold a value: ${RULES.keyCollision}; ${RULES.protoKey}`, () => {
    const input = b('d2:ffi1e1:\xffi2ee');
    assert.deepEqual(
      [...(decode(input) as BDict).entries()],
      [
        ['ff', 1],
        ['\xff', 2],
      ],
    );
    assert.deepEqual(bencode.decode(input), { ff: 2 });
    assert.deepEqual(oursShape(decode(input)), { rule: RULES.keyCollision });
    assert.deepEqual(bencode.decode(b('d9:__proto__i1ee')), {});
    assert.deepEqual(oursShape(decode(b('d9:__proto__i1ee'))), { rule: RULES.protoKey });
  });
});
