/**
 * Promise: 1,000 torrents and 500 busy loopback connections for minutes: no leak (live memory and RSS flat
 * after warm-up) and the engine keeps answering. scripts/soak.ts does the work; CI runs it
 * for 90 s (npm run soak for the full two minutes or longer).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const SCRIPT = fileURLToPath(new URL('../../scripts/soak.ts', import.meta.url));
const DURATION_S = Number(process.env.BTUI_SOAK_SECONDS ?? (process.env.CI ? 90 : 30));

test(
  `load: 1,000 torrents and 500 connections for ${DURATION_S} s without a leak, the engine answering`,
  { timeout: (DURATION_S + 120) * 1000 },
  async (t) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, '--duration', String(DURATION_S)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    t.after(() => child.kill('SIGKILL'));
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const code = await new Promise((r) => child.once('close', r));
    assert.equal(code, 0, out);
    const s = JSON.parse(out.trim().split('\n').pop()!) as Record<string, number | string[]>;
    t.diagnostic(JSON.stringify(s));
    assert.equal(s.torrents, 1000);
    assert.ok((s.meanConnections as number) >= 450, `mean connections ${s.meanConnections}`);
    assert.ok((s.downloadsCompleted as number) > 500, 'the connections carried data');
    // No leak: what is still reachable after a full collection (the engine forces one every 3-5 s)
    // stays where it was after warm-up. Checked to fail: the engine keeping each closed peer went
    // from 97 MB to 109 MB (medians of the halves) in 30 s, and from 140 to 167 in 90 s, while
    // this soak stays at 85-86 MB.
    const liveEarly = s.liveMedianEarlyMb as number;
    assert.ok((s.liveSamples as number) >= 4, `live samples ${s.liveSamples}`);
    assert.ok(
      (s.liveMedianLateMb as number) <= liveEarly * 1.05 + 4,
      `live memory grew after warm-up: median ${liveEarly} MB, then ${s.liveMedianLateMb} MB`,
    );
    // Nor outside V8's heap: the later half's typical RSS is the earlier half's. Without the forced
    // collections RSS followed V8's heap growth: a CI run failed at 210 MB then 260 MB with no leak.
    const early = s.rssMedianEarlyMb as number;
    assert.ok(
      (s.rssMedianLateMb as number) <= early * 1.1 + 16,
      `RSS grew after warm-up: median ${early} MB, then ${s.rssMedianLateMb} MB`,
    );
    const warm = s.rssAfterWarmupMb as number;
    assert.ok((s.rssPeakAfterWarmupMb as number) <= warm * 1.5 + 24, `RSS peaked at ${s.rssPeakAfterWarmupMb} MB from ${warm} MB`);
    assert.ok((s.slowestAnswerMs as number) < 1000, `slowest answer ${s.slowestAnswerMs} ms`);
    assert.deepEqual(s.errors, []);
  },
);
