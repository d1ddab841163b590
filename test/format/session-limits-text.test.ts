// The daemon's start-up line about speed limits: a limit or turtle mode left on in the settings is named.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sessionLimitsText } from '../../source/format/session-limits-text.js';
import { DEFAULT_ALT_SPEED } from '../../source/service/alt-speed.js';

test('limits summary: none, the usual limits, turtle mode on and its schedule', () => {
  assert.equal(sessionLimitsText({ download: 0, upload: 0 }, DEFAULT_ALT_SPEED), 'no speed limits');
  assert.equal(sessionLimitsText({ download: 1024 * 1024, upload: 0 }, DEFAULT_ALT_SPEED), 'speed limits down 1 MiB/s, up unlimited');
  assert.equal(
    sessionLimitsText({ download: 0, upload: 0 }, { ...DEFAULT_ALT_SPEED, enabled: true, download: 100_000 }),
    'no speed limits; turtle mode ON: down 97.7 KiB/s, up 50 KiB/s',
  );
  assert.equal(
    sessionLimitsText({ download: 0, upload: 0 }, { ...DEFAULT_ALT_SPEED, scheduled: true, begin: 22 * 60, end: 6 * 60 + 30 }),
    'no speed limits; turtle schedule 22:00-06:30',
  );
});
