import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeLsd, encodeLsd, LocalServiceDiscovery } from '../../../source/engine/discovery/lsd.js';
import { Session } from '../../../source/engine/session/session.js';
import { freePort } from '../../helpers/opentracker.js';
import { tempDir } from '../../helpers/tools.js';
import { randomTorrent, waitForDone, writeTorrentFiles } from '../../helpers/swarm.js';

const HASH = 'a'.repeat(40);

test('BEP 14 messages: encode, decode, reject what is not an announce', () => {
  const data = encodeLsd({ port: 6881, infoHashes: [HASH, 'B'.repeat(40)], cookie: 'c1' }, '239.192.152.143:6771');
  assert.match(data.toString(), /^BT-SEARCH \* HTTP\/1\.1\r\nHost: 239\.192\.152\.143:6771\r\nPort: 6881\r\nInfohash: a{40}\r\n/);
  assert.deepEqual(decodeLsd(data), { port: 6881, infoHashes: [HASH, 'b'.repeat(40)], cookie: 'c1' });
  assert.deepEqual(decodeLsd(Buffer.from(`BT-SEARCH * HTTP/1.1\nPORT: 1\ninfohash: ${HASH}\n\n`)), {
    port: 1,
    infoHashes: [HASH],
    cookie: undefined,
  });
  assert.equal(decodeLsd(Buffer.from(`M-SEARCH * HTTP/1.1\r\nPort: 1\r\nInfohash: ${HASH}\r\n\r\n`)), undefined);
  assert.equal(decodeLsd(Buffer.from(`BT-SEARCH * HTTP/1.1\r\nPort: 0\r\nInfohash: ${HASH}\r\n\r\n`)), undefined);
  assert.equal(decodeLsd(Buffer.from(`BT-SEARCH * HTTP/1.1\r\nPort: 70000\r\nInfohash: ${HASH}\r\n\r\n`)), undefined);
  assert.equal(decodeLsd(Buffer.from('BT-SEARCH * HTTP/1.1\r\nPort: 5\r\nInfohash: xyz\r\n\r\n')), undefined);
});

test('LSD on loopback: a leecher finds a seeder by multicast and downloads from it', async (t) => {
  const { meta, data } = randomTorrent({ sizes: [500_000] });
  const seedDir = tempDir(t);
  writeTorrentFiles(seedDir, meta, data);
  const seeder = new Session({ host: '127.0.0.1', port: 0 });
  const leecher = new Session({ host: '127.0.0.1', port: 0 });
  await seeder.listen();
  await leecher.listen();
  t.after(() => Promise.all([seeder.close(), leecher.close()]));
  // A private group port, so the test neither hears nor disturbs real LSD traffic.
  const port = await freePort();
  const lsd = [seeder, leecher].map((s) => new LocalServiceDiscovery({ listenPort: () => s.port, port, interface: '127.0.0.1' }));
  t.after(() => lsd.forEach((l) => l.close()));
  try {
    for (const l of lsd) await l.start();
  } catch (error) {
    t.skip(`no multicast on loopback here: ${(error as Error).message}`);
    return;
  }
  const seed = seeder.add(meta, { directory: seedDir, seedMode: true });
  await seed.start();
  const leech = leecher.add(meta, { directory: tempDir(t) });
  const learned: string[] = [];
  lsd[0]!.register(meta.infoHash, (p) => seed.addPeers([p]));
  lsd[1]!.register(meta.infoHash, (p) => {
    learned.push(`${p.host}:${p.port}`);
    leech.addPeers([p]);
  });
  await waitForDone(leech, 10_000);
  assert.deepEqual(learned, [`127.0.0.1:${seeder.port}`], 'the seeder only, and only once (its own announce is ignored)');
});

test('a Session with the lsd option finds a seeder on the LAN and skips private torrents', async (t) => {
  const { meta, data } = randomTorrent({ sizes: [300_000] });
  const seedDir = tempDir(t);
  writeTorrentFiles(seedDir, meta, data);
  const port = await freePort();
  const lsd = { port, interface: '127.0.0.1' };
  const seeder = new Session({ host: '127.0.0.1', port: 0, lsd });
  const leecher = new Session({ host: '127.0.0.1', port: 0, lsd });
  const warnings: string[] = [];
  for (const s of [seeder, leecher]) s.on('warning', (w: string) => warnings.push(w));
  await seeder.listen();
  await leecher.listen();
  t.after(() => Promise.all([seeder.close(), leecher.close()]));
  if (warnings.some((w) => w.includes('local service discovery is off'))) {
    t.skip(`no multicast on loopback here: ${warnings.join('; ')}`);
    return;
  }
  await seeder.add(meta, { directory: seedDir, seedMode: true }).start();
  const leech = leecher.add(meta, { directory: tempDir(t) });
  await waitForDone(leech, 10_000);
  assert.equal(leech.stats().progress, 1);

  // The same setup with a private torrent: both sides have it, yet LSD must not pair them.
  const secret = randomTorrent({ sizes: [1000] });
  secret.meta.private = true;
  const secretDir = tempDir(t);
  writeTorrentFiles(secretDir, secret.meta, secret.data);
  await seeder.add(secret.meta, { directory: secretDir, seedMode: true }).start();
  const privateTorrent = leecher.add(secret.meta, { directory: tempDir(t) });
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal(privateTorrent.stats().knownPeers, 0, 'a private torrent learns nothing from LSD');
});
