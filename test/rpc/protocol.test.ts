// The RPC's HTTP behaviour over real sockets on 127.0.0.1, against the fake backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { basic, rpc, send, startServer } from './http-client.js';
import { FakeBackend, T0 } from './fake-backend.js';
import { checkRpcExposure, parseBasic } from '../../source/rpc/auth.js';
import { isAllowedHost } from '../../source/rpc/host-check.js';

test('409 without the session id, on GET and on POST, with the id in a header; the id then works', async (t) => {
  const { server, port } = await startServer();
  t.after(() => server.close());
  const get = await send(port, { method: 'GET' });
  assert.equal(get.status, 409);
  const sid = get.headers['x-transmission-session-id'];
  assert.equal(typeof sid, 'string');
  assert.match(sid as string, /^[A-Za-z0-9]{48}$/);
  assert.match(get.text, /409: Conflict/);
  assert.ok(get.text.includes(sid as string), "the page shows the id, as transmission-daemon's");

  const post = await send(port, { body: '{"method":"session-get"}' });
  assert.equal(post.status, 409);
  assert.equal(post.headers['x-transmission-session-id'], sid);
  const wrong = await send(port, { body: '{"method":"session-get"}', headers: { 'X-Transmission-Session-Id': 'nope' } });
  assert.equal(wrong.status, 409);

  const ok = await send(port, {
    body: '{"method":"session-get","arguments":{"fields":["session-id"]},"tag":12}',
    headers: { 'X-Transmission-Session-Id': sid as string },
  });
  assert.equal(ok.status, 200);
  assert.match(ok.headers['content-type'] as string, /^application\/json/);
  assert.deepEqual(JSON.parse(ok.text), { arguments: { 'session-id': sid }, result: 'success', tag: 12 });

  // transmission-remote posts to /transmission/rpc/ (trailing slash); GET ?method= works as in 3.00.
  const slash = await send(port, {
    path: '/transmission/rpc/',
    body: '{"method":"port-test"}',
    headers: { 'X-Transmission-Session-Id': sid as string },
  });
  assert.deepEqual(JSON.parse(slash.text), { arguments: { 'port-is-open': false }, result: 'success' });
  const viaGet = await send(port, {
    method: 'GET',
    path: '/transmission/rpc?method=session-stats&tag=3',
    headers: { 'X-Transmission-Session-Id': sid as string },
  });
  assert.equal(JSON.parse(viaGet.text).tag, 3);
  assert.equal(JSON.parse(viaGet.text).arguments.torrentCount, 3);
  assert.equal((await send(port, { path: '/transmission/web/' })).status, 404);
  assert.equal((await send(port, { method: 'PUT', headers: { 'X-Transmission-Session-Id': sid as string } })).status, 405);
});

test('the session id is renewed after its lifetime; the old one then gets 409', async (t) => {
  let now = T0;
  const { server, port } = await startServer({ now: () => now, sessionIdLifetimeMs: 60_000 });
  t.after(() => server.close());
  const old = (await send(port, { method: 'GET' })).headers['x-transmission-session-id'] as string;
  now += 61_000;
  const reply = await send(port, { body: '{"method":"port-test"}', headers: { 'X-Transmission-Session-Id': old } });
  assert.equal(reply.status, 409);
  assert.notEqual(reply.headers['x-transmission-session-id'], old);
});

test('Basic auth: right credentials pass, wrong and missing get 401 with the realm', async (t) => {
  const { server, port } = await startServer({ auth: { username: 'sonarr', password: 's3cret:with:colons' } });
  t.after(() => server.close());
  const right = basic('sonarr', 's3cret:with:colons');
  const answer = await rpc(port, { method: 'session-get', arguments: { fields: ['rpc-version'] } }, { Authorization: right });
  assert.deepEqual(answer, { arguments: { 'rpc-version': 17 }, result: 'success' });
  for (const header of [basic('sonarr', 'wrong'), basic('radarr', 's3cret:with:colons'), 'Bearer abc', 'Basic !!!', undefined]) {
    const reply = await send(port, { method: 'GET', headers: header === undefined ? {} : { Authorization: header } });
    assert.equal(reply.status, 401, String(header));
    assert.equal(reply.headers['www-authenticate'], 'Basic realm="Transmission"');
    assert.equal(reply.headers['x-transmission-session-id'], undefined, 'no session id before auth');
  }
  // With auth, any Host is fine (the password is what protects it).
  const foreign = await send(port, { method: 'GET', headers: { Authorization: right, Host: 'seedbox.example.com:9091' } });
  assert.equal(foreign.status, 409);
  assert.equal(parseBasic(basic('a', 'b:c')), 'a:b:c');
  assert.equal(parseBasic('Basic ' + Buffer.from('nocolon').toString('base64')), undefined);
});

