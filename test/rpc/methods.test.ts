import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dispatch, type MethodContext } from '../../source/rpc/dispatch.js';
import { serializeResponse } from '../../source/rpc/json-chunks.js';
import { parseIds, selectTorrents } from '../../source/rpc/ids.js';
import { parseSessionSet } from '../../source/rpc/session-fields.js';
import { parseTorrentChanges, parseTrackerList } from '../../source/rpc/methods/torrent-set.js';
import { addSource } from '../../source/rpc/methods/torrent-add.js';
import { FakeBackend, fakeParts, hashOf, makeTorrent, T0 } from './fake-backend.js';
import type { RpcTorrentParts } from '../../source/rpc/backend.js';

function setup(count = 3): {
  backend: FakeBackend;
  call: (method: string, args?: unknown, tag?: unknown) => Promise<{ result: string; arguments: Record<string, unknown>; tag?: number }>;
} {
  const backend = new FakeBackend(count);
  const ctx: MethodContext = { backend, sessionId: () => 'SID', now: () => T0 };
  return {
    backend,
    // Through the server's serialiser, as a client sees it (torrent-get answers JSON pieces).
    call: async (method, args, tag) =>
      JSON.parse(
        serializeResponse(
          await dispatch({ method, ...(args === undefined ? {} : { arguments: args }), ...(tag === undefined ? {} : { tag }) }, ctx),
        ).join(''),
      ),
  };
}

test('ids: integers, hashes, arrays of both, recently-active; wrong types refused', () => {
  const all = [1, 2, 3].map((i) => makeTorrent(i));
  const pick = (ids: unknown) => selectTorrents(all, parseIds(ids), T0).map((t) => t.id);
  assert.deepEqual(pick(undefined), [1, 2, 3]);
  assert.deepEqual(pick([]), [1, 2, 3]);
  assert.deepEqual(pick(2), [2]);
  assert.deepEqual(pick(hashOf(3)), [3]);
  assert.deepEqual(pick(hashOf(3).toUpperCase()), [3], 'hashes are case-insensitive');
  assert.deepEqual(pick([1, hashOf(3), 99]), [1, 3], 'unknown ids select nothing');
  assert.deepEqual(pick(Array.from({ length: 10 }, (_, i) => i)), [1, 2, 3]);
  assert.throws(() => parseIds(true), /ids/);
  assert.throws(() => parseIds([1, {}]), /ids/);
  assert.throws(() => parseIds(1.5), /ids/);
  const recent = selectTorrents(
    [
      makeTorrent(1, { activityDate: T0 - 10_000, rateDownload: 0 }),
      makeTorrent(2, { activityDate: T0 - 3_600_000, addedDate: 0, startDate: 0, rateDownload: 0, rateUpload: 0 }),
    ],
    parseIds('recently-active'),
    T0,
  );
  assert.deepEqual(
    recent.map((t) => t.id),
    [1],
  );
});

test('argument readers: wrong types are errors with the key named', () => {
  assert.throws(() => parseTorrentChanges({ seedRatioLimit: '2' }), /"seedRatioLimit" must be a number/);
  assert.throws(() => parseTorrentChanges({ labels: 'tv' }), /"labels" must be an array of strings/);
  assert.throws(() => parseTorrentChanges({ labels: ['a,b'] }), /commas/);
  assert.throws(() => parseTorrentChanges({ 'files-wanted': [1, -1] }), /"files-wanted"/);
  assert.throws(() => parseTorrentChanges({ seedRatioMode: 3 }), /"seedRatioMode" must be an integer from 0 to 2/);
  assert.throws(() => parseTorrentChanges({ downloadLimited: 'yes' }), /"downloadLimited" must be a boolean/);
  assert.throws(() => parseSessionSet({ 'speed-limit-down': 'fast' }), /"speed-limit-down"/);
  assert.throws(() => parseSessionSet({ encryption: 'always' }), /"encryption" must be one of/);
  assert.deepEqual(parseTorrentChanges({ downloadLimited: 1, uploadLimit: 25, 'files-unwanted': [], seedIdleMode: 1, unknownKey: 5 }), {
    downloadLimited: true,
    uploadLimit: 25_000,
    filesUnwanted: 'all',
    seedIdleMode: 'single',
  });
  assert.deepEqual(
    parseSessionSet({ 'speed-limit-down': 12, 'speed-limit-down-enabled': true, 'script-torrent-done-enabled': false, constructor: 1 }),
    {
      speedLimitDown: 12_000,
      speedLimitDownEnabled: true,
    },
  );
  assert.deepEqual(parseTrackerList('http://a/announce\nhttp://b/announce\n\n\nudp://c:1/announce\n'), [
    ['http://a/announce', 'http://b/announce'],
    ['udp://c:1/announce'],
  ]);
  assert.deepEqual(addSource({ filename: 'magnet:?xt=urn:btih:abc' }), { kind: 'magnet', uri: 'magnet:?xt=urn:btih:abc' });
  assert.deepEqual(addSource({ filename: 'https://x/y.torrent', cookies: 'a=b' }), {
    kind: 'url',
    url: 'https://x/y.torrent',
    cookies: 'a=b',
  });
  assert.deepEqual(addSource({ filename: '/srv/a.torrent' }), { kind: 'file', path: '/srv/a.torrent' });
  assert.throws(() => addSource({ metainfo: 'not base64!' }), /base64/);
  assert.throws(() => addSource({}), /no filename or metainfo specified/);
});

