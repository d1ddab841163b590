import fc from 'fast-check';
import { encode, type BValue } from '../../source/engine/codec/bencode.js';

/** Valid encodings of `values` with up to `maxEdits` bytes replaced or deleted: input a decoder must survive. */
export function mutatedEncodings(values: fc.Arbitrary<BValue>, maxEdits: number): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(values, fc.array(fc.tuple(fc.nat(), fc.integer({ min: -1, max: 255 })), { minLength: 1, maxLength: maxEdits }))
    .map(([value, edits]) => {
      const bytes = [...encode(value)];
      for (const [at, byte] of edits) {
        if (bytes.length === 0) break;
        const i = at % bytes.length;
        if (byte < 0) bytes.splice(i, 1);
        else bytes[i] = byte;
      }
      return Uint8Array.from(bytes);
    });
}
