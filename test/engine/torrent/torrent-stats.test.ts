import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Traffic } from '../../../source/engine/torrent/torrent-stats.js';

test('Traffic: rates over the last samples (at most 6), zero when stopped or with one sample', () => {
  const traffic = new Traffic();
  traffic.sample(0);
  assert.deepEqual(traffic.rates(true), { down: 0, up: 0 });
  for (let s = 1; s <= 10; s++) {
    traffic.downloaded += 1000;
    traffic.uploaded += 500 * s;
    traffic.sample(s * 1000);
  }
  // Samples 5..10 s are kept: 5 s of 1000 B/s down, up from 500*(6+...+10) B.
  assert.deepEqual(traffic.rates(true), { down: 1000, up: (500 * (6 + 7 + 8 + 9 + 10)) / 5 });
  assert.deepEqual(traffic.rates(false), { down: 0, up: 0 });
});

test('Traffic: a quiet window is emptied, so traffic after it measures from its own start', () => {
  const traffic = new Traffic();
  traffic.sample(0);
  traffic.downloaded = 100;
  traffic.sample(1000);
  assert.equal(traffic.settleIfQuiet(), false);
  traffic.sample(2000);
  traffic.sample(3000);
  assert.equal(traffic.settleIfQuiet(), false, 'the window still holds the change');
  for (let s = 4; s <= 10; s++) traffic.sample(s * 1000);
  assert.equal(traffic.settleIfQuiet(), true);
  traffic.downloaded += 500;
  traffic.sample(60_000);
  traffic.downloaded += 500;
  traffic.sample(61_000);
  assert.deepEqual(traffic.rates(true), { down: 500, up: 0 });
});
