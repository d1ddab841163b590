import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyServiceSettings, settingsPatch } from '../../source/host/service-settings.js';
import type { TorrentService } from '../../source/service/torrent-service.js';
import { defaultSettings, sanitize } from '../../source/settings.js';

test('a change of the service settings as the settings file keeps it: only what changed, goals as value and switch', () => {
  assert.deepEqual(settingsPatch({ maxActiveDownloads: 1 }), { maxActiveDownloads: 1 });
  assert.deepEqual(settingsPatch({ downloadDirectory: '/srv/dl' }), { downloadDirectory: '/srv/dl' });
  assert.deepEqual(settingsPatch({ limits: { download: 1024, upload: 0 } }), { downloadLimit: 1024, uploadLimit: 0 });
  assert.deepEqual(settingsPatch({ seedRatioLimit: 1.5 }), { seedRatioLimited: true, seedRatioLimit: 1.5 });
  // Off keeps the value for the next time the goal is switched on.
  assert.deepEqual(settingsPatch({ seedRatioLimit: null, seedIdleLimit: null }), { seedRatioLimited: false, seedIdleLimited: false });
  assert.deepEqual(settingsPatch({ seedIdleLimit: 45 }), { seedIdleLimited: true, seedIdleLimit: 45 });
});

test('seed goals in a hand-edited settings file: a fractional ratio kept, anything else the defaults', () => {
  const kept = sanitize({ seedRatioLimit: 1.25, seedRatioLimited: true, seedIdleLimit: 90, seedIdleLimited: true });
  assert.deepEqual([kept.seedRatioLimit, kept.seedRatioLimited, kept.seedIdleLimit, kept.seedIdleLimited], [1.25, true, 90, true]);
  const junk = sanitize({ seedRatioLimit: -1, seedRatioLimited: 'yes' as never, seedIdleLimit: Number.NaN, seedIdleLimited: 1 as never });
  assert.deepEqual([junk.seedRatioLimit, junk.seedRatioLimited, junk.seedIdleLimit, junk.seedIdleLimited], [2, false, 30, false]);
});

test("a settings change: the service's own fields go to the service, made valid as the file's; the rest is returned for the file", () => {
  const calls: string[] = [];
  const record =
    (name: string) =>
    (...args: unknown[]) =>
      void calls.push(`${name} ${JSON.stringify(args)}`);
  const service = {
    setGlobalLimits: record('limits'),
    setAltSpeed: record('alt'),
    setDownloadDirectory: record('directory'),
    setMaxActiveDownloads: record('queue'),
    setGlobalSeedGoals: record('goals'),
  } as unknown as TorrentService;
  const current = { ...defaultSettings(), seedRatioLimit: 1.5, seedRatioLimited: true };
  const rest = applyServiceSettings(
    service,
    {
      uploadLimit: 2048,
      altSpeedBegin: 60,
      downloadDirectory: '',
      refreshMs: 250,
      seedRatioLimited: false,
      seedIdleLimit: 45,
      encryption: 'require',
    },
    current,
  );
  assert.deepEqual(rest, { seedIdleLimit: 45, refreshMs: 250, encryption: 'require' }, "a goal's value stays in the file while it is off");
  assert.deepEqual(calls, [
    'limits [{"upload":2048}]',
    'alt [{"begin":60}]',
    `directory ${JSON.stringify([defaultSettings().downloadDirectory])}`,
    'goals [{"ratio":null}]',
    'goals [{"idleMinutes":null}]',
  ]);
  calls.length = 0;
  assert.deepEqual(applyServiceSettings(service, { seedIdleLimited: true, maxActiveDownloads: 3 }, current), {});
  assert.deepEqual(calls, ['queue [3]', 'goals [{"idleMinutes":30}]']);
});
