import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { formatBytes, formatCount } from '../../source/format/size.js';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/** The plain way (divide, then toFixed): what formatBytes must print for every size. */
function referenceBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return String(bytes);
  if (bytes < 1024) return `${bytes} B`;
  let unit = 0;
  let value = bytes;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${Number.isInteger(value) ? String(value) : value.toFixed(digits)} ${UNITS[unit]}`;
}

test('formatBytes: whole and rounded values, unit by unit', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1023), '1023 B');
  assert.equal(formatBytes(1024), '1 KiB');
  assert.equal(formatBytes(1536), '1.50 KiB');
  assert.equal(formatBytes(16 * 1024), '16 KiB');
  assert.equal(formatBytes(44.5 * 1024), '44.5 KiB');
  assert.equal(formatBytes(1024 * 1024 - 1), '1024 KiB');
  assert.equal(formatBytes(1.5 * 1024 ** 3), '1.50 GiB');
  assert.equal(formatBytes(1536.5), '1.50 KiB');
  assert.equal(formatBytes(-1), '-1');
  assert.equal(formatBytes(Number.NaN), 'NaN');
});

test('formatBytes equals divide-then-toFixed for any size, at every rounding boundary', () => {
  // Half-way points of 2 and 1 decimals and of whole units, where rounding decides the text.
  const boundary = fc
    .tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 100, max: 102_400 }), fc.integer({ min: -3, max: 3 }))
    .map(([unit, halves, nudge]) => Math.max(0, Math.round((halves * 1024 ** unit) / 2000) + nudge));
  const size = fc.oneof(
    fc.nat(1 << 24),
    fc.maxSafeNat(),
    fc.integer({ min: 0, max: 2 ** 45 }),
    boundary,
    fc.double({ min: 0, max: 2 ** 60 }),
  );
  fc.assert(
    fc.property(size, (bytes) => assert.equal(formatBytes(bytes), referenceBytes(bytes))),
    { numRuns: 20_000 },
  );
  for (let bytes = 0; bytes < 300_000; bytes++) assert.equal(formatBytes(bytes), referenceBytes(bytes));
});

test('formatCount groups thousands', () => {
  assert.equal(formatCount(0), '0');
  assert.equal(formatCount(1234567), '1,234,567');
  assert.equal(formatCount(-1000), '-1,000');
});
