import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Session } from '../../source/engine/session/session.js';
import { readSessionFile } from '../../source/session-state/session-file.js';
import { encodeTorrentFile } from '../../source/engine/metainfo/encode-torrent-file.js';
import { WatchDirectory } from '../../source/service/watch-directory.js';
import { openService } from '../helpers/service.js';
import { tempDir } from '../helpers/tools.js';
import { randomTorrent, waitForDone, writeTorrentFiles } from '../helpers/swarm.js';
import { sessionForEditing } from '../helpers/saved-session.js';

const open = (dir: string) => openService(dir);

test('the session survives a restart: torrents, paused state, priorities, totals; complete data is not downloaded again', async (t) => {
  const dir = tempDir(t);
  const complete = randomTorrent({ name: 'complete', sizes: [100_000, 20_000] });
  const partial = randomTorrent({ name: 'paused-one', sizes: [60_000, 60_000] });
  writeTorrentFiles(join(dir, 'seed'), complete.meta, complete.data);
  const seeder = new Session({ host: '127.0.0.1' });
  t.after(() => seeder.close());
  await seeder.listen(0);
  seeder.add(complete.meta, { directory: join(dir, 'seed'), seedMode: true });

  const first = open(dir);
  await first.session.listen(0);
  const a = await first.service.addMetainfo(complete.meta, { directory: join(dir, 'data') });
  first.session.get(a)!.addPeers([{ host: '127.0.0.1', port: seeder.port }]);
  const b = await first.service.addMetainfo(partial.meta, { directory: join(dir, 'dl') });
  await waitForDone(first.session.get(a)!, 20_000);
  await first.controller.toggle(b);
  first.controller.changeFilePriority(b, 0, -1);
  first.controller.changePriority(a, 1);
  await first.service.save();
  await first.close();

  const path = join(dir, 'state', 'session.json');
  const saved = sessionForEditing(path);
  assert.equal(saved.torrents.length, 2);
  assert.ok(!readdirSync(join(dir, 'state')).some((n) => n.endsWith('.tmp')), 'no temp file left behind');
  // Totals of earlier runs come back from the file.
  saved.torrents.find((x) => x.infoHash === a)!.uploaded = 12345;
  writeFileSync(path, JSON.stringify(saved));

  const second = open(dir);
  t.after(second.close);
  assert.equal(await second.service.restore(), 2);
  await waitForDone(second.session.get(a)!, 10_000);
  second.store.refresh();
  const rows = second.store.getSnapshot().torrents;
  assert.deepEqual(
    rows.map((r) => r.name),
    ['complete', 'paused-one'],
  );
  assert.equal(rows[0]!.state, 'seeding');
  assert.equal(rows[0]!.priority, 3);
  assert.equal(rows[0]!.uploaded, 12345);
  assert.equal(rows[1]!.state, 'paused');
  assert.deepEqual(
    second.service.files(b)!.map((f) => f.priority),
    [0, 1],
  );
  assert.equal(second.session.get(a)!.stats().downloaded, 0, 'nothing fetched again');
});

test('ephemeral (demo) torrents are never saved', async (t) => {
  const dir = tempDir(t);
  const s = open(dir);
  t.after(s.close);
  await s.service.addMetainfo(randomTorrent({ name: 'demo', sizes: [1000] }).meta, {
    directory: join(dir, 'dl'),
    ephemeral: true,
    paused: true,
  });
  await s.service.save();
  const { session } = await readSessionFile(s.service.sessionPath);
  assert.deepEqual(session.torrents, []);
});

test('changes that matter are saved without an explicit save (debounced)', async (t) => {
  const dir = tempDir(t);
  const s = open(dir);
  t.after(s.close);
  await s.service.addMetainfo(randomTorrent({ name: 'auto', sizes: [1000] }).meta, { directory: join(dir, 'dl'), paused: true });
  // An add is saved before it resolves.
  assert.deepEqual(
    (await readSessionFile(s.service.sessionPath)).session.torrents.map((x) => x.paused),
    [true],
  );
  // A completion is the engine's news, not an action: saved after the debounce, unasked.
  const { meta, data } = randomTorrent({ name: 'completes', sizes: [3000] });
  writeTorrentFiles(join(dir, 'dl'), meta, data);
  const hash = await s.service.addMetainfo(meta, { directory: join(dir, 'dl') });
  await waitForDone(s.session.get(hash)!, 10_000);
  await new Promise((resolve) => setTimeout(resolve, 150));
  const { session } = await readSessionFile(s.service.sessionPath);
  assert.deepEqual(
    session.torrents.map((x) => x.paused),
    [true, false],
  );
  assert.equal(typeof session.torrents[1]!.completedAt, 'number');
});

test('a damaged session file is reported, not fatal', async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'state'), { recursive: true });
  writeFileSync(
    join(dir, 'state', 'session.json'),
    JSON.stringify({
      version: 1,
      torrents: [{ infoHash: 'zz' }, { infoHash: 'a'.repeat(40), torrentFile: 'torrents/missing.torrent', directory: '/x' }],
    }),
  );
  const s = open(dir);
  t.after(s.close);
  assert.equal(await s.service.restore(), 0);
  s.store.refresh();
  const log = s.store
    .getSnapshot()
    .log.map((e) => e.text)
    .join('\n');
  assert.match(log, /malformed session entry/);
  assert.match(log, /cannot restore a{40}/);
});

test('watch directory: a dropped .torrent is added and moved aside; a bad one goes to failed/', async (t) => {
  const dir = tempDir(t);
  const s = open(dir);
  t.after(s.close);
  const watch = join(dir, 'watch');
  mkdirSync(watch);
  const { meta } = randomTorrent({ name: 'dropped', sizes: [1000] });
  writeFileSync(join(watch, 'dropped.torrent'), encodeTorrentFile(meta));
  writeFileSync(join(watch, 'bad.torrent'), 'garbage');
  const watcher = new WatchDirectory(watch, s.service);
  assert.equal(await watcher.scan(), 1);
  assert.ok(s.session.get(meta.infoHash));
  assert.ok(existsSync(join(watch, 'added', 'dropped.torrent')));
  assert.ok(existsSync(join(watch, 'failed', 'bad.torrent')));
  assert.equal(await watcher.scan(), 0, 'taken once');
});