test('421 for a Host that is not an IP literal or localhost, when there is no auth', async (t) => {
  const { server, port } = await startServer({ hostWhitelist: ['btui.lan'] });
  t.after(() => server.close());
  const evil = await send(port, { method: 'GET', headers: { Host: 'evil.example.com' } });
  assert.equal(evil.status, 421);
  assert.match(evil.text, /421: Misdirected Request/);
  assert.equal(evil.headers['x-transmission-session-id'], undefined, 'a rebinding page learns no session id');
  assert.equal((await send(port, { body: '{}', headers: { Host: 'evil.example.com:9091' } })).status, 421);
  for (const host of ['localhost', 'localhost:9091', 'LOCALHOST.', '127.0.0.1:9091', '[::1]:9091', '192.168.1.20', 'btui.lan:9091']) {
    assert.equal((await send(port, { method: 'GET', headers: { Host: host } })).status, 409, host);
  }
  assert.equal(isAllowedHost('localhost.evil.com'), false);
  assert.equal(isAllowedHost('127.0.0.1.nip.io'), false);
  assert.equal(isAllowedHost('[::1'), false);
});

test('checkRpcExposure refuses non-loopback binds without credentials and names --rpc-auth', () => {
  assert.equal(checkRpcExposure('127.0.0.1', undefined), undefined);
  assert.equal(checkRpcExposure('::1', undefined), undefined);
  assert.equal(checkRpcExposure('localhost', undefined), undefined);
  for (const bind of ['0.0.0.0', '::', '192.168.1.2', 'myhost']) assert.match(checkRpcExposure(bind, undefined) ?? '', /--rpc-auth/, bind);
  assert.match(checkRpcExposure('0.0.0.0', { username: 'a', password: '' }) ?? '', /--rpc-auth/);
  assert.equal(checkRpcExposure('0.0.0.0', { username: 'a', password: 'b' }), undefined);
});

test('createRpcServer will not listen beyond loopback without credentials', async () => {
  const { createRpcServer } = await import('../../source/rpc/server.js');
  const server = createRpcServer({ backend: new FakeBackend(), host: '0.0.0.0', port: 0 });
  await assert.rejects(server.listen(), /--rpc-auth/);
  await server.close();
});

test('bad JSON, wrong argument types and unknown methods answer with a result string', async (t) => {
  const { server, port, backend } = await startServer();
  t.after(() => server.close());
  const sid = (await send(port, { method: 'GET' })).headers['x-transmission-session-id'] as string;
  const post = async (body: string) => {
    const reply = await send(port, { body, headers: { 'X-Transmission-Session-Id': sid } });
    assert.equal(reply.status, 200);
    return JSON.parse(reply.text) as { result: string; tag?: number };
  };
  assert.match((await post('{"method": "session-get",')).result, /^request body is not valid JSON: /);
  assert.match((await post('')).result, /body is empty/);
  assert.equal((await post('"session-get"')).result, 'request must be a JSON object');
  assert.deepEqual(await post('{"method":"torrent-frobnicate","tag":99}'), {
    arguments: {},
    result: 'method name not recognized',
    tag: 99,
  });
  assert.equal(
    (await post('{"method":"torrent-set","arguments":{"ids":[1],"seedRatioLimit":"high"}}')).result,
    'argument "seedRatioLimit" must be a number',
  );
  assert.equal(
    (await post('{"method":"torrent-get","arguments":{"fields":["id"],"ids":[null]}}')).result,
    'argument "ids" must hold integers or hash strings',
  );
  assert.equal(backend.callsOf('setTorrents').length, 0);
  // The server is still answering.
  assert.equal((await rpc(port, { method: 'session-stats' })).result, 'success');
});

test('recently-active over HTTP: touched torrents and the ids removed in the last minute', async (t) => {
  const { server, port, backend } = await startServer({ now: () => T0 });
  t.after(() => server.close());
  backend.torrents = backend.torrents.map((x) => ({
    ...x,
    addedDate: 0,
    startDate: 0,
    rateDownload: 0,
    rateUpload: 0,
    activityDate: x.id === 3 ? T0 - 1000 : T0 - 3_600_000,
  }));
  await rpc(port, { method: 'torrent-remove', arguments: { ids: [1] } });
  const reply = await rpc(port, { method: 'torrent-get', arguments: { ids: 'recently-active', fields: ['id', 'status'] } });
  assert.deepEqual(reply.arguments, { torrents: [{ id: 3, status: 3 }], removed: [1] });
});

function rawSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
}

/** Resolves with what the server sent and when the socket closed. */
function collect(socket: Socket): Promise<{ text: string; closedAt: number }> {
  return new Promise((resolve) => {
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.on('error', () => {});
    socket.on('close', () => resolve({ text, closedAt: Date.now() }));
  });
}

