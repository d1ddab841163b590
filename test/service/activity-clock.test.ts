import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clockSeconds, newClock, noteState } from '../../source/service/activity-clock.js';

test('activity clock: downloading and seeding time add up across states and runs; other states do not count', () => {
  const clock = newClock({ downloading: 10, seeding: 5 });
  noteState(clock, 'checking', 0);
  noteState(clock, 'downloading', 1000);
  assert.deepEqual(clockSeconds(clock, 3500), { downloading: 12, seeding: 5 }, 'the open interval counts');
  noteState(clock, 'seeding', 4000);
  noteState(clock, 'paused', 10_000);
  assert.deepEqual(clockSeconds(clock, 99_000), { downloading: 13, seeding: 11 }, 'paused: nothing more');
  noteState(clock, 'seeding', 100_000);
  noteState(clock, 'removed', 102_000);
  assert.deepEqual(clockSeconds(clock, 200_000), { downloading: 13, seeding: 13 });
});
