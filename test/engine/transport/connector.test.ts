import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Connector } from '../../../source/engine/transport/connector.js';
import { encodeHandshake } from '../../../source/engine/wire/handshake.js';
import { encodeMessage, type Message } from '../../../source/engine/wire/messages.js';
import { makePeerId } from '../../../source/engine/wire/peer-id.js';

const INFO_HASH = Buffer.alloc(20, 7);

async function listen(t: import('node:test').TestContext, onSocket: (socket: net.Socket) => void): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return (server.address() as net.AddressInfo).port;
}

test('outgoing: the messages sharing a read with the handshake reach listeners attached in the handshake callback', async (t) => {
  const remoteId = makePeerId();
  const port = await listen(t, (socket) => {
    // Handshake and bitfield in one write, as many clients send them.
    socket.write(
      Buffer.concat([
        encodeHandshake(INFO_HASH, remoteId, { extended: false, fast: false, dht: false }),
        encodeMessage({ type: 'bitfield', bitfield: Buffer.from([0xa0]) }),
      ]),
    );
  });
  const connector = new Connector({ peerId: makePeerId() });
  const seen = await new Promise<Message[]>((resolve, reject) => {
    connector.connect('127.0.0.1', port, 5000, {
      settings: () => ({ infoHash: INFO_HASH }),
      handshake: (wire, h) => {
        assert.ok(h.peerId.equals(remoteId));
        const messages: Message[] = [];
        wire.on('message', (m) => messages.push(m));
        setTimeout(() => {
          wire.destroy();
          resolve(messages);
        }, 50);
      },
      failed: () => reject(new Error('failed')),
    });
  });
  assert.deepEqual(
    seen.map((m) => m.type),
    ['bitfield'],
  );
});

test('outgoing: a refused connection fails once; a cancelled dial reports nothing', async (t) => {
  const port = await listen(t, () => undefined);
  const closed = net.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const refusedPort = (closed.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const connector = new Connector({ peerId: makePeerId() });
  let failures = 0;
  await new Promise<void>((resolve) => {
    connector.connect('127.0.0.1', refusedPort, 5000, {
      settings: () => ({ infoHash: INFO_HASH }),
      handshake: () => assert.fail('no handshake expected'),
      failed: () => {
        failures++;
        setTimeout(resolve, 50);
      },
    });
  });
  assert.equal(failures, 1);
  let called = false;
  const dialing = connector.connect('127.0.0.1', port, 5000, {
    settings: () => ({ infoHash: INFO_HASH }),
    handshake: () => (called = true),
    failed: () => (called = true),
  });
  dialing.cancel();
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(called, false);
});

test('incoming: accept hands over the remote handshake, which the caller answers', async (t) => {
  const ours = new Connector({ peerId: makePeerId() });
  const theirs = new Connector({ peerId: makePeerId() });
  let answered: Promise<void> | undefined;
  const port = await listen(t, (socket) => {
    answered = new Promise((resolve) =>
      ours.accept(
        { stream: socket },
        {},
        {
          infoHashFor: () => undefined,
          handshake: (wire, h) => {
            assert.ok(h.infoHash.equals(INFO_HASH));
            wire.sendHandshake(h.infoHash);
            wire.once('message', (m) => {
              assert.equal(m.type, 'interested');
              wire.destroy();
              resolve();
            });
          },
        },
      ),
    );
  });
  await new Promise<void>((resolve, reject) =>
    theirs.connect('127.0.0.1', port, 5000, {
      settings: () => ({ infoHash: INFO_HASH }),
      handshake: (wire) => {
        wire.send({ type: 'interested' });
        resolve();
      },
      failed: () => reject(new Error('failed')),
    }),
  );
  await answered;
});
