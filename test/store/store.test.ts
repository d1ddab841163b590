import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseMetainfo } from '../../source/engine/metainfo/metainfo.js';
import { Session } from '../../source/engine/session/session.js';
import { encodeTorrentFile } from '../../source/engine/metainfo/encode-torrent-file.js';
import { DemoTracker } from '../../source/demo/tracker.js';
import { metainfoFromFiles } from '../../source/engine/storage/metainfo-from-files.js';
import { openService } from '../helpers/service.js';
import { tempDir } from '../helpers/tools.js';
import { randomTorrent, waitForDone, writeTorrentFiles } from '../helpers/swarm.js';

/** The controller's add answer as the info-hash, or undefined when it was refused (with the reason). */
const addedHash = (r: { hash: string } | { error: string }) => ('hash' in r ? r.hash : undefined);

function setup(t: import('node:test').TestContext) {
  const dir = tempDir(t);
  return { dir, ...openService(dir, { t }) };
}

test('rows are rebuilt only for torrents that changed; unchanged rows keep their identity', async (t) => {
  const { session, store, service } = setup(t);
  const hashes: string[] = [];
  for (let i = 0; i < 3; i++)
    hashes.push(
      await service.addMetainfo(randomTorrent({ name: `t${i}`, sizes: [40_000] }).meta, {
        directory: '/nonexistent',
        paused: true,
        ephemeral: true,
      }),
    );
  store.refresh();
  const first = store.getSnapshot();
  assert.equal(first.torrents.length, 3);
  assert.deepEqual(
    first.torrents.map((r) => r.name),
    ['t0', 't1', 't2'],
  );
  assert.equal(store.refresh(), false, 'nothing changed: no new snapshot');
  assert.equal(store.getSnapshot(), first);

  await service.setPriority(hashes[1]!, 3);
  assert.equal(store.refresh(), true);
  const second = store.getSnapshot();
  assert.equal(second.version, first.version + 1);
  assert.equal(second.torrents[0], first.torrents[0], 'untouched row reused');
  assert.notEqual(second.torrents[1], first.torrents[1]);
  assert.equal(second.torrents[1]!.priority, 3);

  await session.remove(hashes[0]!);
  store.refresh();
  assert.deepEqual(
    store.getSnapshot().torrents.map((r) => r.name),
    ['t1', 't2'],
  );
});

test('a download from a loopback seeder shows in snapshots: progress, completion in the log, detail data', async (t) => {
  const { dir, session, store, service } = setup(t);
  const { meta, data } = randomTorrent({ name: 'movie', sizes: [300_000, 50_000] });
  writeTorrentFiles(join(dir, 'seed'), meta, data);
  const seeder = new Session({ host: '127.0.0.1' });
  t.after(() => seeder.close());
  await seeder.listen(0);
  seeder.add(meta, { directory: join(dir, 'seed'), seedMode: true });
  await session.listen(0);
  const hash = await service.addMetainfo(meta, { directory: join(dir, 'dl') });
  session.get(hash)!.addPeers([{ host: '127.0.0.1', port: seeder.port }]);
  let published = 0;
  store.subscribe(() => published++);
  await waitForDone(session.get(hash)!, 20_000);
  store.focus(hash);
  store.refresh();
  const snap = store.getSnapshot();
  const row = snap.torrents[0]!;
  assert.equal(row.state, 'seeding');
  assert.equal(row.progress, 1);
  assert.ok(row.completedAt);
  assert.ok(published >= 1);
  assert.ok(
    snap.log.some((e) => e.text === 'completed movie'),
    JSON.stringify(snap.log),
  );
  assert.equal(snap.detail?.infoHash, hash);
  assert.equal(snap.detail!.files.length, 2);
  assert.ok(snap.detail!.files.every((f) => f.progress === 1));
  assert.equal(snap.detail!.pieces.pieceCount, meta.pieceCount);
});

