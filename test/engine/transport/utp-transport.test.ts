import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeUtpTransport } from '../../../source/engine/transport/utp-transport.js';

test('a uTP dial with no UDP socket (the session closing, the network down) fails cleanly, once, without throwing', async () => {
  const transport = makeUtpTransport(() => undefined);
  let failed = 0;
  let opened = 0;
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);
  process.on('uncaughtException', onUncaught);
  try {
    transport.dial('127.0.0.1', 6881, 1000, { failed: () => failed++, opened: () => opened++ });
    await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    process.off('uncaughtException', onUncaught);
  }
  assert.deepEqual(uncaught, []);
  assert.equal(failed, 1);
  assert.equal(opened, 0);
});
