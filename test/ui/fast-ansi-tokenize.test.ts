import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as library from '@alcalzone/ansi-tokenize';
import fc from 'fast-check';
import * as fast from '../../source/ui/fast-ansi-tokenize.js';
import { NARROW_SYMBOLS } from '../../source/ui/narrow-width.js';

/** Pieces of the text Ink assembles frames from: plain and narrow text, colours and styles on and off, and what the fast path leaves to the library. */
const PIECES = [
  'a',
  'Z',
  ' ',
  '~',
  '42%',
  ...NARROW_SYMBOLS,
  '\u001B[0m',
  '\u001B[1m',
  '\u001B[22m',
  '\u001B[2m',
  '\u001B[7m',
  '\u001B[27m',
  '\u001B[32m',
  '\u001B[39m',
  '\u001B[90m',
  '\u001B[38;5;208m',
  '\u001B[38;2;10;20;30m',
  '\u001B[48;5;236m',
  '\u001B[49m',
  '\u001B[1;32m',
  // Left to the library: wide, combining, emoji, control and link text, a lone escape.
  '漢',
  'e\u0301',
  '👍🏽',
  '\t',
  '\u001B]8;;http://x\u0007link\u001B]8;;\u0007',
  '\u001B',
];

const text = fc.array(fc.constantFrom(...PIECES), { maxLength: 60 }).map((parts) => parts.join(''));

test('the fast tokenizer gives the library’s tokens, styled characters and text back', () => {
  fc.assert(
    fc.property(text, fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }), (line, endChar) => {
      const tokens = fast.tokenize(line, endChar);
      assert.deepEqual(tokens, library.tokenize(line, endChar));
      const chars = fast.styledCharsFromTokens(tokens);
      assert.deepEqual(chars, library.styledCharsFromTokens(tokens));
      assert.equal(fast.styledCharsToString(chars), library.styledCharsToString(library.styledCharsFromTokens(tokens)));
    }),
    { numRuns: 2000 },
  );
});

test('characters of one run share their styles array (what lets the text be rebuilt without diffing each pair)', () => {
  const chars = fast.styledCharsFromTokens(fast.tokenize('\u001B[32mseeding\u001B[39m done'));
  assert.equal(chars[0]!.styles, chars[6]!.styles);
  assert.notEqual(chars[6]!.styles, chars[7]!.styles);
});