test('envelope errors: not an object, missing or unknown method, bad tag or arguments', async () => {
  const { call } = setup();
  const ctx: MethodContext = { backend: new FakeBackend(), sessionId: () => 'SID', now: () => T0 };
  assert.equal((await dispatch([1, 2], ctx)).result, 'request must be a JSON object');
  assert.equal((await dispatch({ tag: 5 }, ctx)).result, 'no method name');
  assert.deepEqual(await call('torrent-explode', {}, 7), { result: 'method name not recognized', arguments: {}, tag: 7 });
  assert.equal((await call('toString')).result, 'method name not recognized');
  assert.equal((await dispatch({ method: 7 }, ctx)).result, '"method" must be a string');
  assert.equal((await dispatch({ method: 'session-stats', arguments: [] }, ctx)).result, '"arguments" must be an object');
  assert.equal((await dispatch({ method: 'session-stats', tag: 'x' }, ctx)).result, '"tag" must be an integer');
});

test('torrent-get: objects, table, recently-active with removed ids, and fields required', async () => {
  const { backend, call } = setup();
  const objects = await call('torrent-get', { fields: ['id', 'name', 'status'], ids: [1, 3] }, 4);
  assert.equal(objects.result, 'success');
  assert.equal(objects.tag, 4);
  assert.deepEqual(objects.arguments, {
    torrents: [
      { id: 1, name: 'Torrent 1', status: 6 },
      { id: 3, name: 'Torrent 3', status: 3 },
    ],
  });
  const table = await call('torrent-get', { fields: ['id', 'name'], format: 'table' });
  assert.deepEqual(table.arguments['torrents'], [
    ['id', 'name'],
    [1, 'Torrent 1'],
    [2, 'Torrent 2'],
    [3, 'Torrent 3'],
  ]);
  assert.equal((await call('torrent-get', { ids: 1 })).result, 'no fields specified');
  assert.equal((await call('torrent-get', { fields: 'id' })).result, 'argument "fields" must be an array of strings');
  assert.match((await call('torrent-get', { fields: ['id'], format: 'csv' })).result, /"format" must be one of/);

  backend.torrents = backend.torrents.map((t) => ({
    ...t,
    activityDate: t.id === 2 ? T0 - 5_000 : T0 - 600_000,
    addedDate: 0,
    startDate: 0,
    rateDownload: 0,
    rateUpload: 0,
  }));
  backend.removed.push({ id: 9, at: T0 - 30_000 }, { id: 8, at: T0 - 600_000 });
  const recent = await call('torrent-get', { fields: ['id'], ids: 'recently-active' });
  assert.deepEqual(recent.arguments, { torrents: [{ id: 2 }], removed: [9] });
  assert.equal(backend.partsCalls, 0, 'no heavy parts asked for');
});

test('torrent-add: added, duplicate, paused/labels/download-dir passed, errors as result text', async () => {
  const { backend, call } = setup();
  const metainfo = Buffer.from('d4:infod4:name1:xee').toString('base64');
  const added = await call('torrent-add', { metainfo, paused: true, 'download-dir': '/tv', labels: ['tv'] });
  assert.equal(added.result, 'success');
  const view = added.arguments['torrent-added'] as Record<string, unknown>;
  assert.deepEqual(Object.keys(view).sort(), ['hashString', 'id', 'name']);
  const [request] = backend.callsOf('addTorrent')[0] as [Record<string, unknown>];
  assert.equal(request['paused'], true);
  assert.equal(request['downloadDir'], '/tv');
  assert.deepEqual(request['labels'], ['tv']);
  assert.equal(Buffer.from((request['source'] as { bytes: Uint8Array }).bytes).toString(), 'd4:infod4:name1:xee');
  const again = await call('torrent-add', { metainfo });
  assert.deepEqual(again.arguments['torrent-duplicate'], view);
  assert.equal(
    (await call('torrent-add', { metainfo: Buffer.from('garbage').toString('base64') })).result,
    'invalid or corrupt torrent file',
  );
  assert.equal((await call('torrent-add', { filename: 42 })).result, 'argument "filename" must be a string');
  assert.equal((await call('torrent-add', { metainfo, paused: 'no' })).result, 'argument "paused" must be a boolean');
});

