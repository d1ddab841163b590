import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ListView } from '../../source/store/list-view.js';
import { TorrentStore } from '../../source/store/torrent-store.js';
import { allViews, SORT_KEYS, viewCounts, visibleRows, type View, type ViewOptions } from '../../source/store/view.js';
import type { TorrentRow } from '../../source/store/types.js';
import { FakeSource } from '../helpers/fake-source.js';

const STATES = ['seeding', 'paused', 'downloading', 'queued', 'error'] as const;

/** The ListView's answer against the plain functions over every row. */
function assertSameAsFull(result: ReturnType<ListView['update']>, torrents: readonly TorrentRow[], options: ViewOptions): void {
  const rows = visibleRows(torrents, options);
  assert.deepEqual(
    result.rows.map((r) => r.infoHash),
    rows.map((r) => r.infoHash),
  );
  result.rows.forEach((row, i) => assert.equal(row, rows[i], 'the row of the latest snapshot'));
  const counts = viewCounts(torrents, options.filter);
  for (const [view, n] of counts) assert.equal(result.counts.get(view) ?? 0, n, `count of ${view}`);
  for (const [view, n] of result.counts) assert.equal(counts.get(view) ?? 0, n, `count of ${view}`);
  assert.deepEqual(result.views, allViews(torrents));
  rows.forEach((row, i) => assert.equal(result.indexOf(row.infoHash), i));
}

test('the list, its counts and its views follow the store through row changes as if recomputed over every row', () => {
  const change = fc.record({
    i: fc.nat(59),
    state: fc.constantFrom(...STATES),
    uploadRate: fc.constantFrom(0, 0, 5, 10),
    labels: fc.constantFrom([], [], ['linux'], ['linux', 'iso'], ['Movies']),
    name: fc.constantFrom(undefined, 'ubuntu', 'Debian'),
  });
  const options = fc.record({
    view: fc.constantFrom<View>('all', 'seeding', 'active', 'label:linux', 'paused'),
    filter: fc.constantFrom('', 'torrent-1', 'state:seeding', '#linux'),
    sort: fc.constantFrom(...SORT_KEYS),
    descending: fc.boolean(),
  });
  fc.assert(
    fc.property(options, fc.array(fc.array(change, { maxLength: 6 }), { minLength: 1, maxLength: 8 }), (opts, rounds) => {
      const fake = new FakeSource(60);
      const store = new TorrentStore(fake.source, { speedSampleMs: 0 });
      const view = new ListView();
      let snapshot = store.getSnapshot();
      assertSameAsFull(view.update(snapshot.torrents, snapshot.replaced, opts), snapshot.torrents, opts);
      for (const round of rounds) {
        for (const c of round)
          fake.change(c.i, { state: c.state, uploadRate: c.uploadRate, labels: c.labels, ...(c.name ? { name: c.name } : {}) });
        store.refresh();
        snapshot = store.getSnapshot();
        assertSameAsFull(view.update(snapshot.torrents, snapshot.replaced, opts), snapshot.torrents, opts);
      }
    }),
    { numRuns: 150 },
  );
});

test('a change that moves no row keeps the list in place, and an unchanged snapshot gives the same result', () => {
  const fake = new FakeSource(1000);
  const store = new TorrentStore(fake.source, { speedSampleMs: 0 });
  const view = new ListView();
  const options: ViewOptions = { view: 'all', filter: '', sort: 'added', descending: false };
  const first = view.update(store.getSnapshot().torrents, store.getSnapshot().replaced, options);
  assert.equal(
    view.update(store.getSnapshot().torrents, undefined, { ...options }),
    first,
    'the same snapshot and options: the same result',
  );
  fake.change(500, { state: 'seeding', labels: ['linux'] });
  store.refresh();
  const snapshot = store.getSnapshot();
  assert.ok(snapshot.replaced, 'the store said which row it replaced');
  const second = view.update(snapshot.torrents, snapshot.replaced, options);
  assert.notEqual(second, first);
  assert.equal(second.rows[500]!.state, 'seeding');
  assert.equal(second.rows[499], first.rows[499]);
  assertSameAsFull(second, snapshot.torrents, options);
  assert.equal(second.counts.get('seeding'), 1);
  assert.equal(second.counts.get('paused'), 999);
  assert.deepEqual(second.views.slice(-1), ['label:linux']);
  // Another filter: counted again from every row.
  const filtered = view.update(snapshot.torrents, snapshot.replaced, { ...options, filter: '#linux' });
  assert.deepEqual(
    filtered.rows.map((r) => r.name),
    ['torrent-500'],
  );
  assert.equal(filtered.counts.get('all'), 1);
});
