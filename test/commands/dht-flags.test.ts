import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dhtOptionsFromFlags } from '../../source/commands/dht-flags.js';
import { DEFAULT_DHT_BOOTSTRAP } from '../../source/engine/discovery/dht.js';

function withEnv<T>(value: string | undefined, fn: () => T): T {
  const saved = process.env.BTUI_DHT_BOOTSTRAP;
  if (value === undefined) delete process.env.BTUI_DHT_BOOTSTRAP;
  else process.env.BTUI_DHT_BOOTSTRAP = value;
  try {
    return fn();
  } finally {
    if (saved === undefined) delete process.env.BTUI_DHT_BOOTSTRAP;
    else process.env.BTUI_DHT_BOOTSTRAP = saved;
  }
}

test('DHT bootstrap: --dht-bootstrap replaces the routers, $BTUI_DHT_BOOTSTRAP next, the public routers last; --no-dht is off', () => {
  assert.equal(
    withEnv(undefined, () => dhtOptionsFromFlags({ dht: false })),
    undefined,
  );
  assert.deepEqual(withEnv(undefined, () => dhtOptionsFromFlags({ dht: true }))?.bootstrap, DEFAULT_DHT_BOOTSTRAP);
  assert.deepEqual(DEFAULT_DHT_BOOTSTRAP, ['router.bittorrent.com:6881', 'dht.transmissionbt.com:6881', 'router.utorrent.com:6881']);
  assert.deepEqual(withEnv('', () => dhtOptionsFromFlags({ dht: true }))?.bootstrap, []);
  assert.deepEqual(withEnv('127.0.0.1:7000, 127.0.0.2:7001', () => dhtOptionsFromFlags({ dht: true }))?.bootstrap, [
    '127.0.0.1:7000',
    '127.0.0.2:7001',
  ]);
  assert.deepEqual(withEnv('', () => dhtOptionsFromFlags({ dht: true, dhtBootstrap: ['127.0.0.1:9', 'h:1,h:2'] }))?.bootstrap, [
    '127.0.0.1:9',
    'h:1',
    'h:2',
  ]);
  // An IPv6 node is for the IPv6 DHT (BEP 32).
  assert.deepEqual(withEnv('', () => dhtOptionsFromFlags({ dht: true, dhtBootstrap: ['[::1]:2'] }))?.bootstrap, ['[::1]:2']);
  assert.throws(() => dhtOptionsFromFlags({ dht: true, dhtBootstrap: ['[1.2.3.4]:2'] }), /not an IPv6 address/);
  assert.throws(() => dhtOptionsFromFlags({ dht: true, dhtBootstrap: ['nope'] }), /bad DHT node 'nope': expected HOST:PORT/);
});