test('torrent actions reach the backend with hashes; bad arguments reach nothing', async () => {
  const { backend, call } = setup();
  assert.equal((await call('torrent-stop', { ids: [1] })).result, 'success');
  assert.deepEqual(backend.callsOf('stopTorrents'), [[[hashOf(1)]]]);
  await call('torrent-start-now', { ids: hashOf(2) });
  assert.deepEqual(backend.callsOf('startTorrents'), [[[hashOf(2)], true]]);
  await call('torrent-start');
  assert.deepEqual(backend.callsOf('startTorrents')[1], [[hashOf(1), hashOf(2), hashOf(3)], false]);
  await call('torrent-verify', { ids: 3 });
  await call('torrent-reannounce', { ids: 3 });
  await call('queue-move-top', { ids: [3] });
  await call('queue-move-bottom', { ids: [1] });
  assert.deepEqual(backend.callsOf('moveInQueue'), [
    [[hashOf(3)], 'top'],
    [[hashOf(1)], 'bottom'],
  ]);
  await call('torrent-set-location', { ids: 1, location: '/new', move: true });
  assert.deepEqual(backend.callsOf('setLocation'), [[[hashOf(1)], '/new', true]]);
  assert.equal((await call('torrent-set-location', { ids: 1 })).result, 'no location');
  assert.equal(
    (
      await call('torrent-set', {
        ids: [2],
        seedRatioLimit: 1.5,
        seedRatioMode: 1,
        seedIdleLimit: 60,
        seedIdleMode: 1,
        labels: ['tv', 'hd'],
      })
    ).result,
    'success',
  );
  assert.deepEqual(backend.callsOf('setTorrents'), [
    [[hashOf(2)], { labels: ['tv', 'hd'], seedRatioLimit: 1.5, seedRatioMode: 'single', seedIdleLimit: 60, seedIdleMode: 'single' }],
  ]);
  assert.equal((await call('torrent-set', { ids: [2], seedIdleLimit: 'forever' })).result, 'argument "seedIdleLimit" must be an integer');
  assert.equal(backend.callsOf('setTorrents').length, 1);
  assert.equal(
    (await call('torrent-remove', { ids: [1], 'delete-local-data': 'yes' })).result,
    'argument "delete-local-data" must be a boolean',
  );
  assert.equal((await call('torrent-stop', { ids: { id: 1 } })).result.includes('"ids"'), true);
  await call('torrent-remove', { ids: [1], 'delete-local-data': true });
  assert.deepEqual(backend.callsOf('removeTorrents'), [[[hashOf(1)], true]]);
});

test('torrent-rename-path needs one torrent, a path and a single-component name; labels refuse commas', async () => {
  const { backend, call } = setup();
  assert.deepEqual(await call('torrent-rename-path', { ids: [2], path: 'Torrent 2/a.mkv', name: 'b.mkv' }), {
    arguments: { id: 2, name: 'b.mkv', path: 'Torrent 2/a.mkv' },
    result: 'success',
  });
  assert.deepEqual(backend.callsOf('renamePath'), [[hashOf(2), 'Torrent 2/a.mkv', 'b.mkv']]);
  assert.equal((await call('torrent-rename-path', { ids: [1, 2], path: 'x', name: 'y' })).result, 'torrent-rename-path requires 1 torrent');
  assert.equal(
    (await call('torrent-rename-path', { ids: [2], path: 'x', name: '../y' })).result,
    'argument "name" must be a single path component',
  );
  assert.equal((await call('torrent-rename-path', { ids: [2], path: 'x' })).result, 'torrent-rename-path needs "path" and "name"');
  assert.equal(backend.callsOf('renamePath').length, 1);
  assert.equal(
    (await call('torrent-add', { filename: 'magnet:?xt=urn:btih:' + 'a'.repeat(40), labels: ['a,b'] })).result,
    'labels may not contain commas',
  );
  await call('torrent-set', { ids: [1], labels: [' tv ', ''] });
  assert.deepEqual(backend.callsOf('setTorrents'), [[[hashOf(1)], { labels: ['tv'] }]]);
  assert.equal((await call('session-close')).result, 'session-close is not supported here');
});

