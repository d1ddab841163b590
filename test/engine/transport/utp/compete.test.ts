/**
 * uTP yields to TCP on a rate-limited link: scripts/bench/utp-compete.ts's experiment (three
 * network namespaces, the bottleneck a router's tbf at 8 Mbit/s with a 400 ms queue) run once
 * with a CUBIC flow beside a uTP one. About 30 s, so only under CI=true, and root only (CI runs
 * as root; skipped elsewhere).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { compete } from '../../../../scripts/bench/utp-compete.js';

const LINK_BYTES_PER_S = 1_000_000; // 8 Mbit/s

test('a uTP bulk flow yields most of an 8 Mbit/s link to a CUBIC TCP flow', { timeout: 90_000 }, async (t) => {
  if (!process.env.CI || process.getuid?.() !== 0) {
    t.skip('CI=true and root only (network namespaces, about 30 s)');
    return;
  }
  const r = await compete({
    cc: 'cubic',
    flows: 'both',
    topology: 'router',
    seconds: 24,
    tcpAt: 6,
    prefix: `btui-utpc-${process.pid}-${randomBytes(2).toString('hex')}-`,
  });
  const kb = (x = 0) => `${Math.round(x / 1000)} KB/s`;
  const summary = `uTP alone ${kb(r.utpAlone)}; last 6 s: uTP ${kb(r.utpLate)}, TCP ${kb(r.tcpLate)}`;
  t.diagnostic(summary);
  assert.ok(r.utpAlone! > 0.5 * LINK_BYTES_PER_S, `uTP alone should fill most of the link: ${summary}`);
  assert.ok(r.tcpLate! >= 0.6 * LINK_BYTES_PER_S, `TCP should get most of the link: ${summary}`);
  assert.ok(r.utpLate! <= 0.2 * LINK_BYTES_PER_S, `uTP should have backed off: ${summary}`);
});
