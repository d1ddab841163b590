import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { openListenSocket } from '../../../source/engine/session/listen-socket.js';
import { connectPeerSocket, type PeerSocket } from '../../../source/engine/transport/peer-socket.js';

const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');

/** Everything `deliverTo` hands over, copied as a receiver must (the buffer is shared), until the end. */
function collect(socket: net.Socket, deliverTo: PeerSocket['deliverTo'], expected: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  return new Promise((resolve, reject) => {
    deliverTo((chunk) => {
      chunks.push(Buffer.from(chunk));
      length += chunk.length;
      if (length >= expected) resolve(Buffer.concat(chunks));
    });
    socket.once('error', reject);
  });
}

test('accepted connections read through the shared buffer: two at once each get their own bytes, intact, and can answer', async (t) => {
  const accepted: { socket: net.Socket; deliverTo?: PeerSocket['deliverTo'] }[] = [];
  const arrived: ((a: (typeof accepted)[number]) => void)[] = [];
  const { server, port } = await openListenSocket(0, '127.0.0.1', (socket, deliverTo) => {
    const a = { socket, deliverTo };
    accepted.push(a);
    arrived.shift()?.(a);
  });
  t.after(() => {
    for (const a of accepted) a.socket.destroy();
    server.close();
  });
  const size = 8 * 1024 * 1024;
  const payloads = [randomBytes(size), randomBytes(size)];
  const clients = payloads.map(() => net.connect(port, '127.0.0.1'));
  t.after(() => clients.forEach((c) => c.destroy()));
  const servers = await Promise.all(clients.map(() => new Promise<(typeof accepted)[number]>((resolve) => arrived.push(resolve))));
  for (const s of servers) assert.ok(s.deliverTo, 'an accepted TCP connection is read through deliverTo (the shared buffer)');
  const received = servers.map((s) => collect(s.socket, s.deliverTo!, size));
  // Both write at once, in many reads that take turns in the one buffer.
  clients.forEach((c, i) => c.write(payloads[i]));
  const bytes = await Promise.all(received);
  // Which client landed as which accepted socket is the kernel's choice: match by the remote port.
  for (const [i, s] of servers.entries()) {
    const client = clients.find((c) => c.localPort === s.socket.remotePort)!;
    assert.equal(s.socket.remoteAddress, '127.0.0.1');
    assert.equal(sha1(bytes[i]!), sha1(payloads[clients.indexOf(client)]!));
  }
  // Writing back works on the socket made over the accepted handle.
  const echoed = new Promise<Buffer>((resolve) => clients[0]!.once('data', (b: Buffer) => resolve(b)));
  const first = servers.find((s) => s.socket.remotePort === clients[0]!.localPort)!;
  first.socket.write('pong');
  assert.equal((await echoed).toString(), 'pong');
  // The server does not wait for connections it handed over: closing it leaves them to their owners.
  await new Promise<void>((resolve) => server.close(() => resolve()));
  first.socket.write('still open');
  assert.equal(String(await new Promise<Buffer>((resolve) => clients[0]!.once('data', resolve))), 'still open');
});

test('bytes that arrive before anyone reads are kept (copied) and handed over first, then the rest, in order', async (t) => {
  let resolveAccepted: (a: { socket: net.Socket; deliverTo?: PeerSocket['deliverTo'] }) => void;
  const acceptedOne = new Promise<{ socket: net.Socket; deliverTo?: PeerSocket['deliverTo'] }>((r) => (resolveAccepted = r));
  const { server, port } = await openListenSocket(0, '127.0.0.1', (socket, deliverTo) => resolveAccepted({ socket, deliverTo }));
  const outgoing = connectPeerSocket('127.0.0.1', port);
  t.after(() => {
    outgoing.socket.destroy();
    server.close();
  });
  const { socket, deliverTo } = await acceptedOne;
  t.after(() => socket.destroy());
  const early = randomBytes(300 * 1024);
  const later = randomBytes(300 * 1024);
  // The accepted side writes before the dialling side has a receiver; the dialling side then writes back.
  socket.write(early);
  await new Promise((r) => setTimeout(r, 200));
  const atDialler = collect(outgoing.socket, outgoing.deliverTo, early.length + later.length);
  socket.write(later);
  assert.equal(sha1(await atDialler), sha1(Buffer.concat([early, later])));
  outgoing.socket.write(early);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(sha1(await collect(socket, deliverTo!, early.length)), sha1(early));
});
