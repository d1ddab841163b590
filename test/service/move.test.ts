import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Metainfo } from '../../source/engine/metainfo/metainfo.js';
import { moveData, type MoveFs } from '../../source/service/move-data.js';
import { openService } from '../helpers/service.js';
import { randomTorrent, startSeeder, waitForDone, writeTorrentFiles } from '../helpers/swarm.js';
import { tempDir } from '../helpers/tools.js';

const exdev = async () => {
  throw Object.assign(new Error('EXDEV: cross-device link not permitted'), { code: 'EXDEV' });
};

/** Every file of the torrent under `directory` holds its bytes. */
function assertData(directory: string, meta: Metainfo, data: Buffer): void {
  for (const f of meta.files) {
    if (f.padding) continue;
    assert.ok(
      readFileSync(join(directory, ...f.path)).equals(data.subarray(f.offset, f.offset + f.length)),
      `${f.path.join('/')} in ${directory}`,
    );
  }
}

async function seeding(dir: string, t: import('node:test').TestContext, moveFs?: MoveFs, single = false) {
  const { meta, data } = randomTorrent({ name: 'moved', sizes: single ? [90_000] : [90_000, 40_000, 10], single });
  writeTorrentFiles(join(dir, 'dl'), meta, data);
  const s = openService(dir, { t, moveFs });
  const hash = await s.service.addMetainfo(meta, { directory: join(dir, 'dl') });
  await waitForDone(s.session.get(hash)!, 10_000);
  return { ...s, hash, meta, data };
}

test('move on one file system: renamed, the torrent follows, restarts seeding without a check, keeps its id', async (t) => {
  const dir = tempDir(t);
  const s = await seeding(dir, t);
  const id = s.service.ref(s.hash)!.id;
  let checked = 0;
  s.session.once('added', (again: import('../../source/engine/torrent/torrent.js').Torrent) => again.on('checking', () => checked++));
  assert.equal(await s.service.move(s.hash, join(dir, 'elsewhere')), true);
  assertData(join(dir, 'elsewhere'), s.meta, s.data);
  assert.ok(!existsSync(join(dir, 'dl', 'moved')), 'the old copy is gone');
  const torrent = s.session.get(s.hash)!;
  assert.equal(torrent.stats().directory, join(dir, 'elsewhere'));
  await waitForDone(torrent, 10_000);
  assert.equal(torrent.stats().state, 'seeding', 'running again, as before');
  assert.equal(checked, 0, 'its resume data came along: no check');
  assert.equal(s.service.ref(s.hash)!.id, id, 'the same id');
  assert.deepEqual(
    s.service.list().map((r) => r.id),
    [id],
    'not removed and added as another torrent',
  );
  const saved = s.service.savedSession().torrents[0]!;
  assert.equal(saved.directory, join(dir, 'elsewhere'));
  s.store.refresh();
  assert.ok(s.store.getSnapshot().log.some((e) => e.text.startsWith('moved moved to ')));
});

test('move across file systems (EXDEV): copied, sizes checked, old copy deleted; a paused torrent stays paused', async (t) => {
  const dir = tempDir(t);
  const fs: MoveFs = { rename: exdev, cp: fsp.cp };
  const s = await seeding(dir, t, fs);
  await s.service.stop(s.hash);
  assert.equal(await s.service.move(s.hash, join(dir, 'other-disk')), true);
  assertData(join(dir, 'other-disk'), s.meta, s.data);
  assert.ok(!existsSync(join(dir, 'dl', 'moved')));
  assert.equal(s.session.get(s.hash)!.isRunning, false, 'paused before, paused after');
  s.store.refresh();
  assert.ok(s.store.getSnapshot().log.some((e) => e.text.endsWith('(copied across file systems)')));
  await s.service.start(s.hash);
  await waitForDone(s.session.get(s.hash)!, 10_000);
  assert.equal(s.session.get(s.hash)!.stats().downloaded, 0, 'nothing fetched: the data is there');
});

test('move: a copy failing part way leaves the old copy whole, removes the partial one, and the torrent runs where it was', async (t) => {
  const dir = tempDir(t);
  // Copies the first file, then fails as a full disk would.
  const fs: MoveFs = {
    rename: exdev,
    cp: async (from, to) => {
      await fsp.mkdir(to, { recursive: true });
      await fsp.copyFile(join(from, 'file-0.bin'), join(to, 'file-0.bin'));
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    },
  };
  const s = await seeding(dir, t, fs);
  assert.equal(await s.service.move(s.hash, join(dir, 'full-disk')), false);
  assertData(join(dir, 'dl'), s.meta, s.data);
  assert.ok(!existsSync(join(dir, 'full-disk', 'moved')), 'the partial copy removed');
  const torrent = s.session.get(s.hash)!;
  assert.equal(torrent.stats().directory, join(dir, 'dl'));
  await waitForDone(torrent, 10_000);
  assert.equal(torrent.isRunning, true, 'restarted, as it was running');
  s.store.refresh();
  assert.ok(
    s.store.getSnapshot().log.some((e) => e.level === 'error' && /cannot move moved to .*disk full.*it stays where it was/.test(e.text)),
  );
  assert.equal(s.service.savedSession().torrents[0]!.directory, join(dir, 'dl'));
});

