import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RateMeter } from '../../../source/engine/wire/rate-meter.js';

test('rate meter: steady rate over a sliding window', () => {
  const r = new RateMeter(5000);
  assert.equal(r.rate(1000), 0);
  const t0 = 1_000_000;
  // 100 KiB/s for 10 s, added every 50 ms.
  for (let t = t0; t < t0 + 10_000; t += 50) r.add(5120, t);
  const rate = r.rate(t0 + 10_000);
  assert.ok(Math.abs(rate - 102_400) < 102_400 * 0.05, `rate ${rate}`);
  assert.equal(r.total, 5120 * 200);
});

test('rate meter: a young meter is not underestimated, an idle one decays to zero', () => {
  const r = new RateMeter(5000);
  const t0 = 2_000_000;
  for (let t = t0; t < t0 + 1000; t += 100) r.add(10_000, t);
  const young = r.rate(t0 + 1000);
  assert.ok(young > 90_000 && young < 110_000, `young rate ${young}`);
  assert.equal(r.rate(t0 + 7000), 0);
  assert.equal(r.total, 100_000);
});

test('rate meter: rate halves when traffic stops for half a window', () => {
  const r = new RateMeter(4000);
  const t0 = 3_000_000;
  for (let t = t0; t < t0 + 8000; t += 10) r.add(100, t);
  const full = r.rate(t0 + 8000);
  const half = r.rate(t0 + 10_000);
  assert.ok(Math.abs(half / full - 0.5) < 0.08, `full ${full} half ${half}`);
});
