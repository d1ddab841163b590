import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { makeFallbackTransport } from '../../../source/engine/transport/fallback-transport.js';
import type { Transport } from '../../../source/engine/transport/transport.js';

/** A transport that opens for the ports in `open` and fails for the rest, noting each dial and its timeout. */
function fake(name: string, open: Set<number>, dials: string[]): Transport {
  return {
    name,
    dial(host, port, timeoutMs, callbacks) {
      dials.push(`${name}:${port}:${timeoutMs}`);
      queueMicrotask(() => (open.has(port) ? callbacks.opened({ stream: new PassThrough() }) : callbacks.failed()));
      return { cancel: () => undefined };
    },
  };
}

function dial(t: Transport, port: number): Promise<'opened' | 'failed'> {
  return new Promise((resolve) => t.dial('10.0.0.1', port, 10_000, { opened: () => resolve('opened'), failed: () => resolve('failed') }));
}

test('uTP first (3 s), TCP after it fails, and TCP only for that address from then on', async () => {
  const dials: string[] = [];
  const t = makeFallbackTransport(fake('utp', new Set([1]), dials), fake('tcp', new Set([1, 2]), dials));
  assert.equal(await dial(t, 1), 'opened');
  assert.deepEqual(dials, ['utp:1:3000']);
  dials.length = 0;
  assert.equal(await dial(t, 2), 'opened');
  assert.equal(dials[0], 'utp:2:3000');
  assert.match(dials[1]!, /^tcp:2:/);
  dials.length = 0;
  assert.equal(await dial(t, 2), 'opened');
  assert.deepEqual(dials, ['tcp:2:10000'], 'uTP is not tried again for an address that did not answer');
  dials.length = 0;
  assert.equal(await dial(t, 3), 'failed');
  assert.equal(dials.length, 2);
});

test('with one transport off, only the other is used (with the whole timeout)', async () => {
  const dials: string[] = [];
  assert.equal(await dial(makeFallbackTransport(undefined, fake('tcp', new Set([1]), dials)), 1), 'opened');
  assert.equal(await dial(makeFallbackTransport(fake('utp', new Set(), dials), undefined), 1), 'failed');
  assert.deepEqual(dials, ['tcp:1:10000', 'utp:1:10000']);
});
