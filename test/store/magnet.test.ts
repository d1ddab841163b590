import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { magnetURI } from '../../source/engine/metainfo/magnet.js';
import { parseMetainfo } from '../../source/engine/metainfo/metainfo.js';
import { Session } from '../../source/engine/session/session.js';
import { openService } from '../helpers/service.js';
import { freePort } from '../helpers/opentracker.js';
import { tempDir, until } from '../helpers/tools.js';
import { randomTorrent, waitForDone, writeTorrentFiles } from '../helpers/swarm.js';
import { savedOnDisk } from '../helpers/saved-session.js';

/** The controller's add answer as the info-hash, or undefined when it was refused (with the reason). */
const addedHash = (r: { hash: string } | { error: string }) => ('hash' in r ? r.hash : undefined);

function open(t: TestContext, dir: string, metadataTimeoutMs = 20_000) {
  return openService(dir, { t, metadataTimeoutMs });
}

async function seederFor(t: TestContext, dir: string, meta: Parameters<Session['add']>[0], data: Buffer): Promise<Session> {
  writeTorrentFiles(join(dir, 'seed'), meta, data);
  const seeder = new Session({ host: '127.0.0.1' });
  t.after(() => seeder.close());
  await seeder.listen(0);
  seeder.add(meta, { directory: join(dir, 'seed'), seedMode: true });
  return seeder;
}

test('a magnet shows at once as "metadata" under its dn name, resolves from an x.pe seeder, then downloads as a torrent with its .torrent saved', async (t) => {
  const dir = tempDir(t);
  const { meta, data } = randomTorrent({ name: 'from-magnet', sizes: [200_000, 30_000] });
  const seeder = await seederFor(t, dir, meta, data);
  const { session, store, controller, service } = open(t, dir);
  await session.listen(0);

  const magnet = magnetURI({ infoHash: meta.infoHash, name: 'shown name', peers: [{ host: '127.0.0.1', port: seeder.port }] });
  assert.equal(addedHash(await controller.add(magnet)), meta.infoHash);
  const id = service.ref(meta.infoHash)!.id;
  store.refresh();
  const first = store.getSnapshot().torrents;
  assert.equal(first.length, 1);
  assert.equal(first[0]!.state, 'metadata');
  assert.equal(first[0]!.name, 'shown name');
  assert.equal(first[0]!.magnet, magnet);

  await until('the torrent', () => session.get(meta.infoHash) !== undefined);
  await waitForDone(session.get(meta.infoHash)!, 20_000);
  store.refresh();
  const row = store.getSnapshot().torrents[0]!;
  assert.equal(store.getSnapshot().torrents.length, 1, 'the torrent took the magnet row');
  assert.equal(row.name, 'from-magnet');
  assert.equal(row.state, 'seeding');
  assert.equal(row.magnet, undefined);
  assert.equal(row.addedAt, first[0]!.addedAt, "the time of adding is the magnet's");
  assert.equal(
    parseMetainfo(readFileSync(service.torrentFilePath(meta.infoHash))).infoHash,
    meta.infoHash,
    'its .torrent kept for the session',
  );
  assert.equal(service.ref(meta.infoHash)!.id, id, "the torrent keeps the magnet's id");
  const saved = service.savedSession().torrents;
  assert.equal(saved.length, 1);
  assert.equal(saved[0]!.magnet, undefined);
  assert.ok(saved[0]!.torrentFile);
  const log = store.getSnapshot().log.map((e) => e.text);
  assert.ok(log.includes('fetching metadata for shown name'), log.join('\n'));
  assert.ok(log.includes('metadata for from-magnet arrived from the swarm'), log.join('\n'));
});

test('a magnet that cannot resolve shows its error in the row and the log; Space retries; remove drops it', async (t) => {
  const dir = tempDir(t);
  // Long enough that the retry below is still fetching after its durable save under load.
  const { session, store, controller } = open(t, dir, 2_000);
  await session.listen(0);
  const hash = 'ab'.repeat(20);
  assert.equal(addedHash(await controller.add(hash)), hash);
  store.refresh();
  assert.equal(store.getSnapshot().torrents[0]!.name, hash, 'a bare info-hash is named by its hash');
  assert.equal(store.getSnapshot().torrents[0]!.state, 'metadata');

  await until('the error', () => store.getSnapshot().torrents[0]?.state === 'error');
  const row = store.getSnapshot().torrents[0]!;
  assert.match(row.error ?? '', /metadata|peer/i);
  assert.ok(store.getSnapshot().log.some((e) => e.level === 'error' && e.text.startsWith(`${hash}: `)));

  await controller.toggle(hash);
  store.refresh();
  assert.equal(store.getSnapshot().torrents[0]!.state, 'metadata', 'fetching again');
  assert.equal(store.getSnapshot().log.filter((e) => e.text === `fetching metadata for ${hash}`).length, 2);
  await controller.toggle(hash);
  store.refresh();
  assert.equal(store.getSnapshot().torrents[0]!.state, 'paused');
  await controller.remove(hash, true);
  store.refresh();
  assert.equal(store.getSnapshot().torrents.length, 0);
  assert.ok(store.getSnapshot().log.some((e) => e.text.includes('its metadata had not arrived')));
});

test('a magnet still resolving at quit is saved as a magnet and fetched again on the next start', async (t) => {
  const dir = tempDir(t);
  const { meta, data } = randomTorrent({ name: 'later', sizes: [50_000] });
  // Its x.pe peer is not there yet: the first run cannot resolve it.
  const port = await freePort();
  const magnetText = magnetURI({ infoHash: meta.infoHash, name: 'later', peers: [{ host: '127.0.0.1', port }] });
  const pausedHash = 'cd'.repeat(20);

  const first = open(t, dir);
  await first.session.listen(0);
  await first.controller.add(magnetText);
  await first.controller.add(pausedHash);
  await first.controller.toggle(pausedHash);
  await first.service.save();
  await first.close();
  const saved = savedOnDisk(join(dir, 'state', 'session.json'));
  assert.deepEqual(
    saved.torrents.map((x: { magnet?: string; paused: boolean; torrentFile?: string }) => [x.magnet, x.paused, x.torrentFile]),
    [
      [magnetText, false, undefined],
      [`magnet:?xt=urn:btih:${pausedHash}`, true, undefined],
    ],
  );

  writeTorrentFiles(join(dir, 'seed'), meta, data);
  const seeder = new Session({ host: '127.0.0.1' });
  t.after(() => seeder.close());
  await seeder.listen(port);
  seeder.add(meta, { directory: join(dir, 'seed'), seedMode: true });

  const second = open(t, dir);
  await second.session.listen(0);
  assert.equal(await second.service.restore(), 2);
  second.store.refresh();
  const rows = second.store.getSnapshot().torrents;
  assert.deepEqual(
    rows.map((r) => [r.name, r.state]),
    [
      ['later', 'metadata'],
      [pausedHash, 'paused'],
    ],
  );
  await until('the torrent', () => second.session.get(meta.infoHash) !== undefined);
  await waitForDone(second.session.get(meta.infoHash)!, 20_000);
  assert.ok(existsSync(join(dir, 'dl', 'later')));
  assert.equal(second.service.summary(pausedHash)?.state, 'paused', 'the paused magnet stays paused');
});
