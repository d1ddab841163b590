import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Snapshot } from '../../source/store/types.js';
import { runAction, type Commands } from '../../source/ui/run-action.js';
import { initialUiState, nextView, reconcileSelection, scrollWindow, type UiState } from '../../source/ui/ui-state.js';
import { layoutColumns } from '../../source/ui/columns.js';
import { heatmapCells, cellGlyph, gridFor } from '../../source/ui/heatmap.js';
import { torrentRow } from '../helpers/torrent-row.js';

const row = (name: string) => torrentRow(name);

function recorder() {
  const calls: string[] = [];
  const commands: Commands = {
    toggle: async (h) => void calls.push(`toggle ${h.slice(0, 1)}`),
    recheck: async (h) => void calls.push(`recheck ${h.slice(0, 1)}`),
    announce: (h) => void calls.push(`announce ${h.slice(0, 1)}`),
    scrape: async (h) => void calls.push(`scrape ${h.slice(0, 1)}`),
    changePriority: (h, d) => void calls.push(`priority ${h.slice(0, 1)} ${d}`),
    changeFilePriority: (h, f, d) => void calls.push(`file ${h.slice(0, 1)} ${f} ${d}`),
    stepLimit: (w, d) => void calls.push(`limit ${w} ${d}`),
    toggleAltSpeed: () => void calls.push('turtle'),
    metainfoText: () => 'Name  x',
    magnetOf: (h) => `magnet:?xt=urn:btih:${h}`,
  };
  return { calls, commands };
}

const rows = ['a', 'b', 'c', 'd', 'e'].map(row);
const snapshot: Snapshot = { version: 1, torrents: rows, global: {} as Snapshot['global'], log: [] };

function run(state: UiState, ...actions: Parameters<typeof runAction>[0][]) {
  const { calls, commands } = recorder();
  let quit = false;
  for (const action of actions)
    state = runAction(action, { state: reconcileSelection(state, rows), rows, snapshot, pageSize: 3, commands, quit: () => (quit = true) });
  return { state: reconcileSelection(state, rows), calls, quit };
}

test('moving: j/k, page, top/bottom, clamped at the ends; the selection is a hash', () => {
  const s0 = initialUiState();
  assert.equal(run(s0).state.selected, rows[0]!.infoHash);
  assert.equal(run(s0, 'down', 'down').state.selected, rows[2]!.infoHash);
  assert.equal(run(s0, 'up').state.selected, rows[0]!.infoHash);
  assert.equal(run(s0, 'pageDown').state.selected, rows[2]!.infoHash);
  assert.equal(run(s0, 'bottom').state.selected, rows[4]!.infoHash);
  assert.equal(run(s0, 'bottom', 'down', 'top').state.selected, rows[0]!.infoHash);
});

test('the selection follows its torrent when rows reorder, and falls to a neighbour when it leaves', () => {
  const s = run(initialUiState(), 'down', 'down').state; // on c
  const reordered = [rows[4]!, rows[2]!, rows[0]!];
  assert.equal(reconcileSelection(s, reordered).selected, rows[2]!.infoHash);
  const without = [rows[0]!, rows[1]!, rows[3]!, rows[4]!];
  assert.equal(reconcileSelection(s, without).selected, rows[3]!.infoHash, 'the row now at its old place');
});

test('detail: Enter opens, Tab and 1-5 switch tabs, Esc goes back', () => {
  let { state } = run(initialUiState(), 'open');
  assert.equal(state.screen, 'detail');
  assert.equal(state.tab, 'info');
  state = run(state, 'nextTab', 'nextTab').state;
  assert.equal(state.tab, 'files');
  state = run(state, 'tab5').state;
  assert.equal(state.tab, 'pieces');
  state = run(state, 'previousTab').state;
  assert.equal(state.tab, 'trackers');
  state = run(state, 'back').state;
  assert.equal(state.screen, 'list');
});

test('torrent actions go to the selected torrent; remove asks first, naming the data', () => {
  const { state, calls } = run(
    initialUiState(),
    'down',
    'toggle',
    'recheck',
    'announce',
    'scrape',
    'priorityUp',
    'downloadLimitDown',
    'uploadLimitUp',
  );
  assert.deepEqual(calls, ['toggle b', 'recheck b', 'announce b', 'scrape b', 'priority b 1', 'limit download down', 'limit upload up']);
  const asked = run(state, 'removeData').state;
  assert.deepEqual(asked.confirm, { kind: 'removeData', hash: rows[1]!.infoHash, name: 'b', path: '/d/b' });
  assert.equal(run(state, 'metainfo').state.overlay?.kind, 'metainfo');
  assert.equal(run(state, 'quit').quit, true);
});