test('a body declared at 300 MB gets 413 at once and the socket is closed, without reading it', { timeout: 10_000 }, async (t) => {
  const { server, port, backend } = await startServer();
  t.after(() => server.close());
  const sid = (await send(port, { method: 'GET' })).headers['x-transmission-session-id'] as string;
  const socket = await rawSocket(port);
  const done = collect(socket);
  socket.write(
    `POST /transmission/rpc HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Transmission-Session-Id: ${sid}\r\nContent-Length: ${300 * 1024 * 1024}\r\n\r\n`,
  );
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  let sent = 0;
  const started = Date.now();
  // Stream up to 8 MB while the server is answering; stop as soon as the socket closes.
  while (sent < 8 * 1024 * 1024 && !socket.destroyed && socket.writable) {
    if (!socket.write(chunk)) await new Promise((r) => setTimeout(r, 5));
    sent += chunk.length;
  }
  const { text, closedAt } = await done;
  assert.match(text, /^HTTP\/1\.1 413 /);
  assert.match(text, /connection: close/i);
  assert.ok(closedAt - started < 5000, `closed after ${closedAt - started} ms`);
  assert.equal(backend.calls.length, 0);
});

test('Expect: 100-continue: the body is invited only past every check', { timeout: 10_000 }, async (t) => {
  const { server, port } = await startServer();
  t.after(() => server.close());
  const sid = (await send(port, { method: 'GET' })).headers['x-transmission-session-id'] as string;
  const huge = await rawSocket(port);
  const hugeDone = collect(huge);
  huge.write(
    `POST /transmission/rpc HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Transmission-Session-Id: ${sid}\r\nExpect: 100-continue\r\nContent-Length: ${300 * 1024 * 1024}\r\n\r\n`,
  );
  const { text: refused } = await hugeDone;
  assert.match(refused, /^HTTP\/1\.1 413 /, 'no "100 Continue" for a body that will be refused');
  const noSession = await rawSocket(port);
  const noSessionDone = collect(noSession);
  noSession.write(
    'POST /transmission/rpc HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\nContent-Length: 10\r\nConnection: close\r\n\r\n',
  );
  assert.match((await noSessionDone).text, /^HTTP\/1\.1 409 /);

  const ok = await rawSocket(port);
  const okDone = collect(ok);
  const body = '{"method":"port-test","tag":5}';
  ok.write(
    `POST /transmission/rpc HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Transmission-Session-Id: ${sid}\r\nExpect: 100-continue\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
  );
  await new Promise<void>((resolve) =>
    ok.once('data', (d: Buffer) => {
      assert.match(d.toString('latin1'), /^HTTP\/1\.1 100 Continue/);
      resolve();
    }),
  );
  ok.write(body);
  const { text } = await okDone;
  assert.match(text, /HTTP\/1\.1 200 OK/);
  assert.match(text, /"tag":5/);
});

test('a chunked body over the cap gets 413 too; one under it is answered', { timeout: 10_000 }, async (t) => {
  const { server, port } = await startServer({ maxBodyBytes: 1024 * 1024 });
  t.after(() => server.close());
  const sid = (await send(port, { method: 'GET' })).headers['x-transmission-session-id'] as string;
  const socket = await rawSocket(port);
  const done = collect(socket);
  socket.write(
    `POST /transmission/rpc HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Transmission-Session-Id: ${sid}\r\nTransfer-Encoding: chunked\r\n\r\n`,
  );
  const piece = Buffer.alloc(256 * 1024, 0x20);
  for (let i = 0; i < 12 && socket.writable; i++) {
    socket.write(`${piece.length.toString(16)}\r\n`);
    socket.write(piece);
    socket.write('\r\n');
    await new Promise((r) => setTimeout(r, 10));
  }
  const { text } = await done;
  assert.match(text, /^HTTP\/1\.1 413 /);
  const small = await send(port, { body: `${' '.repeat(1000)}{"method":"port-test"}`, headers: { 'X-Transmission-Session-Id': sid } });
  assert.equal(JSON.parse(small.text).result, 'success');
});

test('slow-loris: a socket trickling its headers is cut off, and others are served meanwhile', { timeout: 10_000 }, async (t) => {
  const { server, port } = await startServer({ headersTimeoutMs: 600, requestTimeoutMs: 1500 });
  t.after(() => server.close());
  const slow = await rawSocket(port);
  const idle = await rawSocket(port);
  const started = Date.now();
  const slowDone = collect(slow);
  const idleDone = collect(idle);
  slow.write('POST /transmission/rpc HTTP/1.1\r\nHost: 127.0.0.1\r\n');
  const trickle = setInterval(() => slow.writable && slow.write('X-Slow: a\r\n'), 100);
  t.after(() => clearInterval(trickle));
  // Meanwhile a normal client is answered promptly.
  const t0 = Date.now();
  assert.equal((await send(port, { method: 'GET' })).status, 409);
  assert.ok(Date.now() - t0 < 500);
  const { closedAt } = await slowDone;
  clearInterval(trickle);
  const slowFor = closedAt - started;
  assert.ok(slowFor >= 500 && slowFor < 4000, `slow socket closed after ${slowFor} ms`);
  const idleFor = (await idleDone).closedAt - started;
  assert.ok(idleFor < 4000, `idle socket closed after ${idleFor} ms`);
});
