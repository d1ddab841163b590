/**
 * The IPv6 DHT (BEP 32): bittorrent-dht behind dht-ipv6.ts's translating socket, on ::1 only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decode, dict, encode, isBytes, isDict } from '../../../source/engine/codec/bencode.js';
import { Dht } from '../../../source/engine/discovery/dht.js';
import { isAcceptableKrpc } from '../../../source/engine/discovery/dht-guard.js';
import { fromNetwork, StandInAddresses, toNetwork } from '../../../source/engine/discovery/dht-ipv6.js';
import { ipBytes } from '../../../source/engine/extensions/ip-bytes.js';
import { parseMagnet } from '../../../source/engine/metainfo/magnet.js';
import { Session } from '../../../source/engine/session/session.js';
import { randomTorrent, waitForDone, writeTorrentFiles } from '../../helpers/swarm.js';
import { tempDir, until } from '../../helpers/tools.js';

const compact6 = (host: string, port: number) => Buffer.concat([ipBytes(host)!, Buffer.from([port >> 8, port & 255])]);

test('stand-in addresses: stable both ways, in 240.0.0.0/4, the least recently used forgotten past the cap', () => {
  const map = new StandInAddresses(3);
  const a = map.standIn('2001:db8::1');
  assert.match(a, /^24\d\.|^25[0-5]\./);
  assert.equal(map.standIn('2001:db8::1'), a);
  assert.equal(map.real(a), '2001:db8::1');
  map.standIn('2001:db8::2');
  map.standIn('2001:db8::3');
  map.real(a); // used: kept
  map.standIn('2001:db8::4');
  assert.equal(map.size, 3);
  assert.equal(map.real(a), '2001:db8::1');
  assert.equal(map.real('1.2.3.4'), undefined);
});

test('packets are rewritten both ways: nodes6 <-> nodes, 18-byte values <-> 6-byte ones; IPv4 contacts dropped', () => {
  const map = new StandInAddresses();
  const id = randomBytes(20);
  const nodeId = randomBytes(20);
  const incoming = encode(
    dict({
      t: 'aa',
      y: 'r',
      r: dict({
        id,
        nodes6: Buffer.concat([nodeId, compact6('2001:db8::7', 6881)]),
        nodes: Buffer.concat([randomBytes(20), Buffer.from([10, 0, 0, 1, 0, 80])]),
        values: [compact6('2001:db8::8', 51413)],
      }),
    }),
  );
  assert.ok(isAcceptableKrpc(incoming, true));
  assert.ok(!isAcceptableKrpc(incoming, false), 'an IPv4 DHT takes no 18-byte values');
  const seen = decode(fromNetwork(incoming, map)!);
  assert.ok(isDict(seen));
  const r = seen.get('r');
  assert.ok(isDict(r));
  assert.equal(r.has('nodes6'), false);
  const nodes = r.get('nodes');
  assert.ok(isBytes(nodes));
  assert.equal(nodes.length, 26, 'only the IPv6 contact, as a 26-byte entry');
  const standIn = `${nodes[20]}.${nodes[21]}.${nodes[22]}.${nodes[23]}`;
  assert.equal(map.real(standIn), '2001:db8::7');

  // The library's answer with those contacts goes out as nodes6 / 18-byte values again.
  const reply = decode(
    toNetwork(encode(dict({ t: 'bb', y: 'r', r: dict({ id, nodes, values: [Buffer.from(nodes.subarray(20))] }) })), map)!,
  );
  assert.ok(isDict(reply));
  const out = reply.get('r');
  assert.ok(isDict(out));
  assert.deepEqual(Buffer.from(out.get('nodes6') as Uint8Array), Buffer.concat([nodeId, compact6('2001:db8::7', 6881)]));
  assert.equal(out.has('nodes'), false);
  assert.deepEqual(
    (out.get('values') as Uint8Array[]).map((v) => Buffer.from(v)),
    [compact6('2001:db8::7', 6881)],
  );

  assert.equal(isAcceptableKrpc(encode(dict({ t: 'aa', y: 'r', r: dict({ id, nodes6: randomBytes(39) }) })), true), false);
});

test('a bare-info-hash magnet resolves and downloads through the IPv6 DHT alone (two btui sessions on ::1, a btui IPv6 node to bootstrap from)', async (t) => {
  const bootstrap = await Dht.create({ bootstrap: [], family: 6 });
  t.after(() => bootstrap.close());
  await bootstrap.listen(0, '::1');
  const node = `[::1]:${bootstrap.port}`;
  const { meta, data } = randomTorrent({ sizes: [300_000, 5] });
  const dir = tempDir(t);
  writeTorrentFiles(dir, meta, data);
  const nodesFile6 = join(tempDir(t), 'dht6.json');
  const seeder = new Session({ host: '::1', port: 0, dht: { bootstrap: [node] } });
  const leecher = new Session({ host: '::1', port: 0, dht: { bootstrap: [node], nodesFile6 } });
  t.after(() => Promise.all([seeder.close(), leecher.close()]));
  await seeder.listen();
  await leecher.listen();
  assert.equal(seeder.dht, undefined, 'no IPv4 DHT on an IPv6 listen address');
  assert.equal(seeder.dht6?.port, seeder.port, 'the IPv6 DHT on the listen port');
  seeder.add(meta, { directory: dir, seedMode: true });
  await until('the seeder announced', () => (seeder.dht6?.nodeCount() ?? 0) >= 1, 10_000);

  const { meta: fetched, peers } = await leecher.resolveMagnet(parseMagnet(`magnet:?xt=urn:btih:${meta.infoHash}`), { timeoutMs: 20_000 });
  assert.ok(fetched.infoBytes.equals(meta.infoBytes));
  assert.ok(
    peers.some((p) => p.host === '::1' && p.port === seeder.port),
    `found ${JSON.stringify(peers)}`,
  );
  const torrent = leecher.add(fetched, { directory: tempDir(t) });
  torrent.addPeers(peers);
  await waitForDone(torrent, 20_000);
  await leecher.close();
  const saved = JSON.parse(readFileSync(nodesFile6, 'utf8')) as { nodes: { host: string; port: number }[] };
  assert.ok(saved.nodes.length >= 1 && saved.nodes.every((n) => n.host === '::1'), `saved ${JSON.stringify(saved.nodes)}`);
});

test('the IPv6 DHT drops hostile packets and answers a well-formed ping from ::1', async (t) => {
  const dht = await Dht.create({ bootstrap: [], family: 6 });
  t.after(() => dht.close());
  await dht.listen(0, '::1');
  const socket = dgram.createSocket('udp6');
  t.after(() => socket.close());
  await new Promise<void>((resolve) => socket.bind(0, '::1', resolve));
  const id = randomBytes(20);
  for (const packet of [
    randomBytes(100),
    encode(dict({ t: 'aa', y: 'r', r: dict({ id, nodes6: randomBytes(40) }) })),
    encode(dict({ t: 'aa', y: 'r', r: dict({ id, values: [randomBytes(6)] }) })),
  ])
    await new Promise((resolve) => socket.send(packet, dht.port, '::1', resolve));
  const answer = new Promise<Buffer>((resolve) => socket.once('message', resolve));
  await new Promise((resolve) => socket.send(encode(dict({ t: 'pp', y: 'q', q: 'ping', a: dict({ id }) })), dht.port, '::1', resolve));
  const reply = decode(await answer);
  assert.ok(isDict(reply));
  assert.equal(Buffer.from(reply.get('y') as Uint8Array).toString(), 'r');
  await until('the hostile packets counted', () => dht.droppedPackets >= 3, 2000);
});
