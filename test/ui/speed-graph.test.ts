import assert from 'node:assert/strict';
import { test } from 'node:test';
import { graphLines, graphMax } from '../../source/ui/speed-graph.js';
import { SpeedHistory } from '../../source/store/speed-history.js';
import type { TorrentSource } from '../../source/store/source.js';
import { TorrentStore } from '../../source/store/torrent-store.js';

test('graph lines: newest on the right, scaled to the peak in eighths of a cell, any traffic visible, none blank', () => {
  assert.deepEqual(graphLines([0, 8, 4, 1], 6, 1, 8), ['   █▄▁']);
  assert.deepEqual(graphLines([16, 8, 0.01], 3, 2, 16), ['█  ', '██▁']);
  assert.deepEqual(graphLines([1, 2, 3, 4, 5], 3, 1, 5), ['▅▆█'], 'only the last samples that fit');
  assert.deepEqual(graphLines([0, 0], 2, 2, graphMax([0, 0])), ['  ', '  '], 'idle: blank, not a floor of bars');
  assert.deepEqual(graphLines([5], 0, 3, 5), []);
  for (const line of graphLines([3, 1, 4, 1, 5, 9, 2, 6], 10, 3, 9)) assert.equal([...line].length, 10, 'every line as wide as asked');
});

test('speed history: a ring per key from its first traffic, oldest first, bounded; removed keys forgotten', () => {
  const h = new SpeedHistory(3, 1000);
  assert.equal(h.record('a', 0, 0), false);
  assert.equal(h.series('a'), undefined, 'no ring for an idle key');
  assert.equal(h.record('a', 10, 1), true);
  assert.equal(h.record('a', 0, 0), true, 'falling to zero shows');
  assert.equal(h.record('a', 0, 0), false, 'zeros after zeros change nothing in view');
  h.record('a', 30, 3);
  assert.deepEqual(h.series('a'), { down: [0, 0, 30], up: [0, 0, 3], intervalMs: 1000 }, 'the oldest sample gone');
  h.retain((key) => key !== 'a');
  assert.equal(h.has('a'), false);
});

test("the store samples every row's rates and the totals; the snapshot carries the open detail's series", () => {
  const rate = { a: 1000, b: 0 };
  const row = (hash: string) => ({
    infoHash: hash,
    name: hash,
    labels: [],
    trackerHosts: [],
    downloadRate: rate[hash as 'a' | 'b'],
    uploadRate: 0,
    peers: 0,
  });
  const source = {
    host: undefined,
    listen: () => () => {},
    start: () => {},
    stop: () => {},
    hashes: () => ['a', 'b'],
    row,
    global: () => ({ downloadLimit: 0, uploadLimit: 0, port: 0, downloadDirectory: '/', maxActiveDownloads: 0 }),
    status: () => ({ online: true }),
    focus: () => {},
    detail: () => undefined,
  } as unknown as TorrentSource;
  const store = new TorrentStore(source, { speedSampleMs: 0 });
  store.focus('a');
  store.sampleSpeeds();
  store.refresh();
  assert.deepEqual(store.getSnapshot().speeds?.detail?.down, [1000]);
  assert.deepEqual(store.getSnapshot().speeds?.total?.down, [1000], 'the totals');
  assert.equal(store.speeds.has('b'), false, 'an idle row has no ring');
  const version = store.getSnapshot().version;
  store.focus('b');
  assert.equal(store.getSnapshot().speeds?.detail, undefined, 'no traffic seen for b');
  assert.ok(store.getSnapshot().version > version);
  store.stop();
});
