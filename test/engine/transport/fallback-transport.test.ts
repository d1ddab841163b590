import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { makeFallbackTransport } from '../../../source/engine/transport/fallback-transport.js';
import type { Transport } from '../../../source/engine/transport/transport.js';

type Behaviour = 'open' | 'fail' | 'silent';

/** A transport whose dials to each port open, fail or never answer (after `afterMs`); notes each dial, cancel and stream. */
function fake(name: string, behaviour: Record<number, Behaviour>, log: string[], afterMs = 0) {
  const streams: PassThrough[] = [];
  const transport: Transport = {
    name,
    dial(host, port, timeoutMs, callbacks) {
      log.push(`${name}:${port}:${timeoutMs}`);
      const what = behaviour[port] ?? 'fail';
      let cancelled = false;
      const timer = setTimeout(() => {
        if (cancelled || what === 'silent') return;
        if (what === 'fail') return callbacks.failed();
        const stream = new PassThrough();
        streams.push(stream);
        callbacks.opened({ stream });
      }, afterMs);
      return {
        cancel() {
          cancelled = true;
          clearTimeout(timer);
          log.push(`${name}:${port}:cancelled`);
        },
      };
    },
  };
  return { transport, streams };
}

function dial(t: Transport, port: number): Promise<{ result: 'opened' | 'failed'; ms: number; calls: number }> {
  const started = performance.now();
  let calls = 0;
  return new Promise((resolve) => {
    const done = (result: 'opened' | 'failed') => {
      calls++;
      // Later calls (a second opened or failed) would be a bug: they are counted, on the next tick.
      setTimeout(() => resolve({ result, ms: performance.now() - started, calls }), 50);
    };
    t.dial('10.0.0.1', port, 10_000, { opened: () => done('opened'), failed: () => done('failed') });
  });
}

test('an address not known to speak uTP is dialled over TCP first; uTP is not dialled when TCP opens within the race delay', async () => {
  const log: string[] = [];
  const t = makeFallbackTransport(fake('utp', { 1: 'open' }, log).transport, fake('tcp', { 1: 'open' }, log).transport, {
    raceDelayMs: 200,
  });
  const { result, calls } = await dial(t, 1);
  assert.equal(result, 'opened');
  assert.equal(calls, 1);
  assert.deepEqual(log, ['tcp:1:10000']);
});

test('an address known to speak uTP (PEX flag 0x04) is dialled over uTP first, with its 3 s SYN timeout', async () => {
  const log: string[] = [];
  const t = makeFallbackTransport(fake('utp', { 1: 'open' }, log).transport, fake('tcp', { 1: 'open' }, log).transport, {
    raceDelayMs: 200,
  });
  t.learn?.('10.0.0.1', 1, true);
  assert.equal((await dial(t, 1)).result, 'opened');
  assert.deepEqual(log, ['utp:1:3000']);
});

test('uTP silent: TCP is dialled beside it after the race delay, wins, and uTP is cancelled (one connection)', async () => {
  const log: string[] = [];
  const t = makeFallbackTransport(fake('utp', { 1: 'silent' }, log).transport, fake('tcp', { 1: 'open' }, log).transport, {
    raceDelayMs: 100,
  });
  t.learn?.('10.0.0.1', 1, true);
  const { result, ms, calls } = await dial(t, 1);
  assert.equal(result, 'opened');
  assert.equal(calls, 1);
  assert.ok(ms < 1000, `opened after ${Math.round(ms)} ms`);
  assert.deepEqual(log, ['utp:1:3000', 'tcp:1:10000', 'utp:1:cancelled']);
});

test('uTP failing (a reset, a timeout) starts TCP at once, and the address is dialled over TCP only from then on', async () => {
  const log: string[] = [];
  const t = makeFallbackTransport(fake('utp', {}, log).transport, fake('tcp', { 2: 'open' }, log).transport, { raceDelayMs: 5000 });
  t.learn?.('10.0.0.1', 2, true);
  const first = await dial(t, 2);
  assert.equal(first.result, 'opened');
  assert.ok(first.ms < 2000, 'TCP did not wait for the race delay');
  assert.deepEqual(log, ['utp:2:3000', 'tcp:2:10000']);
  assert.equal(t.speaksUtp?.('10.0.0.1', 2), false);
  log.length = 0;
  assert.equal((await dial(t, 2)).result, 'opened');
  assert.deepEqual(log, ['tcp:2:10000']);
});

test('TCP refused: uTP at once; its success is remembered, so the next dial goes uTP first', async () => {
  const log: string[] = [];
  const t = makeFallbackTransport(fake('utp', { 3: 'open' }, log).transport, fake('tcp', {}, log).transport, { raceDelayMs: 5000 });
  const first = await dial(t, 3);
  assert.equal(first.result, 'opened');
  assert.ok(first.ms < 2000);
  assert.deepEqual(log, ['tcp:3:10000', 'utp:3:3000']);
  assert.equal(t.speaksUtp?.('10.0.0.1', 3), true);
  log.length = 0;
  await dial(t, 3);
  assert.deepEqual(log, ['utp:3:3000']);
});

test('both open at once: the first is the connection, the second stream is closed; both failing fails once', async () => {
  const log: string[] = [];
  const utp = fake('utp', { 1: 'open' }, log, 30);
  const tcp = fake('tcp', { 1: 'open' }, log, 30);
  const t = makeFallbackTransport(utp.transport, tcp.transport, { raceDelayMs: 0 });
  const { result, calls } = await dial(t, 1);
  assert.equal(result, 'opened');
  assert.equal(calls, 1);
  const streams = [...utp.streams, ...tcp.streams];
  assert.equal(streams.filter((s) => !s.destroyed).length, 1, 'one connection kept');
  const failed = await dial(t, 9);
  assert.deepEqual([failed.result, failed.calls], ['failed', 1]);
});

test('cancel during the race cancels both dials, and nothing is called back', async () => {
  const log: string[] = [];
  const t = makeFallbackTransport(fake('utp', {}, log).transport, fake('tcp', { 1: 'silent' }, log).transport, { raceDelayMs: 10 });
  let called = false;
  const dialing = t.dial('10.0.0.1', 1, 10_000, { opened: () => (called = true), failed: () => (called = true) });
  await new Promise((resolve) => setTimeout(resolve, 50));
  dialing.cancel();
  assert.equal(called, false);
  assert.ok(log.includes('tcp:1:cancelled'));
});

test('with one transport off, only the other is used (with the whole timeout)', async () => {
  const log: string[] = [];
  assert.equal((await dial(makeFallbackTransport(undefined, fake('tcp', { 1: 'open' }, log).transport), 1)).result, 'opened');
  assert.equal((await dial(makeFallbackTransport(fake('utp', {}, log).transport, undefined), 1)).result, 'failed');
  assert.deepEqual(log, ['tcp:1:10000', 'utp:1:10000']);
});
