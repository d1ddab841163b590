import assert from 'node:assert/strict';
import { test } from 'node:test';
import stringWidth from 'string-width';
import { NARROW_SYMBOLS, narrowWidth } from '../../source/ui/narrow-width.js';

test('every symbol taken as narrow is one column for string-width too', () => {
  for (const symbol of NARROW_SYMBOLS) assert.equal(stringWidth(symbol), 1, `${symbol} (U+${symbol.codePointAt(0)!.toString(16)})`);
});

test('narrowWidth agrees with string-width on what it answers, and leaves the rest to it', () => {
  const samples = [
    '',
    'plain ascii 100%',
    '\u001B[32m██████████\u001B[39m 100%  19.9 KiB',
    '\u001B[1m\u001B[7m Keys  (Esc or ? closes; ↑↓ scroll)\u001B[27m\u001B[22m',
    '↓ 0 B/s [∞]  ↑ 0 B/s [∞]  conn 0',
    'ünïcödé',
    '日本語のファイル',
    'emoji 🎉 here',
    'e\u0301 combining',
    'tab\there',
    '\u001B]8;;http://x\u0007link\u001B]8;;\u0007',
    '\u009B31mcsi',
  ];
  let answered = 0;
  for (const text of samples) {
    const fast = narrowWidth(text);
    if (fast === undefined) continue;
    answered++;
    assert.equal(fast, stringWidth(text), JSON.stringify(text));
  }
  assert.equal(answered, 5);
  for (const text of ['ünïcödé', '日本語のファイル', 'emoji 🎉 here', 'e\u0301 combining', 'tab\there', '\u009B31mcsi']) {
    assert.equal(narrowWidth(text), undefined, JSON.stringify(text));
  }
  assert.equal(narrowWidth('abc', { countAnsiEscapeCodes: true }), undefined);
  assert.equal(narrowWidth('abc', { ambiguousIsNarrow: false }), undefined);
});
