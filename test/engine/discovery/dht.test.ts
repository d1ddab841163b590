import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode, dict } from '../../../source/engine/codec/bencode.js';
import { isAcceptableKrpc } from '../../../source/engine/discovery/dht-guard.js';
import { parseMagnet } from '../../../source/engine/metainfo/magnet.js';
import { Session } from '../../../source/engine/session/session.js';
import { startDhtNode } from '../../helpers/dht-node.js';
import { randomTorrent, waitForDone, writeTorrentFiles } from '../../helpers/swarm.js';
import { tempDir, until } from '../../helpers/tools.js';

test('a bare-info-hash magnet resolves and downloads through the DHT alone (two btui sessions, one loopback bootstrap node)', async (t) => {
  const node = await startDhtNode(t);
  const { meta, data } = randomTorrent({ sizes: [300_000, 5] });
  const dir = tempDir(t);
  writeTorrentFiles(dir, meta, data);
  const seeder = new Session({ host: '127.0.0.1', port: 0, dht: { bootstrap: [node.address] } });
  const leecher = new Session({ host: '127.0.0.1', port: 0, dht: { bootstrap: [node.address] } });
  t.after(() => Promise.all([seeder.close(), leecher.close()]));
  await seeder.listen();
  await leecher.listen();
  assert.equal(seeder.dht?.port, seeder.port, 'DHT on the listen port');
  seeder.add(meta, { directory: dir, seedMode: true });
  const announced = await node.announced(meta.infoHash, 10_000);
  assert.deepEqual(announced, { host: '127.0.0.1', port: seeder.port });

  const { meta: fetched, peers } = await leecher.resolveMagnet(parseMagnet(`magnet:?xt=urn:btih:${meta.infoHash}`), { timeoutMs: 15_000 });
  assert.ok(fetched.infoBytes.equals(meta.infoBytes));
  const torrent = leecher.add(fetched, { directory: tempDir(t) });
  torrent.addPeers(peers);
  await waitForDone(torrent, 20_000);
  assert.ok((leecher.stats().dhtNodes ?? 0) >= 1, `dhtNodes ${leecher.stats().dhtNodes}`);
});

test('private torrents stay off the DHT', async (t) => {
  const node = await startDhtNode(t);
  const { meta, data } = randomTorrent({ sizes: [1000] });
  meta.private = true;
  const dir = tempDir(t);
  writeTorrentFiles(dir, meta, data);
  const session = new Session({ host: '127.0.0.1', port: 0, dht: { bootstrap: [node.address] } });
  t.after(() => session.close());
  await session.listen();
  session.add(meta, { directory: dir, seedMode: true });
  await assert.rejects(node.announced(meta.infoHash, 1500), /no DHT announce/);
});

test('hostile DHT packets are dropped and the node keeps working', async (t) => {
  const node = await startDhtNode(t);
  const session = new Session({ host: '127.0.0.1', port: 0, dht: { bootstrap: [node.address] } });
  t.after(() => session.close());
  await session.listen();
  const dht = session.dht!;
  const attacker = dgram.createSocket('udp4');
  t.after(() => attacker.close());
  await new Promise<void>((resolve) => attacker.bind(0, '127.0.0.1', resolve));
  const id = randomBytes(20);
  const hostile: Buffer[] = [
    Buffer.alloc(0),
    randomBytes(200),
    Buffer.from('d1:t2:aa1:y1:q1:q4:ping'), // truncated
    Buffer.from('i42e'),
    encode(dict({ t: 'aa', y: 'q', q: 'ping', a: 5 })),
    encode(dict({ t: 'aa', y: 'q', q: 'ping', a: dict({ id: 7 }) })),
    encode(dict({ t: 'aa', y: 'q', q: 'get_peers', a: dict({ id, info_hash: 12345 }) })),
    encode(dict({ t: 'aa', y: 'q', q: 'get_peers', a: dict({ id, info_hash: [Buffer.alloc(20)] }) })),
    encode(dict({ t: 'aa', y: 'q', q: 'find_node', a: dict({ id, target: Buffer.alloc(5000) }) })),
    encode(dict({ t: 'aa', y: 'q', q: 'announce_peer', a: dict({ id, info_hash: randomBytes(20), port: 10n ** 30n, token: 'x' }) })),
    encode(dict({ t: 'aa', y: 'q', q: 'put', a: dict({ id, v: Buffer.alloc(900), token: 'x' }) })),
    encode(dict({ t: 7, y: 'r', r: dict({ id }) })),
    encode(dict({ t: 'aa', y: 'r', r: dict({ id, nodes: randomBytes(27), values: [1, 2] }) })),
    encode(dict({ t: 'aa', y: 'r', r: dict({ id, values: [randomBytes(5)] }) })),
    encode(dict({ t: 'aa', y: 'q', q: 99 })),
    encode(dict({ t: 'aa', y: 'q', q: 'ping', a: dict({ id }), pad: Buffer.alloc(60_000) })),
  ];
  for (let round = 0; round < 20; round++) {
    for (const packet of hostile) await new Promise((resolve) => attacker.send(packet, dht.port, '127.0.0.1', resolve));
    // Paced, so that the kernel's receive buffer does not drop them before the gate sees them.
    await new Promise((r) => setTimeout(r, 10));
  }
  await until('hostile packets to arrive', () => dht.droppedPackets >= hostile.length * 20 - 20, 5000).catch((e) => {
    throw new Error(`${e.message}: ${dht.droppedPackets}`);
  });
  for (const packet of hostile) assert.equal(isAcceptableKrpc(packet), false, packet.subarray(0, 60).toString('latin1'));

  // Still answers a well-formed ping.
  const pong = new Promise<Buffer>((resolve) => attacker.once('message', resolve));
  attacker.send(encode(dict({ t: 'pi', y: 'q', q: 'ping', a: dict({ id }) })), dht.port, '127.0.0.1');
  const reply = await pong;
  assert.match(reply.toString('latin1'), /1:y1:r/);
  // And still finds peers: another session announces, ours looks it up.
  const other = new Session({ host: '127.0.0.1', port: 0, dht: { bootstrap: [node.address] } });
  t.after(() => other.close());
  await other.listen();
  const { meta, data } = randomTorrent({ sizes: [1000] });
  const dir = tempDir(t);
  writeTorrentFiles(dir, meta, data);
  other.add(meta, { directory: dir, seedMode: true });
  await node.announced(meta.infoHash, 10_000);
  const found: string[] = [];
  await dht.findPeers(meta.infoHashBuffer, (p) => found.push(`${p.host}:${p.port}`));
  assert.ok(found.includes(`127.0.0.1:${other.port}`), `found ${found}`);
});

test('the routing table is saved on close and reloaded on the next start', async (t) => {
  const node = await startDhtNode(t);
  const nodesFile = join(tempDir(t), 'dht.json');
  const first = new Session({ host: '127.0.0.1', port: 0, dht: { bootstrap: [node.address], nodesFile } });
  await first.listen();
  await until('a node in the table', () => (first.stats().dhtNodes ?? 0) >= 1, 5000);
  await first.close();
  assert.ok(existsSync(nodesFile));
  const saved = JSON.parse(readFileSync(nodesFile, 'utf8')) as { nodes: { host: string; port: number }[] };
  assert.deepEqual(saved.nodes, [{ host: '127.0.0.1', port: node.port }]);

  const second = new Session({ host: '127.0.0.1', port: 0, dht: { bootstrap: [], nodesFile } });
  t.after(() => second.close());
  await second.listen();
  await until('the saved node back in the table', () => (second.stats().dhtNodes ?? 0) >= 1, 5000);
});
