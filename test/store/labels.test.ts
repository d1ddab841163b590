import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  parseIdleGoal,
  parseLabels,
  parseRateLimit,
  parseRatioGoal,
  rateLimitText,
  minutesText,
} from '../../source/store/torrent-input.js';
import { allViews, labelView, viewCounts, visibleRows } from '../../source/store/view.js';
import { openService } from '../helpers/service.js';
import { randomTorrent, waitForDone, writeTorrentFiles } from '../helpers/swarm.js';
import { tempDir } from '../helpers/tools.js';

const rowsOf = (s: ReturnType<typeof openService>) => {
  s.store.refresh();
  return s.store.getSnapshot().torrents;
};
const logOf = (s: ReturnType<typeof openService>) => {
  s.store.refresh();
  return s.store.getSnapshot().log.map((e) => e.text);
};

test('labels, seed goals and limits set through the controller show in the rows and the label views, and survive a restart', async (t) => {
  const dir = tempDir(t);
  const first = openService(dir, { t });
  const a = await first.service.addMetainfo(randomTorrent({ name: 'alpha', sizes: [1000] }).meta, { paused: true });
  const b = await first.service.addMetainfo(randomTorrent({ name: 'beta', sizes: [1000] }).meta, { paused: true });
  await first.controller.setLabels(a, parseLabels('linux, iso'));
  await first.controller.setLabels(b, parseLabels('linux'));
  await first.controller.setSeedGoals(a, { seedRatioMode: 'single', seedRatioLimit: 1.5 });
  await first.controller.setSeedGoals(a, { seedIdleMode: 'unlimited' });
  await first.controller.setTorrentLimits(a, { download: 512 * 1024 });
  let rows = rowsOf(first);
  assert.deepEqual(
    rows.map((r) => [r.name, r.labels]),
    [
      ['alpha', ['linux', 'iso']],
      ['beta', ['linux']],
    ],
  );
  assert.deepEqual(allViews(rows).slice(-2), ['label:iso', 'label:linux']);
  assert.equal(viewCounts(rows).get(labelView('linux')), 2);
  assert.deepEqual(
    visibleRows(rows, { view: labelView('iso'), filter: '', sort: 'added', descending: false }).map((r) => r.name),
    ['alpha'],
  );
  assert.ok(logOf(first).includes('labels of alpha: linux, iso'));
  assert.ok(logOf(first).includes('seed goals of alpha: ratio 1.5, idle unlimited'));
  assert.ok(logOf(first).includes('limits of alpha: ↓ 512 KiB/s  ↑ unlimited'));
  // An unchanged row stays the same object (labels are compared by content).
  const before = rows[0];
  first.store.refresh();
  assert.equal(first.store.getSnapshot().torrents[0], before);

  // Clearing: an empty prompt.
  await first.controller.setLabels(b, parseLabels(''));
  assert.deepEqual(rowsOf(first)[1]!.labels, []);
  // Acknowledged means saved: no explicit save before closing.
  await first.close();

  const second = openService(dir, { t });
  assert.equal(await second.service.restore(), 2);
  rows = rowsOf(second);
  const alpha = rows.find((r) => r.name === 'alpha')!;
  assert.deepEqual(alpha.labels, ['linux', 'iso']);
  assert.equal(alpha.seedRatioMode, 'single');
  assert.equal(alpha.seedRatioLimit, 1.5);
  assert.equal(alpha.seedIdleMode, 'unlimited');
  assert.equal(alpha.downloadLimit, 512 * 1024);
  assert.deepEqual(rows.find((r) => r.name === 'beta')!.labels, []);
  assert.deepEqual(allViews(rows).slice(-2), ['label:iso', 'label:linux']);
});

test('move through the controller: the data goes, the row follows; a failure is one line and the old copy stays', async (t) => {
  const dir = tempDir(t);
  const { meta, data } = randomTorrent({ name: 'moving', sizes: [50_000, 7_000] });
  writeTorrentFiles(join(dir, 'dl'), meta, data);
  const s = openService(dir, { t });
  const hash = await s.service.addMetainfo(meta, { directory: join(dir, 'dl') });
  await waitForDone(s.session.get(hash)!, 10_000);

  assert.equal(await s.controller.move(hash, join(dir, 'archive')), true);
  assert.ok(existsSync(join(dir, 'archive', 'moving')));
  assert.ok(!existsSync(join(dir, 'dl', 'moving')));
  assert.equal(rowsOf(s)[0]!.directory, join(dir, 'archive'));
  assert.ok(logOf(s).includes(`moving moving to ${join(dir, 'archive')}…`));
  assert.ok(logOf(s).some((l) => l.startsWith(`moved moving to ${join(dir, 'archive')}`)));

  // A file where the directory should be: refused, nothing lost.
  writeFileSync(join(dir, 'blocked'), 'a file');
  const logged = logOf(s).length;
  assert.equal(await s.controller.move(hash, join(dir, 'blocked')), false);
  rowsOf(s);
  const lines = logOf(s).slice(logged);
  assert.equal(lines.length, 2, lines.join('\n'));
  assert.match(lines[1]!, /^cannot move moving to .*blocked: .*; it stays where it was$/);
  assert.ok(existsSync(join(dir, 'archive', 'moving')), 'the old copy is whole');
  assert.equal(rowsOf(s)[0]!.directory, join(dir, 'archive'));

  // The same directory: nothing to do, said so.
  await s.controller.move(hash, join(dir, 'archive'));
  assert.equal(logOf(s).at(-1), `moving is already in ${join(dir, 'archive')}`);
});

