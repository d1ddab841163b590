import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildKeymap, DEFAULT_BINDINGS, displayKey, keyName } from '../../source/ui/keymap.js';
import { helpLines } from '../../source/ui/help-overlay.js';

test('default keys reach their actions', () => {
  const km = buildKeymap();
  const expect: Record<string, string> = {
    up: 'up',
    k: 'up',
    down: 'down',
    j: 'down',
    g: 'top',
    G: 'bottom',
    pageup: 'pageUp',
    pagedown: 'pageDown',
    return: 'open',
    right: 'open',
    escape: 'back',
    left: 'back',
    tab: 'nextTab',
    '1': 'tab1',
    '5': 'tab5',
    '?': 'help',
    '/': 'filter',
    q: 'quit',
    a: 'add',
    space: 'toggle',
    r: 'recheck',
    x: 'remove',
    X: 'removeData',
    u: 'announce',
    s: 'scrape',
    m: 'metainfo',
    n: 'create',
    '+': 'priorityUp',
    '-': 'priorityDown',
    '[': 'downloadLimitDown',
    ']': 'downloadLimitUp',
    '{': 'uploadLimitDown',
    '}': 'uploadLimitUp',
  };
  for (const [key, action] of Object.entries(expect)) assert.equal(km.lookup(key), action, key);
  assert.equal(km.lookup('C-s'), undefined);
  assert.deepEqual(km.problems, []);
});

test('no key is bound to two actions in any preset', () => {
  for (const preset of ['default', 'rtorrent']) {
    const seen = new Map<string, string>();
    for (const b of buildKeymap(preset).bindings) {
      for (const k of b.keys) {
        assert.ok(!seen.has(k), `${preset}: ${k} bound to ${seen.get(k)} and ${b.action}`);
        seen.set(k, b.action);
      }
    }
  }
});

test('the rtorrent preset: Ctrl-S start, Ctrl-D stop, Ctrl-K remove, Ctrl-R recheck, Backspace add', () => {
  const km = buildKeymap('rtorrent');
  assert.equal(km.lookup('C-s'), 'toggle');
  assert.equal(km.lookup('C-d'), 'toggle');
  assert.equal(km.lookup('C-k'), 'remove');
  assert.equal(km.lookup('C-r'), 'recheck');
  assert.equal(km.lookup('backspace'), 'add');
  assert.equal(km.lookup('delete'), 'add', 'most terminals send DEL for Backspace');
  assert.equal(km.lookup('j'), 'down', 'the rest stays');
});

test('remaps move a key to its new action and report nonsense', () => {
  const km = buildKeymap('default', { toggle: ['p'], recheck: ['space'], bogus: ['z'], quit: ['Ctrl-Q'] });
  assert.equal(km.lookup('p'), 'toggle');
  assert.equal(km.lookup('space'), 'recheck', 'taken from toggle');
  assert.equal(km.lookup('r'), undefined);
  assert.equal(km.problems.length, 2);
  assert.match(km.problems.join('\n'), /unknown action 'bogus'/);
  assert.match(km.problems.join('\n'), /bad key name 'Ctrl-Q'/);
  assert.equal(km.lookup('q'), undefined, 'quit remapped to nothing valid');
});

test('Ink key events become key names', () => {
  assert.equal(keyName('', { upArrow: true }), 'up');
  assert.equal(keyName('', { return: true }), 'return');
  assert.equal(keyName('', { tab: true, shift: true }), 'shift-tab');
  assert.equal(keyName('s', { ctrl: true }), 'C-s');
  assert.equal(keyName(' ', {}), 'space');
  assert.equal(keyName('G', { shift: true }), 'G');
  assert.equal(keyName('', { delete: true }), 'delete');
  assert.equal(keyName('pasted text', {}), undefined);
});

test('the help lists every action with its keys', () => {
  const lines = helpLines(buildKeymap('rtorrent').bindings);
  const entries = lines.filter((l) => l.text);
  assert.equal(entries.length, DEFAULT_BINDINGS.length);
  assert.ok(entries.some((l) => l.text === 'start / pause' && l.keys!.includes('Ctrl-S')));
  assert.equal(displayKey('pagedown'), 'PgDn');
});