test('add: a .torrent path is added and copied; bad files and bad magnets log an error', async (t) => {
  const { dir, session, store, controller, service } = setup(t);
  const { meta } = randomTorrent({ name: 'from-file', sizes: [20_000] });
  const file = join(dir, 'x.torrent');
  writeFileSync(file, encodeTorrentFile(meta));
  const hash = addedHash(await controller.add(file));
  assert.equal(hash, meta.infoHash);
  assert.ok(session.get(meta.infoHash));
  assert.ok(existsSync(service.torrentFilePath(meta.infoHash)), 'a copy kept for the session');

  assert.equal(addedHash(await controller.add('magnet:?xt=urn:btih:nothex')), undefined);
  writeFileSync(join(dir, 'junk.torrent'), 'not bencode');
  assert.equal(addedHash(await controller.add(join(dir, 'junk.torrent'))), undefined);
  store.refresh();
  const log = store.getSnapshot().log.map((e) => `${e.level} ${e.text}`);
  assert.ok(
    log.some((l) => l.startsWith('error cannot add magnet:?xt=urn:btih:nothex')),
    log.join('\n'),
  );
  assert.ok(
    log.some((l) => l.startsWith('error cannot add') && l.includes('junk.torrent')),
    log.join('\n'),
  );
  // A huge pasted magnet is not echoed whole into the log.
  assert.equal(addedHash(await controller.add(`magnet:?xt=urn:btih:nothex&dn=${'x'.repeat(100_000)}`)), undefined);
  store.refresh();
  const last = store.getSnapshot().log.at(-1)!;
  assert.ok(last.text.startsWith('cannot add magnet:') && last.text.length < 400, `log line of ${last.text.length} characters`);
  store.refresh();
  assert.equal(store.getSnapshot().torrents.length, 1);
  assert.equal(session.list().length, 1);

  await controller.remove(meta.infoHash, false);
  assert.equal(session.list().length, 0);
  assert.ok(!existsSync(service.torrentFilePath(meta.infoHash)));
});

test('encodeTorrentFile keeps the exact info dictionary (same info-hash) and the trackers', () => {
  const { meta } = metainfoFromFiles({
    name: 'n',
    pieceLength: 16384,
    files: [{ path: ['a'], data: Buffer.alloc(1000, 1) }],
    announce: 'http://t.example/announce',
  });
  const back = parseMetainfo(encodeTorrentFile(meta));
  assert.equal(back.infoHash, meta.infoHash);
  assert.deepEqual(back.announce, [['http://t.example/announce']]);
});

test("scrape asks the torrent's trackers and puts the counts in the detail and the log", async (t) => {
  const { session, store, controller, service } = setup(t);
  const tracker = new DemoTracker();
  const announce = await tracker.listen();
  t.after(() => tracker.close());
  const { meta } = metainfoFromFiles({
    name: 'scraped',
    pieceLength: 16384,
    files: [{ path: ['a'], data: Buffer.alloc(5000, 2) }],
    announce,
  });
  const hash = await service.addMetainfo(meta, { directory: '/nonexistent', paused: true, ephemeral: true });
  // One complete peer known to the tracker.
  await fetch(`${announce}?info_hash=${escape(meta.infoHashBuffer.toString('latin1'))}&peer_id=${'x'.repeat(20)}&port=7000&left=0`);
  store.focus(hash);
  await controller.scrape(hash);
  store.refresh();
  const snap = store.getSnapshot();
  const row = snap.detail!.trackers[0]!;
  assert.equal(row.seeders, 1);
  assert.equal(row.leechers, 0);
  assert.equal(row.completed, 0);
  assert.ok(row.lastScrapeAt);
  assert.ok(snap.log.some((e) => e.text.includes('1 seeders, 0 leechers, 0 completed')));
  void session;
});

test('file priorities reach the engine and the detail; torrent priority is kept per torrent', async (t) => {
  const { session, store, controller, service } = setup(t);
  const { meta } = randomTorrent({ name: 'multi', sizes: [20_000, 30_000, 40_000] });
  const hash = await service.addMetainfo(meta, { directory: '/nonexistent', paused: true, ephemeral: true });
  store.focus(hash);
  controller.changeFilePriority(hash, 1, -1);
  controller.changeFilePriority(hash, 2, 1);
  controller.changeFilePriority(hash, 2, 1);
  assert.deepEqual(
    service.files(hash)!.map((f) => f.priority),
    [1, 0, 2],
  );
  store.refresh();
  assert.deepEqual(
    store.getSnapshot().detail!.files.map((f) => f.priority),
    [1, 0, 2],
  );
  controller.changePriority(hash, 1);
  controller.changePriority(hash, 1);
  store.refresh();
  assert.equal(store.getSnapshot().torrents[0]!.priority, 3);
  void session;
});

