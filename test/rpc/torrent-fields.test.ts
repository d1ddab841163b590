import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FLOOD_FIELDS } from '../helpers/flood-fields.js';
import {
  compileFields,
  eta,
  isFinished,
  percentDone,
  torrentObject,
  torrentRow,
  uploadRatio,
  TORRENT_FIELD_NAMES,
  type FieldContext,
} from '../../source/rpc/torrent-fields.js';
import { versionString, sessionArguments } from '../../source/rpc/session-fields.js';
import { FakeBackend, fakeParts, makeTorrent, T0 } from './fake-backend.js';

const ctx: FieldContext = { nowMs: T0, sessionSeedRatioLimit: 2, sessionSeedRatioLimited: false };
const fake = new FakeBackend();
const all = { files: true, peers: true, trackers: true, pieces: true };

function view(fields: string[], t = makeTorrent(1), c = ctx): Record<string, unknown> {
  const compiled = compileFields(fields);
  return torrentObject(t, compiled, c, compiled.parts ? fakeParts(t, all) : undefined);
}

test('status and error map to Transmission codes', () => {
  const codes = (['stopped', 'check-wait', 'check', 'download-wait', 'download', 'seed-wait', 'seed'] as const).map(
    (status) => view(['status'], makeTorrent(1, { status }))['status'],
  );
  assert.deepEqual(codes, [0, 1, 2, 3, 4, 5, 6]);
  const errors = (['none', 'tracker-warning', 'tracker-error', 'local'] as const).map(
    (error) => view(['error'], makeTorrent(1, { error }))['error'],
  );
  assert.deepEqual(errors, [0, 1, 2, 3]);
  assert.equal(view(['errorString'])['errorString'], '');
});

test('eta: seconds left when downloading, -1 when data is missing or not moving, -2 with no speed', () => {
  const t = makeTorrent(1, { status: 'download', leftUntilDone: 100_000, desiredAvailable: 100_000, rateDownload: 1000 });
  assert.equal(eta(t, ctx), 100);
  assert.equal(eta({ ...t, rateDownload: 0 }, ctx), -2);
  assert.equal(eta({ ...t, desiredAvailable: 10 }, ctx), -1, 'peers lack some of what is left');
  assert.equal(eta({ ...t, desiredAvailable: 10, webseeds: ['http://ws/'] }, ctx), 100, 'a web seed has everything');
  assert.equal(eta({ ...t, status: 'stopped' }, ctx), -1);
  assert.equal(eta({ ...t, status: 'download-wait' }, ctx), -1);
  const seed = makeTorrent(2, {
    status: 'seed',
    leftUntilDone: 0,
    downloadedEver: 1000,
    uploadedEver: 500,
    rateUpload: 100,
    seedRatioMode: 'single',
    seedRatioLimit: 2,
  });
  assert.equal(eta(seed, ctx), 15, '(2 * 1000 - 500) / 100');
  assert.equal(eta({ ...seed, seedRatioMode: 'unlimited' }, ctx), -1);
  assert.equal(eta({ ...seed, seedRatioMode: 'global' }, ctx), -1, 'the session has no ratio limit');
  assert.equal(eta({ ...seed, seedRatioMode: 'global' }, { ...ctx, sessionSeedRatioLimited: true }), 15);
  assert.equal(eta({ ...seed, rateUpload: 0 }, ctx), -2);
});

test('isFinished: a seed that reached its ratio or idle limit', () => {
  const seed = makeTorrent(2, {
    status: 'stopped',
    leftUntilDone: 0,
    downloadedEver: 1000,
    uploadedEver: 2000,
    seedRatioMode: 'single',
    seedRatioLimit: 2,
  });
  assert.equal(isFinished(seed, ctx), true);
  assert.equal(isFinished({ ...seed, uploadedEver: 1999 }, ctx), false);
  assert.equal(isFinished({ ...seed, leftUntilDone: 5 }, ctx), false, 'not a seed yet');
  assert.equal(isFinished({ ...seed, seedRatioMode: 'unlimited' }, ctx), false);
  assert.equal(isFinished({ ...seed, seedRatioMode: 'unlimited', finishedSeedingByIdle: true }, ctx), true);
});

