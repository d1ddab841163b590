import { test } from 'node:test';
import assert from 'node:assert/strict';
import { settingsPatch } from '../../source/host/service-settings.js';
import { sanitize } from '../../source/settings.js';

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
