/** Peer etiquette against real clients (issue #20), with scripted peers standing in for them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { randomTorrent, startSession } from '../../helpers/swarm.js';
import { tempDir } from '../../helpers/tools.js';

/** A listener on 127.0.0.1 that notes where each connection came from. */
async function listener(t: import('node:test').TestContext): Promise<{ port: number; from: Promise<string> }> {
  let seen!: (address: string) => void;
  const from = new Promise<string>((resolve) => (seen = resolve));
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    seen(socket.remoteAddress ?? '?');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as net.AddressInfo).port, from };
}

test('--host: outgoing connections leave from the listen address, not only the listen socket', async (t) => {
  const { meta } = randomTorrent();
  const remote = await listener(t);
  const session = await startSession(t, { host: '127.0.0.2' });
  const torrent = session.add(meta, { directory: tempDir(t) });
  await torrent.start();
  torrent.addPeers([{ host: '127.0.0.1', port: remote.port }]);
  assert.equal(await remote.from, '127.0.0.2');
});

test('--host with an address of the other family does not stop dials to this one', async (t) => {
  const { meta } = randomTorrent();
  const remote = await listener(t);
  const session = await startSession(t, { host: '::1' });
  const torrent = session.add(meta, { directory: tempDir(t) });
  await torrent.start();
  torrent.addPeers([{ host: '127.0.0.1', port: remote.port }]);
  assert.equal(await remote.from, '127.0.0.1');
});