test('uploadRatio and percentDone follow tr_getRatio', () => {
  const t = makeTorrent(1);
  assert.equal(uploadRatio({ ...t, uploadedEver: 500, downloadedEver: 1000 }), 0.5);
  assert.equal(
    uploadRatio({ ...t, uploadedEver: 500, downloadedEver: 0, haveValid: 250 }),
    2,
    'seeded from local data: over what was verified',
  );
  assert.equal(uploadRatio({ ...t, uploadedEver: 0, downloadedEver: 0, haveValid: 0 }), -1);
  assert.equal(uploadRatio({ ...t, uploadedEver: 10, downloadedEver: 0, haveValid: 0 }), -2);
  assert.equal(percentDone({ ...t, sizeWhenDone: 1000, leftUntilDone: 250 }), 0.75);
  assert.equal(percentDone({ ...t, sizeWhenDone: 0, leftUntilDone: 0 }), 0, 'a magnet without metadata');
});

test("dates are unix seconds, limits kB/s, and types are Transmission's", () => {
  const v = view(
    [
      'addedDate',
      'doneDate',
      'activityDate',
      'dateCreated',
      'downloadLimit',
      'uploadLimit',
      'seedRatioMode',
      'seedIdleMode',
      'peer-limit',
      'file-count',
      'fileCount',
      'labels',
      'primary-mime-type',
    ],
    makeTorrent(1, { doneDate: 0, labels: [] }),
  );
  assert.equal(v['addedDate'], Math.floor((T0 - 3_600_000) / 1000));
  assert.equal(v['doneDate'], 0, 'never done');
  assert.equal(v['downloadLimit'], 100);
  assert.equal(v['seedRatioMode'], 0);
  assert.equal(v['seedIdleMode'], 0);
  assert.equal(v['peer-limit'], 50);
  assert.equal(v['file-count'], 2);
  assert.equal(v['fileCount'], 2);
  assert.deepEqual(v['labels'], []);
  assert.equal(v['primary-mime-type'], 'application/octet-stream');
});

test('rates are whole bytes per second, as Transmission sends them (transmission-remote drops a torrent with a fractional rate)', () => {
  const v = view(['rateDownload', 'rateUpload'], makeTorrent(1, { rateDownload: 104878.57, rateUpload: 0.4 }));
  assert.equal(v['rateDownload'], 104879);
  assert.equal(v['rateUpload'], 0);
});

test('files, fileStats, priorities, wanted, pieces, peers and trackers', () => {
  const t = makeTorrent(1);
  const v = view(
    ['files', 'fileStats', 'priorities', 'wanted', 'pieces', 'pieceCount', 'peers', 'trackers', 'trackerStats', 'trackerList'],
    t,
  );
  assert.deepEqual(v['files'], [
    { bytesCompleted: t.totalSize - 1000 - t.leftUntilDone, length: t.totalSize - 1000, name: 'Torrent 1/a.mkv' },
    { bytesCompleted: 1000, length: 1000, name: 'Torrent 1/b.nfo' },
  ]);
  assert.deepEqual(v['fileStats'], [
    { bytesCompleted: t.totalSize - 1000 - t.leftUntilDone, priority: 1, wanted: true },
    { bytesCompleted: 1000, priority: 0, wanted: false },
  ]);
  assert.deepEqual(v['priorities'], [1, 0]);
  assert.deepEqual(v['wanted'], [1, 0], '0/1, not booleans, as Transmission 4.0');
  const bits = Buffer.from(v['pieces'] as string, 'base64');
  assert.equal(bits.length, Math.ceil(t.pieceCount / 8));
  assert.equal(bits[0], 0b1010_0000);
  const [peer] = v['peers'] as Record<string, unknown>[];
  assert.equal(peer!['isUTP'], false);
  assert.equal(peer!['flagStr'], 'uDE', 'peer interested, downloading from it, encrypted');
  assert.deepEqual(v['trackers'], [
    {
      announce: 'http://tracker.example.org:6969/announce',
      id: 0,
      scrape: 'http://tracker.example.org:6969/scrape',
      sitename: 'example',
      tier: 0,
    },
    { announce: 'udp://backup.example.net:1337/announce', id: 1, scrape: '', sitename: 'example', tier: 1 },
  ]);
  const [stats, backup] = v['trackerStats'] as Record<string, unknown>[];
  assert.equal(stats!['host'], 'http://tracker.example.org:6969');
  assert.equal(stats!['seederCount'], 5);
  assert.equal(stats!['lastAnnounceTime'], Math.floor((T0 - 60_000) / 1000));
  assert.equal(backup!['seederCount'], -1, 'unknown counts are -1');
  assert.equal(backup!['lastAnnounceResult'], '');
  assert.equal(v['trackerList'], 'http://tracker.example.org:6969/announce\n\nudp://backup.example.net:1337/announce');
});

