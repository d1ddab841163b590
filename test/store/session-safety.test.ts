import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Session } from '../../source/engine/session/session.js';
import type { TorrentStore } from '../../source/store/torrent-store.js';
import { openService } from '../helpers/service.js';
import { tempDir } from '../helpers/tools.js';
import { randomTorrent, waitForDone, writeTorrentFiles } from '../helpers/swarm.js';
import { savedOnDisk } from '../helpers/saved-session.js';

const open = (dir: string) => openService(dir);

const logText = (store: TorrentStore) =>
  store
    .getSnapshot()
    .log.map((e) => e.text)
    .join('\n');

test('recheck saves the resume data it found, without "storage is closed"', async (t) => {
  const dir = tempDir(t);
  const { meta, data } = randomTorrent({ name: 'rechecked', sizes: [70_000, 30_000] });
  writeTorrentFiles(join(dir, 'dl'), meta, data);
  const s = open(dir);
  t.after(s.close);
  const hash = await s.service.addMetainfo(meta, { directory: join(dir, 'dl'), paused: true });
  await s.controller.recheck(hash);
  s.store.refresh();
  assert.doesNotMatch(logText(s.store), /cannot save resume data/);
  assert.match(logText(s.store), /recheck of rechecked: 4\/4 pieces good/);
  assert.ok(existsSync(s.resume(hash)), 'the resume file written');
});

test('removing a torrent removes its resume file and its .torrent copy', async (t) => {
  const dir = tempDir(t);
  const { meta, data } = randomTorrent({ name: 'removed', sizes: [70_000] });
  writeTorrentFiles(join(dir, 'dl'), meta, data);
  const s = open(dir);
  t.after(s.close);
  const hash = await s.service.addMetainfo(meta, { directory: join(dir, 'dl') });
  await waitForDone(s.session.get(hash)!, 10_000);
  await s.session.get(hash)!.stop();
  assert.ok(existsSync(s.resume(hash)));
  assert.ok(existsSync(s.service.torrentFilePath(hash)));
  await s.controller.remove(hash, false);
  assert.ok(!existsSync(s.resume(hash)), 'no resume file left behind');
  assert.ok(!existsSync(s.service.torrentFilePath(hash)), 'no .torrent copy left behind');
  assert.ok(existsSync(join(dir, 'dl', 'removed')), 'the data kept');
});

test('a paused torrent shows its saved progress after a restart, without being started', async (t) => {
  const dir = tempDir(t);
  const { meta, data } = randomTorrent({ name: 'paused-at-some', sizes: [100_000, 60_000] });
  writeTorrentFiles(join(dir, 'dl'), meta, data);
  const first = open(dir);
  const hash = await first.service.addMetainfo(meta, { directory: join(dir, 'dl') });
  await waitForDone(first.session.get(hash)!, 10_000);
  const before = first.session.get(hash)!.stats();
  await first.controller.toggle(hash);
  await first.service.save();
  await first.close();
  assert.equal(before.havePieces, before.pieceCount);

  const second = open(dir);
  t.after(second.close);
  assert.equal(await second.service.restore(), 1);
  second.store.refresh();
  const torrent = second.session.get(hash)!;
  assert.equal(torrent.isRunning, false, 'still paused');
  const row = second.store.getSnapshot().torrents[0]!;
  assert.equal(row.state, 'paused');
  assert.equal(torrent.stats().havePieces, before.havePieces, 'have count from the resume data');
  assert.equal(row.progress, before.progress);
});

