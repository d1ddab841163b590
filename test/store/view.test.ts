import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextLimit } from '../../source/store/limits.js';
import { classifyAddInput } from '../../source/service/add-input.js';
import type { TorrentRow } from '../../source/store/types.js';
import { parseFilter, visibleRows, viewCounts } from '../../source/store/view.js';
import { trackerHosts } from '../../source/format/tracker-host.js';
import { sanitize } from '../../source/settings.js';
import { torrentRow } from '../helpers/torrent-row.js';

const row = (name: string, patch: Partial<TorrentRow> = {}) =>
  torrentRow(name, { state: 'downloading', size: 100, dataPath: '/d/x', ...patch });

const rows = [
  row('Ubuntu', { state: 'seeding', progress: 1, uploadRate: 10, size: 300 }),
  row('debian', { downloadRate: 50, progress: 0.5, etaSeconds: 100, size: 200 }),
  row('arch', { state: 'paused', progress: 0.2 }),
  row('broken', { state: 'error' }),
  row('fedora', { state: 'paused', progress: 1, size: 50 }),
];

test('views select by state and activity', () => {
  const names = (view: Parameters<typeof visibleRows>[1]['view']) =>
    visibleRows(rows, { view, filter: '', sort: 'added', descending: false }).map((r) => r.name);
  assert.deepEqual(names('all'), ['Ubuntu', 'debian', 'arch', 'broken', 'fedora']);
  assert.deepEqual(names('downloading'), ['debian']);
  assert.deepEqual(names('seeding'), ['Ubuntu']);
  assert.deepEqual(names('paused'), ['arch', 'fedora']);
  assert.deepEqual(names('complete'), ['Ubuntu', 'fedora']);
  assert.deepEqual(names('active'), ['Ubuntu', 'debian']);
  assert.deepEqual(names('error'), ['broken']);
  assert.deepEqual(Object.fromEntries(viewCounts(rows)), {
    all: 5,
    downloading: 1,
    seeding: 1,
    paused: 2,
    complete: 2,
    active: 2,
    error: 1,
  });
});

test('the name filter is a case-insensitive substring; sorting is by any column, stable, either way', () => {
  assert.deepEqual(
    visibleRows(rows, { view: 'all', filter: 'U', sort: 'added', descending: false }).map((r) => r.name),
    ['Ubuntu'],
  );
  assert.deepEqual(
    visibleRows(rows, { view: 'all', filter: '', sort: 'name', descending: false }).map((r) => r.name),
    ['arch', 'broken', 'debian', 'fedora', 'Ubuntu'],
  );
  assert.deepEqual(
    visibleRows(rows, { view: 'all', filter: '', sort: 'size', descending: true }).map((r) => r.name),
    ['Ubuntu', 'debian', 'arch', 'broken', 'fedora'],
  );
  // Unknown ETA sorts last ascending.
  assert.equal(visibleRows(rows, { view: 'all', filter: '', sort: 'eta', descending: false })[0]!.name, 'debian');
  assert.equal(visibleRows(rows, { view: 'all', filter: '', sort: 'added', descending: true })[0]!.name, 'fedora');
});

test('limit steps: down from unlimited starts under the rate in use; up past the top is unlimited', () => {
  assert.equal(nextLimit(0, 'down', 0), 1024 * 1024);
  assert.equal(nextLimit(0, 'down', 5 * 1024 * 1024), 4 * 1024 * 1024);
  assert.equal(nextLimit(1024 * 1024, 'down'), 512 * 1024);
  assert.equal(nextLimit(16 * 1024, 'down'), 16 * 1024, 'the floor stays');
  assert.equal(nextLimit(128 * 1024 * 1024, 'up'), 0);
  assert.equal(nextLimit(0, 'up'), 0);
  assert.equal(nextLimit(100_000, 'up'), 128 * 1024);
});

test('the add prompt tells magnets, info-hashes, URLs and paths apart', () => {
  assert.equal(classifyAddInput('magnet:?xt=urn:btih:x').kind, 'magnet');
  assert.equal(classifyAddInput('a'.repeat(40)).kind, 'infohash');
  assert.equal(classifyAddInput('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567').kind, 'infohash');
  assert.equal(classifyAddInput('https://x/y.torrent').kind, 'url');
  assert.deepEqual(classifyAddInput('sub/a.torrent', '/base'), { kind: 'file', value: '/base/sub/a.torrent' });
  assert.equal(classifyAddInput('   ').kind, 'empty');
});

test('settings: hand-edited nonsense falls back to defaults', () => {
  const s = sanitize({
    port: 'x',
    refreshMs: 5,
    keymapPreset: 'emacs',
    colours: '16',
    keys: { toggle: ['p'], bad: 3 } as never,
    downloadLimit: -1,
  });
  assert.equal(s.port, 6881);
  assert.equal(s.refreshMs, 500);
  assert.equal(s.keymapPreset, 'default');
  assert.equal(s.colours, '16');
  assert.deepEqual(s.keys, { toggle: ['p'] });
  assert.equal(s.downloadLimit, 0);
});

