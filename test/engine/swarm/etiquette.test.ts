/** Peer etiquette against real clients (issue #20), with scripted peers standing in for them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { requestLimit } from '../../../source/engine/torrent/peer.js';
import { makePeerId } from '../../../source/engine/wire/peer-id.js';
import { PeerWire } from '../../../source/engine/wire/peer-wire.js';
import { randomTorrent, startSession, waitForDone, writeTorrentFiles } from '../../helpers/swarm.js';
import { tempDir } from '../../helpers/tools.js';
import { startScriptedSeeder } from './scripted-seeder.js';

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

test("reqq: never more requests outstanding to a peer than its extension handshake's reqq says", async (t) => {
  const { meta, data } = randomTorrent({ sizes: [4 * 1024 * 1024], pieceLength: 256 * 1024, single: true });
  // As Transmission does: it says 8 and refuses the 8th already.
  const seeder = await startScriptedSeeder(t, meta, data, { reqq: 8, rejectBeyond: 7 });
  const session = await startSession(t);
  const torrent = session.add(meta, { directory: tempDir(t) });
  const done = waitForDone(torrent, 20_000);
  torrent.addPeers([{ host: '127.0.0.1', port: seeder.port }]);
  await done;
  assert.ok(seeder.maxOutstanding <= 7, `at most 7 queued at the seeder, saw ${seeder.maxOutstanding}`);
  assert.equal(seeder.rejects, 0, 'nothing was refused for a full queue');
});

test('reqq: a peer that says none gets at most 250 outstanding (as libtorrent assumes)', async (t) => {
  const { meta, data } = randomTorrent({ sizes: [24 * 1024 * 1024], pieceLength: 1024 * 1024, single: true });
  // A far peer: fast enough for the queue to grow past 250 (to 512) in the second the download takes.
  const seeder = await startScriptedSeeder(t, meta, data, { latencyMs: 100 });
  const session = await startSession(t);
  const torrent = session.add(meta, { directory: tempDir(t) });
  const done = waitForDone(torrent, 30_000);
  torrent.addPeers([{ host: '127.0.0.1', port: seeder.port }]);
  await done;
  assert.ok(seeder.maxOutstanding <= 250, `at most 250 queued at the seeder, saw ${seeder.maxOutstanding}`);
});

test('reqq is hostile input: 0 means one at a time, and a huge one is capped at 2000; we stay one below it', () => {
  assert.equal(requestLimit(undefined), 250);
  assert.equal(requestLimit(0), 1);
  assert.equal(requestLimit(1), 1);
  assert.equal(requestLimit(2), 1);
  assert.equal(requestLimit(512), 511, "Transmission's 512 takes 511");
  assert.equal(requestLimit(2 ** 40), 2000);
});

test('a block the only seeder rejects is asked of it again at once, not after a tick', async (t) => {
  const { meta, data } = randomTorrent({ sizes: [16 * 1024], pieceLength: 16 * 1024, single: true });
  const seeder = await startScriptedSeeder(t, meta, data, { rejectTimes: new Map([['0:0', 5]]) });
  const session = await startSession(t);
  const torrent = session.add(meta, { directory: tempDir(t) });
  await torrent.start();
  const done = waitForDone(torrent, 20_000);
  const started = Date.now();
  torrent.addPeers([{ host: '127.0.0.1', port: seeder.port }]);
  await done;
  assert.equal(seeder.rejects, 5);
  const elapsed = Date.now() - started;
  assert.ok(elapsed < 1000, `five rejections cost ${elapsed} ms`);
});

/** A leecher that waits to be dialled: it answers the handshake, says it has nothing and is interested. */
async function waitingLeecher(t: import('node:test').TestContext): Promise<{ port: number; handshaken: Promise<Buffer> }> {
  let handshaken!: (infoHash: Buffer) => void;
  const seen = new Promise<Buffer>((resolve) => (handshaken = resolve));
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    const wire = new PeerWire(socket, { peerId: makePeerId() });
    wire.on('handshake', (h) => {
      wire.sendHandshake(h.infoHash);
      wire.send({ type: 'have-none' });
      wire.send({ type: 'interested' });
      handshaken(h.infoHash);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as net.AddressInfo).port, handshaken: seen };
}

test('a seed dials the leechers it knows of (one that never dials out gets served)', async (t) => {
  const { meta, data } = randomTorrent();
  const dir = tempDir(t);
  writeTorrentFiles(dir, meta, data);
  const leecher = await waitingLeecher(t);
  const session = await startSession(t);
  const torrent = session.add(meta, { directory: dir, seedMode: true });
  await torrent.start();
  assert.equal(torrent.state, 'seeding');
  torrent.addPeers([{ host: '127.0.0.1', port: leecher.port }]);
  const infoHash = await Promise.race([leecher.handshaken, new Promise<undefined>((r) => setTimeout(() => r(undefined), 3000).unref())]);
  assert.deepEqual(infoHash, meta.infoHashBuffer, 'the seed dialled the leecher');
});