test('progress does not go backwards across a restart for a torrent with a skipped file', async (t) => {
  const dir = tempDir(t);
  // 16 KiB pieces over 100 000, 50 000 and 100 000 bytes: two pieces straddle the skipped middle file.
  const { meta, data } = randomTorrent({ name: 'with-skipped', sizes: [100_000, 50_000, 100_000], pieceLength: 16_384 });
  writeTorrentFiles(join(dir, 'seed'), meta, data);
  const seeder = new Session({ host: '127.0.0.1' });
  t.after(() => seeder.close());
  await seeder.listen(0);
  seeder.add(meta, { directory: join(dir, 'seed'), seedMode: true });

  const first = open(dir);
  await first.session.listen(0);
  const hash = await first.service.addMetainfo(meta, { directory: join(dir, 'dl'), filePriorities: Uint8Array.of(1, 0, 1) });
  first.session.get(hash)!.addPeers([{ host: '127.0.0.1', port: seeder.port }]);
  await waitForDone(first.session.get(hash)!, 20_000);
  const before = first.session.get(hash)!.stats();
  await first.service.save();
  await first.close();

  const second = open(dir);
  t.after(second.close);
  await second.service.restore();
  const torrent = second.session.get(hash)!;
  // Before the fix the resume data was thrown away, a check lost the two straddling pieces, and it downloaded again.
  await waitForDone(torrent, 5_000);
  const after = torrent.stats();
  assert.equal(after.havePieces, before.havePieces);
  assert.equal(after.progress, before.progress);
  assert.equal(after.downloaded, 0, 'nothing downloaded again');
});

test('an unreadable session.json is set aside, nothing is saved over it, and the list is rebuilt from the .torrent copies on request', async (t) => {
  const dir = tempDir(t);
  const complete = randomTorrent({ name: 'had-data', sizes: [50_000] });
  const other = randomTorrent({ name: 'never-started', sizes: [20_000] });
  writeTorrentFiles(join(dir, 'custom'), complete.meta, complete.data);
  const first = open(dir);
  const a = await first.service.addMetainfo(complete.meta, { directory: join(dir, 'custom') });
  await waitForDone(first.session.get(a)!, 10_000);
  const b = await first.service.addMetainfo(other.meta, { directory: join(dir, 'elsewhere'), paused: true });
  await first.service.save();
  await first.close();
  const path = join(dir, 'state', 'session.json');
  const damaged = `${readFileSync(path, 'utf8')}garbage{`;
  writeFileSync(path, damaged);

  const second = open(dir);
  t.after(second.close);
  assert.equal(await second.service.restore(), 0);
  const recovery = second.service.recovery!;
  assert.match(recovery.problem, /session\.json is not valid JSON: unexpected "g" after the end at line \d+, column 1/);
  assert.match(recovery.setAside!, /session\.json\.bad-\d{4}-\d\d-\d\dT/);
  assert.equal(readFileSync(recovery.setAside!, 'utf8'), damaged, 'set aside unchanged');
  assert.equal(recovery.torrentFiles.length, 2);
  await second.service.save();
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.ok(!existsSync(path), 'nothing saved before the user answers');

  assert.equal(await second.service.rebuild(join(dir, 'default')), 2);
  await waitForDone(second.session.get(a)!, 10_000);
  assert.equal(second.session.get(a)!.stats().directory, join(dir, 'custom'), 'the directory made out of the damaged file');
  assert.equal(second.session.get(a)!.stats().downloaded, 0);
  assert.equal(second.session.get(b)!.isRunning, false, 'no data found: paused');
  const saved = savedOnDisk(path);
  assert.deepEqual(saved.torrents.map((x: { infoHash: string }) => x.infoHash).sort(), [a, b].sort());
});

test('session.json missing while .torrent copies exist: the rebuild is offered; declined, the list is saved as it is', async (t) => {
  const dir = tempDir(t);
  const first = open(dir);
  await first.service.addMetainfo(randomTorrent({ name: 'orphan', sizes: [1000] }).meta, { directory: join(dir, 'dl'), paused: true });
  await first.close();
  // The add was saved before it resolved: a session file lost afterwards (deleted by hand) leaves only the .torrent copy.
  rmSync(join(dir, 'state', 'session.json'));

  const second = open(dir);
  t.after(second.close);
  await second.service.restore();
  assert.match(second.service.recovery!.problem, /missing/);
  assert.equal(second.service.recovery!.torrentFiles.length, 1);
  await second.service.keepAsIs();
  assert.equal(second.service.recovery, undefined);
  assert.deepEqual(savedOnDisk(join(dir, 'state', 'session.json')).torrents, []);
});
