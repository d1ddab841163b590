import assert from 'node:assert/strict';
import { test } from 'node:test';
import { colourLevel } from '../../source/ui/theme.js';
import { torrentRow } from '../helpers/torrent-row.js';

// Colours must really be on for this to show anything: chalk decides when Ink is first loaded.
process.env.FORCE_COLOR = '3';
const React = (await import('react')).default;
const { render } = await import('ink-testing-library');
const { TorrentList } = await import('../../source/ui/torrent-list.js');
const { PiecesTab } = await import('../../source/ui/pieces-tab.js');
const { ThemeContext } = await import('../../source/ui/theme-context.js');
const { makeTheme } = await import('../../source/ui/theme.js');

const COLOUR = /\x1b\[(3[0-7]|9[0-7]|38;[25];[0-9;]+)m/;
const row = torrentRow('x', {
  infoHash: 'a'.repeat(40),
  state: 'downloading',
  progress: 0.5,
  downloadRate: 5,
  directory: '/',
  dataPath: '/x',
});
const pieces = {
  pieceCount: 8,
  have: new Uint8Array([0xf0]),
  downloading: new Set([4]),
  availability: Uint16Array.from([0, 0, 0, 0, 0, 0, 1, 5]),
};

function frame(level: 'none' | '16' | 'full', node: React.ReactElement): string {
  const app = render(React.createElement(ThemeContext.Provider, { value: makeTheme(level) }, node));
  const out = app.lastFrame() ?? '';
  app.unmount();
  return out;
}

test('colour level: NO_COLOR wins, then the setting, then the terminal depth', () => {
  assert.equal(colourLevel('auto', { NO_COLOR: '1' }, 24), 'none');
  assert.equal(colourLevel('auto', { NO_COLOR: '' }, 24), 'full');
  assert.equal(colourLevel('16', {}, 24), '16');
  assert.equal(colourLevel('auto', {}, 4), '16');
  assert.equal(colourLevel('none', {}, 24), 'none');
  assert.equal(colourLevel('auto', {}, 1), 'none');
});

test('with colours off nothing is coloured (selection stays visible by inverse video); with 16 colours only basic codes', () => {
  const list = React.createElement(TorrentList, {
    rows: [row],
    selected: row.infoHash,
    width: 120,
    height: 3,
    sort: 'added',
    descending: false,
    empty: '',
  });
  const heat = React.createElement(PiecesTab, { pieces, pieceLength: 16384, width: 80, height: 6 });
  for (const node of [list, heat]) {
    const plain = frame('none', node);
    assert.doesNotMatch(plain, COLOUR);
    const sixteen = frame('16', node);
    assert.match(sixteen, COLOUR);
    assert.doesNotMatch(sixteen, /\x1b\[38;[25];/, 'no 256-colour or true-colour codes');
  }
  assert.match(frame('none', list), /\x1b\[7m/, 'selected row in inverse');
  // The full ramp is hex (chalk maps it down to what the terminal has); 16 colours use named ones only.
  assert.ok(makeTheme('full').availability.every((c) => c?.startsWith('#')));
  assert.ok(makeTheme('16').availability.every((c) => c && /^[a-z]+$/.test(c)));
});
