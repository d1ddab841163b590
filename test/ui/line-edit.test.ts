import { test } from 'node:test';
import assert from 'node:assert/strict';
import { editLine, type EditKey, type EditLine } from '../../source/ui/line-edit.js';

function run(start: EditLine, ...keys: (string | EditKey)[]): EditLine | 'cancel' {
  let line = start;
  for (const k of keys) {
    const result = editLine(line, typeof k === 'string' ? { text: k } : k);
    if (!result) continue;
    if ('cancel' in result) return 'cancel';
    line = result.line;
  }
  return line;
}
const key = (name: string): EditKey => ({ name });

test('the line editor: moving, inserting and deleting at the cursor, as a shell does', () => {
  const end = { text: 'hello world', cursor: 11 };
  assert.deepEqual(run(end, key('left'), key('left'), 'X'), { text: 'hello worXld', cursor: 10 });
  assert.deepEqual(run(end, key('home'), '>'), { text: '>hello world', cursor: 1 });
  assert.deepEqual(run(end, key('C-a'), key('right'), key('C-e'), '!'), { text: 'hello world!', cursor: 12 });
  assert.deepEqual(run(end, key('C-w')), { text: 'hello ', cursor: 6 });
  assert.deepEqual(run({ text: 'a b  ', cursor: 5 }, key('C-w')), { text: 'a ', cursor: 2 }, 'spaces after the word go with it');
  assert.deepEqual(run(end, key('left'), key('left'), key('left'), key('C-u')), { text: 'rld', cursor: 0 });
  assert.deepEqual(run(end, key('home'), key('right'), key('C-k')), { text: 'h', cursor: 1 });
  assert.deepEqual(run(end, key('left'), key('backspace')), { text: 'hello word', cursor: 9 });
  assert.deepEqual(run(end, key('left'), key('left'), key('left'), key('forward-delete')), { text: 'hello wold', cursor: 8 });
  assert.deepEqual(run(end, key('forward-delete'), key('right')), end, 'nothing past the end');
  assert.deepEqual(run({ text: '', cursor: 0 }, key('backspace'), key('left')), { text: '', cursor: 0 });
  assert.deepEqual(
    run(end, key('C-a'), 'magnet:?xt=urn:btih:abc '),
    { text: 'magnet:?xt=urn:btih:abc hello world', cursor: 24 },
    'a paste',
  );
  assert.deepEqual(run(end, 'a\tb\x1b'), { text: 'hello worldab', cursor: 13 }, 'control characters are not typed');
  assert.equal(run(end, key('C-c')), 'cancel');
  assert.equal(editLine(end, key('return')), undefined, "Enter is the caller's");
  assert.deepEqual(
    run({ text: 'a😀', cursor: 3 }, key('left'), key('forward-delete')),
    { text: 'a', cursor: 1 },
    'a code point, not half of one',
  );
});
