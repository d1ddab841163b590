// The RPC client's failures, each one line a user can act on: against a real transmission-daemon
// with credentials, and against small servers that are not Transmission.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { RpcClient, RpcError } from '../../source/remote/rpc-client.js';
import { parseTarget } from '../../source/remote/targets.js';
import { needs, tempDir } from '../helpers/tools.js';
import { startTransmissionDaemon } from '../helpers/transmission-daemon.js';

async function serve(t: import('node:test').TestContext, handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function failure(client: RpcClient, method = 'session-get'): Promise<RpcError> {
  try {
    await client.call(method);
  } catch (error) {
    client.close();
    assert.ok(error instanceof RpcError, String(error));
    assert.doesNotMatch(error.message, /\n/);
    return error;
  } finally {
    client.close();
  }
  assert.fail('the call succeeded');
}

test('transmission-daemon with credentials: the 409 dance then success; a wrong password or none is one line', async (t) => {
  if (!needs(t, { commands: ['transmission-daemon'] })) return;
  const tr = await startTransmissionDaemon(t, { downloads: tempDir(t), auth: { username: 'alice', password: 's3cret' } });
  const good = new RpcClient({ url: tr.rpcUrl, username: 'alice', password: 's3cret' });
  const session = await good.call<{ version: string; 'rpc-version': number }>('session-get');
  good.close();
  assert.match(session.version, /^3\.00/);
  const wrong = await failure(new RpcClient({ url: tr.rpcUrl, username: 'alice', password: 'nope' }));
  assert.equal(wrong.kind, 'auth');
  assert.equal(wrong.message, 'wrong user name or password (401)');
  const none = await failure(new RpcClient({ url: tr.rpcUrl }));
  assert.match(none.message, /^needs a user name and password \(401\)/);
  // Credentials in the URL are taken out of it and sent as Basic auth.
  const target = parseTarget(`http://alice:s3cret@127.0.0.1:${tr.rpcPort}`);
  assert.ok(!('error' in target));
  assert.equal(target.url, tr.rpcUrl);
  const fromUrl = new RpcClient(target);
  assert.ok(((await fromUrl.call('session-get')) as { version: string }).version.startsWith('3.00'));
  fromUrl.close();
});

test('a server that is not Transmission, a missing path, a 409 loop, TLS to a plain server, nothing listening: one clear line each', async (t) => {
  const html = await serve(t, (_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end('<html>router login</html>');
  });
  const notFound = await serve(t, (_req, res) => {
    res.statusCode = 404;
    res.end('not found');
  });
  const loop = await serve(t, (_req, res) => {
    res.statusCode = 409;
    res.setHeader('X-Transmission-Session-Id', String(Math.random()));
    res.end();
  });
  const e1 = await failure(new RpcClient({ url: `http://${html}/transmission/rpc` }));
  assert.equal(e1.message, 'not a Transmission RPC server (the answer is not JSON)');
  const e2 = await failure(new RpcClient({ url: `http://${notFound}/transmission/rpc` }));
  assert.equal(e2.message, 'no Transmission RPC at /transmission/rpc (404)');
  const e3 = await failure(new RpcClient({ url: `http://${loop}/transmission/rpc` }));
  assert.equal(e3.message, 'the server refuses every session id it hands out (409 twice)');
  const e4 = await failure(new RpcClient({ url: `https://${html}/transmission/rpc` }));
  assert.equal(e4.kind, 'tls');
  assert.equal(e4.message, 'TLS: the server does not speak TLS (try http://)');
  const closed = await serve(t, () => undefined);
  const closedPort = Number(closed.split(':')[1]);
  // A port nothing listens on: the server above closes after the test; use one that is closed now.
  const dead = http.createServer();
  await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
  const deadPort = (dead.address() as AddressInfo).port;
  await new Promise((resolve) => dead.close(resolve));
  const e5 = await failure(new RpcClient({ url: `http://127.0.0.1:${deadPort}/transmission/rpc` }));
  assert.equal(e5.message, 'connection refused (is the daemon running?)');
  const e6 = await failure(new RpcClient({ url: `http://127.0.0.1:${closedPort}/transmission/rpc`, timeoutMs: 300 }));
  assert.equal(e6.message, 'no answer in 300 ms');
});

test('https with a self-signed certificate: one line saying so and how to trust it', async (t) => {
  if (!needs(t, { commands: ['openssl'] })) return;
  const dir = tempDir(t);
  const made = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, 'k.pem'),
      '-out',
      join(dir, 'c.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
    ],
    { encoding: 'utf8' },
  );
  assert.equal(made.status, 0, made.stderr);
  const server = https.createServer({ key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) }, (_req, res) =>
    res.end('{}'),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  const port = (server.address() as AddressInfo).port;
  const error = await failure(new RpcClient({ url: `https://127.0.0.1:${port}/transmission/rpc` }));
  assert.equal(error.message, 'TLS: the certificate is self-signed and not trusted (NODE_EXTRA_CA_CERTS=FILE.pem trusts it)');
});

test('--connect URLs: the default path, credentials from the environment per host, names made unique', () => {
  const a = parseTarget('seedbox.example:9091', { BTUI_RPC_PASSWORD_SEEDBOX_EXAMPLE_9091: 'pw', BTUI_RPC_USER: 'me' });
  assert.deepEqual(a, {
    name: 'seedbox.example:9091',
    url: 'http://seedbox.example:9091/transmission/rpc',
    username: 'me',
    password: 'pw',
  });
  const b = parseTarget({ url: 'https://box.example/custom/rpc', name: 'box', username: 'u' }, { BTUI_RPC_PASSWORD: 'general' });
  assert.deepEqual(b, { name: 'box', url: 'https://box.example/custom/rpc', username: 'u', password: 'general' });
  assert.deepEqual(parseTarget('ftp://x'), { error: '--connect ftp://x: only http:// and https:// are supported' });
  assert.ok('error' in parseTarget('http://[bad'));
});