test('a seed does not dial a peer again once it proved to be a seed', async (t) => {
  const { meta, data } = randomTorrent();
  const dir = tempDir(t);
  writeTorrentFiles(dir, meta, data);
  const other = await startScriptedSeeder(t, meta, data);
  const session = await startSession(t);
  const torrent = session.add(meta, { directory: dir, seedMode: true });
  await torrent.start();
  torrent.addPeers([{ host: '127.0.0.1', port: other.port }]);
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(other.connections, 1, 'dialled once, found to be a seed, left alone');
});

test('a seed does not dial a peer that peer exchange says is a seed', async (t) => {
  const { meta, data } = randomTorrent();
  const dir = tempDir(t);
  writeTorrentFiles(dir, meta, data);
  const other = await startScriptedSeeder(t, meta, data);
  const session = await startSession(t);
  const torrent = session.add(meta, { directory: dir, seedMode: true });
  await torrent.start();
  torrent.addPeers([{ host: '127.0.0.1', port: other.port, seed: true }]);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(other.connections, 0);
});

/** A port nothing listens on (for now). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('a peer given explicitly (--peer, x.pe) is retried a second after its first failure, not ten', async (t) => {
  const { meta, data } = randomTorrent();
  const port = await freePort();
  const session = await startSession(t);
  const torrent = session.add(meta, { directory: tempDir(t) });
  await torrent.start();
  const done = waitForDone(torrent, 6000);
  torrent.addPeers([{ host: '127.0.0.1', port, explicit: true }]);
  // The first dial is refused; the peer starts a moment later (a client still starting up).
  await new Promise((r) => setTimeout(r, 300));
  const started = Date.now();
  await startScriptedSeeder(t, meta, data, {}, port);
  await done;
  assert.ok(Date.now() - started < 3000, `done ${Date.now() - started} ms after the peer came up`);
});

test('a magnet download keeps the connection its metadata came over (no redial the peer may refuse)', async (t) => {
  const { meta, data } = randomTorrent();
  const seeder = await startScriptedSeeder(t, meta, data, { metadata: true });
  const session = await startSession(t);
  const started = Date.now();
  const magnet = { infoHash: meta.infoHash, trackers: [], webSeeds: [], peers: [{ host: '127.0.0.1', port: seeder.port }] };
  const resolved = await session.resolveMagnet(magnet, { timeoutMs: 10_000 });
  assert.deepEqual(resolved.peers, [{ host: '127.0.0.1', port: seeder.port, explicit: true }], 'x.pe peers are explicit');
  const torrent = session.add(resolved.meta, { directory: tempDir(t), paused: true });
  const done = waitForDone(torrent, 10_000);
  await torrent.start();
  torrent.addPeers(resolved.peers);
  await done;
  assert.equal(seeder.connections, 1, 'one connection, for the metadata and the data');
  assert.ok(Date.now() - started < 3000, `magnet to data in ${Date.now() - started} ms`);
});

test('a seed and a leecher that dial each other at once keep one connection between them, not none', async (t) => {
  const { meta, data } = randomTorrent({ sizes: [500_000] });
  const dir = tempDir(t);
  writeTorrentFiles(dir, meta, data);
  const seeder = await startSession(t);
  const seed = seeder.add(meta, { directory: dir, seedMode: true });
  await seed.start();
  const leecher = await startSession(t);
  const leech = leecher.add(meta, { directory: tempDir(t) });
  await leech.start();
  const done = waitForDone(leech, 8000);
  const started = Date.now();
  seed.addPeers([{ host: '127.0.0.1', port: leecher.port }]);
  leech.addPeers([{ host: '127.0.0.1', port: seeder.port }]);
  await done;
  assert.ok(Date.now() - started < 3000, `done in ${Date.now() - started} ms`);
  assert.equal(leech.stats().peers, 1);
});

/** A raw connection to a session as peer `peerId`: resolves once it is taken on (the session's bitfield came), or with 'closed'. */
function dialAs(port: number, infoHash: Buffer, peerId: Buffer): { wire: PeerWire; outcome: Promise<'taken' | 'closed'> } {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  const wire = new PeerWire(socket, { infoHash, peerId });
  const outcome = new Promise<'taken' | 'closed'>((resolve) => {
    wire.on('message', (m) => {
      if (m.type === 'bitfield' || m.type === 'have-all') resolve('taken');
    });
    wire.once('close', () => resolve('closed'));
  });
  return { wire, outcome };
}

test('a peer that dials again while its old connection still counts (its close never reached us) is taken on the new one', async (t) => {
  const { meta, data } = randomTorrent({ sizes: [100_000] });
  const dir = tempDir(t);
  writeTorrentFiles(dir, meta, data);
  const seeder = await startSession(t);
  await seeder.add(meta, { directory: dir, seedMode: true }).start();
  const peerId = makePeerId();
  // The first connection goes quiet, as one does when the peer's address went away: its end is
  // gone, but nothing told this side.
  const old = dialAs(seeder.port, meta.infoHashBuffer, peerId);
  t.after(() => old.wire.destroy());
  assert.equal(await old.outcome, 'taken');
  const again = dialAs(seeder.port, meta.infoHashBuffer, peerId);
  t.after(() => again.wire.destroy());
  assert.equal(await again.outcome, 'taken', 'the new connection is kept');
  await new Promise<void>((resolve) => (old.wire.destroyed ? resolve() : old.wire.once('close', () => resolve())));
  assert.equal(seeder.stats().connections, 1, 'and the old one closed');
});