test('what the prompts accept: ratios, times, KiB/s limits with units; refusals say why', () => {
  assert.deepEqual(parseLabels(' a , b,,a '), ['a', 'b']);
  assert.deepEqual(parseRatioGoal('1.5'), { value: { seedRatioMode: 'single', seedRatioLimit: 1.5 } });
  assert.deepEqual(parseRatioGoal('2'), { value: { seedRatioMode: 'single', seedRatioLimit: 2 } });
  assert.deepEqual(parseRatioGoal(''), { value: { seedRatioMode: 'global' } });
  assert.deepEqual(parseRatioGoal('Unlimited'), { value: { seedRatioMode: 'unlimited' } });
  assert.match((parseRatioGoal('-1') as { error: string }).error, /is not a ratio/);
  assert.match((parseRatioGoal('0') as { error: string }).error, /would stop seeding at once/);
  assert.deepEqual(parseIdleGoal('90m'), { value: { seedIdleMode: 'single', seedIdleLimit: 90 } });
  assert.deepEqual(parseIdleGoal('2h'), { value: { seedIdleMode: 'single', seedIdleLimit: 120 } });
  assert.deepEqual(parseIdleGoal('1h 30m'), { value: { seedIdleMode: 'single', seedIdleLimit: 90 } });
  assert.deepEqual(parseIdleGoal('1d'), { value: { seedIdleMode: 'single', seedIdleLimit: 1440 } });
  assert.deepEqual(parseIdleGoal('45'), { value: { seedIdleMode: 'single', seedIdleLimit: 45 } });
  assert.deepEqual(parseIdleGoal('1.5h'), { value: { seedIdleMode: 'single', seedIdleLimit: 90 } });
  assert.match((parseIdleGoal('30s') as { error: string }).error, /is not a time/);
  assert.match((parseIdleGoal('0.5m') as { error: string }).error, /whole number of minutes/);
  assert.deepEqual(parseRateLimit('512', 'download'), { value: 512 * 1024 });
  assert.deepEqual(parseRateLimit('1M', 'download'), { value: 1024 * 1024 });
  assert.deepEqual(parseRateLimit('1.5 MiB/s', 'upload'), { value: 1.5 * 1024 * 1024 });
  assert.deepEqual(parseRateLimit('256k', 'upload'), { value: 256 * 1024 });
  assert.deepEqual(parseRateLimit('unlimited', 'upload'), { value: 0 });
  assert.deepEqual(parseRateLimit('0', 'upload'), { value: 0 });
  assert.match((parseRateLimit('fast', 'upload') as { error: string }).error, /^upload limit: 'fast' is not a rate/);
  // Prompts open with what they take back.
  for (const bytes of [0, 512 * 1024, 3 * 1024 * 1024, 1536])
    assert.deepEqual(parseRateLimit(rateLimitText(bytes), 'download'), { value: bytes });
  for (const minutes of [1, 59, 60, 90, 1440, 1500])
    assert.deepEqual(parseIdleGoal(minutesText(minutes)), { value: { seedIdleMode: 'single', seedIdleLimit: minutes } });
});

test('the controller sets the global seed goals: in the snapshot the settings screen reads, a log line, and on a magnet the add explains', async (t) => {
  const s = openService(tempDir(t), { t });
  await s.controller.setGlobalSeedGoals({ ratio: 1.5, idleMinutes: 90 });
  s.store.refresh();
  assert.equal(s.store.getSnapshot().global.seedRatioLimit, 1.5);
  assert.equal(s.store.getSnapshot().global.seedIdleLimit, 90);
  assert.ok(logOf(s).includes('global seed goals: ratio 1.5, idle 1h30m'));
  await s.controller.setGlobalSeedGoals({ ratio: null });
  s.store.refresh();
  assert.equal(s.store.getSnapshot().global.seedRatioLimit, undefined);
  assert.deepEqual(await s.controller.add('magnet:?dn=foo'), {
    error: 'cannot add magnet:?dn=foo: magnet has no info-hash (xt=urn:btih:... or xt=urn:btmh:...)',
  });
  assert.match(JSON.stringify(await s.controller.add(tempDir(t))), /"error":"cannot add .*: is a directory, not a file"/);
});