test('DHT and LSD options: the bootstrap setting, else $BTUI_DHT_BOOTSTRAP, else the public routers; bad nodes reported; routing table in the state directory', async () => {
  const { networkOptions } = await import('../../source/session-state/network-options.js');
  const { DEFAULT_DHT_BOOTSTRAP } = await import('../../source/engine/discovery/dht.js');
  const base = sanitize({});
  assert.equal(base.dht, true, 'DHT on by default, like the CLI');
  assert.equal(base.lsd, false);
  assert.deepEqual(networkOptions(base, '/state', {}).options.dht, {
    bootstrap: DEFAULT_DHT_BOOTSTRAP,
    nodesFile: '/state/dht-nodes.json',
    nodesFile6: '/state/dht6-nodes.json',
  });
  assert.deepEqual(networkOptions(base, '/state', { BTUI_DHT_BOOTSTRAP: '' }).options.dht?.bootstrap, []);
  assert.deepEqual(networkOptions(base, '/state', { BTUI_DHT_BOOTSTRAP: '127.0.0.1:7000, 127.0.0.2:7001' }).options.dht?.bootstrap, [
    '127.0.0.1:7000',
    '127.0.0.2:7001',
  ]);
  const set = networkOptions({ ...base, dhtBootstrap: '127.0.0.3:1, nonsense', lsd: true }, '/state', { BTUI_DHT_BOOTSTRAP: '' });
  assert.deepEqual(set.options.dht?.bootstrap, ['127.0.0.3:1']);
  assert.equal(set.problems.length, 1);
  assert.match(set.problems[0]!, /nonsense/);
  assert.deepEqual(set.options.lsd, {});
  assert.equal(networkOptions({ ...base, dht: false }, '/state', {}).options.dht, undefined);
  assert.equal(sanitize({ dht: 'yes', maxActiveDownloads: -1 }).dht, true);
  assert.equal(sanitize({ dht: false }).dht, false);
  assert.equal(sanitize({ maxActiveDownloads: -1 }).maxActiveDownloads, 5);
});

test('the filter takes state: and label: (or #label) words beside the name; view counts follow it; active means transferring now', () => {
  const labelled = [
    row('Ubuntu', { state: 'seeding', labels: ['linux', 'iso'], uploadRate: 5 }),
    row('debian', { state: 'downloading', labels: ['linux'], peers: 3 }),
    row('arch iso', { state: 'paused', labels: ['Linux'] }),
    row('film', { state: 'seeding', labels: ['video'] }),
  ];
  const names = (filter: string, view: Parameters<typeof visibleRows>[1]['view'] = 'all') =>
    visibleRows(labelled, { view, filter, sort: 'added', descending: false }).map((r) => r.name);
  assert.deepEqual(names('state:seeding'), ['Ubuntu', 'film']);
  assert.deepEqual(names('#linux'), ['Ubuntu', 'debian', 'arch iso'], 'labels match whatever their case');
  assert.deepEqual(names('label:linux state:paused'), ['arch iso']);
  assert.deepEqual(names('label:linux s:seeding s:paused'), ['Ubuntu', 'arch iso'], 'several states: any of them');
  assert.deepEqual(names('#linux iso'), ['arch iso'], 'the rest is the name');
  assert.deepEqual(names('state:active'), ['Ubuntu'], 'a view name works as a state');
  assert.deepEqual(names('', 'active'), ['Ubuntu'], 'peers connected but nothing moving is not active');
  assert.deepEqual(parseFilter('#a state:Seeding x  y'), { name: 'x y', states: ['seeding'], labels: ['a'], trackers: [] });
  const counts = viewCounts(labelled, '#linux');
  assert.equal(counts.get('all'), 3);
  assert.equal(counts.get('seeding'), 1);
  assert.equal(counts.get('label:video'), undefined, 'a label no row under the filter has');
});

test('tracker:HOST (or tr:) keeps the torrents with a tracker whose host contains it; view counts follow it', () => {
  const rows = [
    row('Ubuntu', {
      state: 'seeding',
      trackerHosts: trackerHosts(['https://torrent.ubuntu.com/announce', 'udp://tracker.opentrackr.org:1337']),
    }),
    row('debian', { state: 'downloading', trackerHosts: trackerHosts([['http://bttracker.debian.org:6969/announce']]) }),
    row('private', { state: 'seeding', trackerHosts: trackerHosts(['https://TRACKER.Example.net/a/KEY/announce', 'not a url']) }),
    row('dht only', { state: 'seeding' }),
  ];
  const names = (filter: string) => visibleRows(rows, { view: 'all', filter, sort: 'added', descending: false }).map((r) => r.name);
  assert.deepEqual(names('tracker:ubuntu.com'), ['Ubuntu']);
  assert.deepEqual(names('tr:TRACKER'), ['Ubuntu', 'debian', 'private'], 'a part of the host, whatever its case');
  assert.deepEqual(names('tracker:example.net state:seeding'), ['private']);
  assert.deepEqual(names('tracker:debian ubuntu'), [], 'with a name too, both must match');
  assert.deepEqual(names('tracker:announce'), [], 'the host only, not the path');
  const counts = viewCounts(rows, 'tracker:tracker');
  assert.equal(counts.get('all'), 3);
  assert.equal(counts.get('seeding'), 2);
  assert.equal(counts.get('downloading'), 1);
  assert.deepEqual(trackerHosts(['udp://[::1]:6969/announce', 'udp://[::1]:6969/x', '']), ['::1'], 'each host once; IPv6 without brackets');
});