test('moveData: a copy whose sizes do not match is undone; a single file moves as a file; an existing target is refused', async (t) => {
  const dir = tempDir(t);
  await fsp.mkdir(join(dir, 'a', 'root'), { recursive: true });
  await fsp.writeFile(join(dir, 'a', 'root', 'x'), Buffer.alloc(1000, 1));
  const short: MoveFs = {
    rename: exdev,
    cp: async (from, to) => {
      await fsp.cp(from, to, { recursive: true });
      await fsp.truncate(join(to, 'x'), 10);
    },
  };
  await assert.rejects(moveData(join(dir, 'a', 'root'), join(dir, 'b', 'root'), ['x'], short), /copy of x is 10, not 1000 bytes/);
  assert.equal(readFileSync(join(dir, 'a', 'root', 'x')).length, 1000);
  assert.ok(!existsSync(join(dir, 'b', 'root')));

  await fsp.writeFile(join(dir, 'single.bin'), Buffer.alloc(500, 2));
  await fsp.mkdir(join(dir, 'c'));
  assert.deepEqual(await moveData(join(dir, 'single.bin'), join(dir, 'c', 'single.bin'), [''], { rename: exdev, cp: fsp.cp }), {
    how: 'copied',
  });
  assert.equal(readFileSync(join(dir, 'c', 'single.bin')).length, 500);
  assert.ok(!existsSync(join(dir, 'single.bin')));

  await fsp.mkdir(join(dir, 'd', 'root'), { recursive: true });
  await assert.rejects(moveData(join(dir, 'a', 'root'), join(dir, 'd', 'root'), ['x']), /already exists/);
  assert.ok(existsSync(join(dir, 'a', 'root', 'x')));
});

test('move of a single-file torrent on one file system', async (t) => {
  const dir = tempDir(t);
  const s = await seeding(dir, t, undefined, true);
  assert.equal(await s.service.move(s.hash, join(dir, 'films')), true);
  assertData(join(dir, 'films'), s.meta, s.data);
  await waitForDone(s.session.get(s.hash)!, 10_000);
  assert.equal(s.session.get(s.hash)!.stats().downloaded, 0);
});

test('set location without moving: the data stays, the torrent looks for it in the new directory', async (t) => {
  const dir = tempDir(t);
  const s = await seeding(dir, t);
  writeTorrentFiles(join(dir, 'copy'), s.meta, s.data);
  assert.equal(await s.service.move(s.hash, join(dir, 'copy'), { moveData: false }), true);
  assertData(join(dir, 'dl'), s.meta, s.data);
  const torrent = s.session.get(s.hash)!;
  assert.equal(torrent.stats().directory, join(dir, 'copy'));
  await waitForDone(torrent, 10_000);
  assert.equal(torrent.stats().downloaded, 0, 'found there');
  s.store.refresh();
  assert.ok(s.store.getSnapshot().log.some((e) => e.text === `moved now looks for its data in ${join(dir, 'copy')}`));
});

test('during a move the torrent stays listed and readable, and other actions on it wait for the move to end', async (t) => {
  const dir = tempDir(t);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let copying!: () => void;
  const started = new Promise<void>((resolve) => (copying = resolve));
  const fs: MoveFs = {
    rename: exdev,
    cp: async (from, to, options) => {
      copying();
      await gate;
      await fsp.cp(from, to, options);
    },
  };
  const s = await seeding(dir, t, fs);
  const id = s.service.ref(s.hash)!.id;
  const moving = s.service.move(s.hash, join(dir, 'slow-disk'));
  await started;
  assert.equal(s.service.summary(s.hash)!.id, id, 'still listed, with a summary');
  assert.equal(s.service.summary(s.hash)!.state, 'paused', 'stopped while it moves');
  await s.service.start(s.hash);
  await s.service.remove(s.hash);
  assert.equal(await s.service.move(s.hash, join(dir, 'third')), false);
  assert.equal(s.session.get(s.hash)!.isRunning, false, 'not started under the move');
  release();
  assert.equal(await moving, true);
  await waitForDone(s.session.get(s.hash)!, 10_000);
  assertData(join(dir, 'slow-disk'), s.meta, s.data);
  assert.deepEqual(
    s.service.list().map((r) => r.id),
    [id],
    'not removed',
  );
  s.store.refresh();
  assert.equal(s.store.getSnapshot().log.filter((e) => e.text === 'moved is being moved: try again when the move is over').length, 2);
});

test('a moved torrent keeps its transfer totals and completion date (the engine torrent is made anew there)', async (t) => {
  const dir = tempDir(t);
  const { meta, data } = randomTorrent({ name: 'fetched', sizes: [120_000, 30_000] });
  const seeder = await startSeeder(t, meta, data, join(dir, 'seed'));
  const s = openService(dir, { t });
  const hash = await s.service.addMetainfo(meta, { directory: join(dir, 'dl') });
  s.session.get(hash)!.addPeers([{ host: '127.0.0.1', port: seeder.port }]);
  await waitForDone(s.session.get(hash)!, 10_000);
  const before = s.service.summary(hash)!;
  assert.ok(before.downloaded >= 150_000, `downloaded ${before.downloaded}`);
  assert.ok(before.completedAt, 'completed');
  assert.equal(await s.service.move(hash, join(dir, 'elsewhere')), true);
  const after = s.service.summary(hash)!;
  assert.equal(after.downloaded, before.downloaded);
  assert.equal(after.uploaded, before.uploaded);
  assert.equal(after.completedAt, before.completedAt);
  assert.equal(s.service.savedSession().torrents[0]!.downloaded, before.downloaded, 'and so does session.json');
});