test('session methods', async () => {
  const { backend, call } = setup();
  const all = await call('session-get');
  assert.equal(all.arguments['version'], '4.0.6 (btui 0.1.0)');
  assert.equal(all.arguments['session-id'], 'SID');
  const some = await call('session-get', { fields: ['version', 'rpc-version', 'nope'] });
  assert.deepEqual(some.arguments, { version: '4.0.6 (btui 0.1.0)', 'rpc-version': 17 });
  assert.equal((await call('session-set', { 'speed-limit-up': 80, 'alt-speed-enabled': true })).result, 'success');
  assert.deepEqual(backend.callsOf('setSession'), [[{ speedLimitUp: 80_000, altSpeedEnabled: true }]]);
  assert.equal((await call('session-get', { fields: ['speed-limit-up'] })).arguments['speed-limit-up'], 80);
  const stats = await call('session-stats');
  assert.equal(stats.arguments['torrentCount'], 3);
  assert.equal(stats.arguments['pausedTorrentCount'], 1);
  assert.equal(stats.arguments['activeTorrentCount'], 2);
  assert.equal((stats.arguments['cumulative-stats'] as Record<string, number>)['sessionCount'], 4);
  assert.deepEqual((await call('free-space', { path: '/data' })).arguments, {
    path: '/data',
    'size-bytes': 1_000_000,
    total_size: 5_000_000,
  });
  assert.equal((await call('free-space', { path: '/nope' })).result, 'no such directory: /nope');
  assert.deepEqual((await call('port-test')).arguments, { 'port-is-open': false });
  assert.equal((await call('blocklist-update')).result, 'blocklists are not supported by btui');
});

test("torrent-get reuses an unchanged torrent's JSON, and never a changed one's: a new snapshot, other fields, other session seed limits", async () => {
  const { backend, call } = setup(3);
  const fields = ['id', 'status', 'name', 'eta', 'isFinished', 'trackers'];
  const get = async (f = fields) => (await call('torrent-get', { fields: f })).arguments.torrents as Record<string, unknown>[];
  const first = await get();
  assert.deepEqual(await get(), first, 'the same answer again');
  await call('torrent-stop', { ids: [2] });
  const stopped = await get();
  assert.equal(stopped[1]!.status, 0, 'a changed torrent is serialised afresh');
  assert.deepEqual(stopped[0], first[0]);
  assert.deepEqual(Object.keys((await get(['id', 'name']))[0]!), ['id', 'name'], 'another field list');
  assert.deepEqual(Object.keys((await get())[0]!), fields);
  // eta and isFinished read the session's seed ratio: a new global limit shows at once.
  backend.torrents = backend.torrents.map((t) => ({
    ...t,
    status: 'seed',
    leftUntilDone: 0,
    downloadedEver: 100,
    uploadedEver: 150,
    seedRatioMode: 'global',
  }));
  await call('session-set', { seedRatioLimited: false });
  assert.equal((await get())[0]!.isFinished, false);
  await call('session-set', { seedRatioLimited: true, seedRatioLimit: 1 });
  assert.equal((await get())[0]!.isFinished, true, 'ratio 1.5 meets the new global limit of 1');
});

test('torrent-get of all torrents reuses the last answer only where nothing changed: a new snapshot, new parts, a removal, other session limits', async () => {
  const { backend, call } = setup(150);
  const parts = new Map<string, RpcTorrentParts>();
  backend.torrentParts = (hash) => {
    let p = parts.get(hash);
    if (!p) parts.set(hash, (p = fakeParts(backend.torrents.find((t) => t.hashString === hash)!, { trackers: true })));
    return p;
  };
  const fields = ['id', 'name', 'trackers', 'eta', 'isFinished'];
  const poll = async () => (await call('torrent-get', { fields })).arguments['torrents'];
  // With ids the answer is made afresh: what a reused one must equal.
  const fresh = async () => (await call('torrent-get', { fields, ids: backend.torrents.map((t) => t.id) })).arguments['torrents'];
  const same = async (why: string) => assert.deepEqual(await poll(), await fresh(), why);
  await same('first poll');
  await same('nothing changed');
  backend.torrents = backend.torrents.map((t) => (t.id === 70 ? { ...t, name: 'renamed' } : t));
  await same('a new snapshot');
  assert.equal(((await poll()) as { name: string }[])[69]!.name, 'renamed');
  const hash = backend.torrents[4]!.hashString;
  parts.set(hash, { trackers: [{ id: 0, announce: 'http://other.example:1/announce', scrape: '', tier: 0 }] });
  await same('new parts, the same snapshot');
  assert.equal(((await poll()) as { trackers: { announce: string }[] }[])[4]!.trackers[0]!.announce, 'http://other.example:1/announce');
  backend.torrents = backend.torrents.filter((t) => t.id !== 2);
  await same('one removed: every later batch shifts');
  backend.settings = { ...backend.settings, seedRatioLimited: !backend.settings.seedRatioLimited };
  await same('other session seed limits');
});