test('compileFields skips unknown and repeated names and asks only for the parts needed', () => {
  const c = compileFields(['id', 'nonsense', 'name', 'id', 'toString', '__proto__']);
  assert.deepEqual(c.keys, ['id', 'name']);
  assert.equal(c.parts, undefined);
  assert.equal(c.needsSession, false);
  assert.deepEqual(compileFields(['wanted', 'trackerStats']).parts, { files: true, trackers: true });
  assert.equal(compileFields(['eta']).needsSession, true);
  assert.deepEqual(torrentRow(makeTorrent(3), c, ctx), [3, 'Torrent 3']);
});

test('every field computes on a bare magnet without throwing and without null', () => {
  const magnet = makeTorrent(9, {
    totalSize: 0,
    sizeWhenDone: 0,
    leftUntilDone: 0,
    haveValid: 0,
    downloadedEver: 0,
    uploadedEver: 0,
    metadataPercentComplete: 0.5,
    pieceCount: 0,
    fileCount: 0,
  });
  const v = view([...TORRENT_FIELD_NAMES], magnet);
  for (const [k, value] of Object.entries(v)) assert.notEqual(value, null, k);
  assert.equal(v['percentDone'], 0);
  assert.equal(v['isFinished'], false);
  assert.equal(v['uploadRatio'], -1);
});

test("the version string passes Sonarr's check and still names btui", () => {
  const v = versionString('0.1.0');
  // Sonarr's Transmission.ValidateVersion: the first number outside parentheses.
  const found = /(?<!\(|(\d|\.)+)(\d|\.)+(?!\)|(\d|\.)+)/.exec(v)?.[0];
  assert.equal(found, '4.0.6');
  const [major, minor] = found!.split('.').map(Number) as [number, number];
  assert.ok(major > 2 || (major === 2 && minor >= 40));
  assert.ok(major >= 4, 'labels need 4.0');
  assert.match(v, /btui 0\.1\.0/);
  const s = sessionArguments(fake.getSession(), 'abc');
  assert.equal(s['rpc-version'], 17);
  assert.equal(s['rpc-version-minimum'], 14);
  assert.equal(s['speed-limit-up'], 50, 'kB/s');
  assert.equal(s['session-id'], 'abc');
});

test("torrent-get work over 10,000 torrents with Flood's fields stays fast", () => {
  const torrents = Array.from({ length: 10_000 }, (_, i) => makeTorrent(i + 1));
  const flood = FLOOD_FIELDS;
  const compiled = compileFields(flood.filter((f) => f !== 'trackers'));
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const start = performance.now();
    const out = torrents.map((t) => torrentObject(t, compiled, ctx));
    JSON.stringify(out);
    best = Math.min(best, performance.now() - start);
  }
  // A guard against a per-torrent cost gone quadratic or a field recomputed per call (about 40 ms on a quiet
  // machine); the 150 ms target itself is measured by `npm run bench`, not here, where other tests share the cores.
  assert.ok(best < 500, `mapping and serialising took ${best.toFixed(1)} ms`);
});