test('in the Files tab, moving and +/- act on the file under the cursor', () => {
  const files = [0, 1, 2].map((i) => ({ index: i, path: `f${i}`, length: 1, progress: 0, priority: 1 }));
  const withDetail: Snapshot = {
    ...snapshot,
    detail: { infoHash: rows[0]!.infoHash, files, peers: [], trackers: [], info: {} as never, pieces: {} as never },
  };
  const { calls, commands } = recorder();
  let state = reconcileSelection({ ...initialUiState(), screen: 'detail', tab: 'files' }, rows);
  for (const action of ['down', 'down', 'down', 'priorityDown'] as const)
    state = runAction(action, { state, rows, snapshot: withDetail, pageSize: 3, commands, quit: () => {} });
  assert.equal(state.fileCursor, 2, 'clamped at the last file');
  assert.equal(state.selected, rows[0]!.infoHash, 'the torrent selection did not move');
  assert.deepEqual(calls, ['file a 2 -1']);
});

test('scrollWindow keeps the selected row visible with minimal movement', () => {
  assert.equal(scrollWindow(0, 5, 10, 100), 0);
  assert.equal(scrollWindow(0, 10, 10, 100), 1);
  assert.equal(scrollWindow(50, 45, 10, 100), 45);
  assert.equal(scrollWindow(95, 99, 10, 100), 90);
  assert.equal(scrollWindow(3, 2, 10, 5), 0);
});

test('columns: everything at 200 wide; at 80 the low-priority ones go and the name keeps room', () => {
  const wide = layoutColumns(200);
  assert.equal(wide.columns.length, 12);
  // Labels go first: at 110 every other column stays.
  assert.deepEqual(
    layoutColumns(120).columns.map((c) => c.id),
    wide.columns.map((c) => c.id),
  );
  assert.deepEqual(
    layoutColumns(110).columns.map((c) => c.id),
    wide.columns.map((c) => c.id).filter((id) => id !== 'labels'),
  );
  const narrow = layoutColumns(80);
  const ids = narrow.columns.map((c) => c.id);
  for (const id of ['name', 'state', 'pct', 'size', 'down', 'up']) assert.ok(ids.includes(id as never), id);
  assert.ok(!ids.includes('bar'));
  const used = narrow.columns.reduce((n, c) => n + (c.id === 'name' ? narrow.nameWidth : c.width + 1), 0);
  assert.equal(used, 80);
  assert.ok(narrow.nameWidth >= 16);
});

test('heatmap: one cell per piece when they fit, even groups otherwise; groups read have/partial/downloading/missing', () => {
  const have = new Uint8Array([0b11110000, 0]);
  const availability = Uint16Array.from([1, 1, 1, 1, 0, 3, 2, 12, 1, 1, 1, 1, 1, 1, 1, 1]);
  const map = { pieceCount: 16, have, downloading: new Set([5]), availability };
  const one = heatmapCells(map, 100);
  assert.equal(one.length, 16);
  assert.deepEqual(
    one.slice(3, 8).map((c) => cellGlyph(c)),
    ['█', '·', '▒', '2', '+'],
  );
  assert.equal(cellGlyph(one[4]!, true), '▓', 'with colour, missing cells are shaded blocks');
  const grouped = heatmapCells(map, 4);
  assert.deepEqual(
    grouped.map((c) => c.state),
    ['have', 'downloading', 'missing', 'missing'],
  );
  assert.equal(grouped[2]!.availability, 1, 'a group shows its rarest missing piece');
  const halves = heatmapCells({ ...map, downloading: new Set() }, 8);
  assert.deepEqual(
    halves.slice(1, 3).map((c) => c.state),
    ['have', 'missing'],
  );
  assert.equal(heatmapCells({ ...map, have: new Uint8Array([0b11100000, 0]) }, 8)[1]!.state, 'partial');
});

test('heatmap grid: double-width cells when the pieces fit that way, single otherwise, rows capped', () => {
  assert.deepEqual(gridFor(192, 120, 20), { columns: 60, rows: 4, cellWidth: 2 });
  assert.deepEqual(gridFor(5000, 120, 20), { columns: 120, rows: 20, cellWidth: 1 });
  assert.deepEqual(gridFor(1, 80, 10), { columns: 40, rows: 1, cellWidth: 2 });
});

test('label views: after the built-in ones, sorted; a view whose label went away steps back into the list', () => {
  const labelled = [
    { ...row('a'), labels: ['zeta', 'Alpha'] },
    { ...row('b'), labels: ['zeta'] },
  ];
  assert.equal(nextView('error', 1, labelled), 'label:Alpha');
  assert.equal(nextView('label:Alpha', 1, labelled), 'label:zeta');
  assert.equal(nextView('label:zeta', 1, labelled), 'all');
  assert.equal(nextView('all', -1, labelled), 'label:zeta');
  assert.equal(nextView('error', 1, rows), 'all', 'no labels: only the built-in views');
  assert.equal(nextView('label:gone', 1, labelled), 'all');
  assert.equal(nextView('label:gone', -1, labelled), 'label:zeta');
});