test('limits: the controller sets them on the engine and the status shows them', (t) => {
  const { session, store, controller } = setup(t);
  controller.stepLimit('download', 'down');
  store.refresh();
  assert.equal(store.getSnapshot().global.downloadLimit, 1024 * 1024);
  assert.equal(session.stats().downloadLimit, 1024 * 1024);
  controller.stepLimit('download', 'up');
  controller.stepLimit('upload', 'down');
  controller.stepLimit('upload', 'down');
  store.refresh();
  assert.equal(store.getSnapshot().global.downloadLimit, 2 * 1024 * 1024);
  assert.equal(store.getSnapshot().global.uploadLimit, 512 * 1024);
});

test('the metainfo view is the `btui metainfo` summary', async (t) => {
  const { controller, service } = setup(t);
  const { meta } = randomTorrent({ name: 'shown', sizes: [1000, 2000] });
  const hash = await service.addMetainfo(meta, { directory: '/nonexistent', paused: true, ephemeral: true });
  const text = controller.metainfoText(hash)!;
  assert.match(text, /^Name\s+shown$/m);
  assert.match(text, new RegExp(`Info hash\\s+${hash}`));
  assert.match(text, /^Files$/m);
});

test('n: a torrent made from a file is seeded at once and its magnet logged', async (t) => {
  const { dir, session, store, controller } = setup(t);
  const file = join(dir, 'share.bin');
  writeFileSync(file, Buffer.alloc(70_000, 7));
  const magnets = await controller.create(file);
  assert.equal(magnets.length, 1);
  assert.match(magnets[0]!, /^magnet:\?xt=urn:btih:[0-9a-f]{40}&dn=share\.bin/);
  const torrent = session.list()[0]!;
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(torrent.state, 'seeding');
  store.refresh();
  assert.ok(store.getSnapshot().log.some((e) => e.text.includes(magnets[0]!)));
  const { closeDefaultHashPool } = await import('../../source/engine/hashing/hasher.js');
  await closeDefaultHashPool();
});

test('Tab completion: unique names complete (directories get a slash), ambiguous ones list the choices', async (t) => {
  const { dir } = setup(t);
  const { mkdirSync } = await import('node:fs');
  const { completePath } = await import('../../source/store/path-complete.js');
  mkdirSync(join(dir, 'movies'));
  writeFileSync(join(dir, 'music-a.torrent'), '');
  writeFileSync(join(dir, 'music-b.torrent'), '');
  assert.deepEqual(await completePath('mov', dir), { text: 'movies/', candidates: [] });
  assert.deepEqual(await completePath('mu', dir), { text: 'music-', candidates: ['music-a.torrent', 'music-b.torrent'] });
  assert.deepEqual(await completePath(`${dir}/music-b`, '/'), { text: `${dir}/music-b.torrent`, candidates: [] });
  assert.deepEqual(await completePath('nothing-here', dir), { text: 'nothing-here', candidates: [] });
});

test("the store follows the service by itself: an action's result is published soon, a burst in one snapshot", async (t) => {
  const { store, service } = setup(t);
  let published = 0;
  store.subscribe(() => published++);
  const metas = [0, 1, 2, 3, 4].map((i) => randomTorrent({ name: `burst-${i}`, sizes: [1000] }).meta);
  await Promise.all(metas.map((meta) => service.addMetainfo(meta, { directory: '/nonexistent', paused: true, ephemeral: true })));
  assert.equal(published, 0, 'not synchronously: changes are coalesced');
  await new Promise((resolve) => setTimeout(resolve, 150));
  assert.equal(published, 1, 'five adds, one snapshot');
  assert.equal(store.getSnapshot().torrents.length, 5);
  await service.setPriority(metas[2]!.infoHash, 3);
  await new Promise((resolve) => setTimeout(resolve, 150));
  assert.equal(published, 2);
  assert.equal(store.getSnapshot().torrents[2]!.priority, 3);
});

test("a .torrent given as bytes (Transmission's metainfo) is added; garbage is one logged error", async (t) => {
  const { store, service } = setup(t);
  const { meta } = randomTorrent({ name: 'as-bytes', sizes: [1000] });
  assert.equal(await service.addTorrentBytes(encodeTorrentFile(meta), { paused: true }), meta.infoHash);
  assert.equal(service.summary(meta.infoHash)!.name, 'as-bytes');
  assert.equal(await service.addTorrentBytes(Buffer.from('nonsense'), { paused: true }), undefined);
  store.refresh();
  assert.ok(store.getSnapshot().log.some((e) => e.level === 'error' && e.text.startsWith('cannot add the torrent given: ')));
});
