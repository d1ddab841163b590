import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasControlKey, keyOfChar } from '../../source/ui/key-chunks.js';

test('a chunk read at once is taken key by key: control characters as the keys they are', () => {
  assert.equal(hasControlKey('abc'), false);
  assert.equal(hasControlKey('\x15abc'), true);
  assert.deepEqual(keyOfChar('\x15'), { input: 'u', key: { ctrl: true } });
  assert.deepEqual(keyOfChar('\x17'), { input: 'w', key: { ctrl: true } });
  assert.deepEqual(keyOfChar('\r'), { input: '', key: { return: true } });
  assert.deepEqual(keyOfChar('\x7f'), { input: '', key: { delete: true } });
  assert.deepEqual(keyOfChar('\t'), { input: '', key: { tab: true } });
  assert.deepEqual(keyOfChar('x'), { input: 'x', key: {} });
});
