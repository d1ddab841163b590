import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { rowFor } from '../../source/store/row.js';
import { sessionPreview } from '../../source/store/session-preview.js';
import { journalPathFor } from '../../source/session-state/session-journal.js';
import type { SavedTorrent } from '../../source/session-state/session-file.js';
import { openService } from '../helpers/service.js';
import { randomTorrent, writeTorrentFiles } from '../helpers/swarm.js';
import { tempDir } from '../helpers/tools.js';
import { sessionForEditing } from '../helpers/saved-session.js';

/** A saved session: a complete torrent (labels, high priority, totals), a paused one half there, a magnet still without metadata. */
async function savedSession(
  dir: string,
  { crash = false } = {},
): Promise<{ complete: string; partial: string; magnet: string; atClose?: readonly SavedTorrent[] }> {
  const whole = randomTorrent({ name: 'complete', sizes: [100_000, 20_000] });
  const half = randomTorrent({ name: 'half-there', pieceLength: 16384, sizes: [60_000, 60_000] });
  writeTorrentFiles(join(dir, 'data'), whole.meta, whole.data);
  // Only the first file of the second one: some pieces check, the rest do not.
  writeTorrentFiles(join(dir, 'data'), { ...half.meta, files: half.meta.files.slice(0, 1) }, half.data);
  const first = openService(dir);
  const complete = await first.service.addMetainfo(whole.meta, { directory: join(dir, 'data'), labels: ['linux', 'iso'], priority: 3 });
  const partial = await first.service.addMetainfo(half.meta, { directory: join(dir, 'data'), paused: true });
  await first.service.verify(partial);
  const magnet = (await first.service.addMagnet(
    'magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=still%20fetching&tr=http%3A%2F%2Ftracker.example%3A1%2Fa',
    { directory: join(dir, 'data'), paused: true },
  ))!;
  // Complete and checked before the session is saved (a seeding torrent with its resume data).
  const deadline = Date.now() + 20_000;
  while (first.service.summary(complete)!.state !== 'seeding' || first.service.summary(partial)!.state === 'checking') {
    if (Date.now() > deadline) throw new Error(`not settled: ${first.service.summary(complete)!.state}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  if (crash) {
    // Saved as a running session saves (appended to the journal), then gone without the whole write of a clean exit.
    await first.service.save();
    assert.ok(existsSync(journalPathFor(first.service.sessionPath)), 'the journal holds the later changes');
  }
  let atClose: readonly SavedTorrent[] | undefined;
  if (!crash) {
    await first.service.close();
    // What the TUI draws the next first frame from: from memory, even with session.json gone.
    const path = join(dir, 'state', 'session.json');
    const text = readFileSync(path);
    rmSync(path);
    atClose = await first.service.savedSessionOnDisk();
    writeFileSync(path, text);
  }
  await first.close();
  return { complete, partial, magnet, atClose };
}

for (const crash of [false, true])
  test(`the first frame's rows from session.json${crash ? ' and its journal (after a crash)' : ''} are the rows the restored (still held) torrents show`, async (t) => {
    const dir = tempDir(t);
    const { complete, partial, magnet, atClose } = await savedSession(dir, { crash });
    const second = openService(dir, { t });
    const saved = await second.service.readSavedSession();
    if (!crash) assert.equal(JSON.stringify(atClose), JSON.stringify(saved), 'the session close kept in memory is the one read back');
    const preview = sessionPreview(saved);
    assert.ok(preview, 'every entry has its listed figures');
    assert.deepEqual([...preview.keys()], [complete, partial, magnet]);
    const half = preview.get(partial)!;
    assert.ok(half.havePieces > 0 && half.havePieces < half.pieceCount, `partly there: ${half.havePieces} of ${half.pieceCount}`);

    assert.equal(await second.service.restore({ startLater: true, saved }), 3);
    for (const hash of [complete, partial, magnet]) {
      const restored = rowFor(second.service.summary(hash)!);
      assert.deepEqual(preview.get(hash), restored, `the row of ${restored.name}`);
    }
    assert.equal(preview.get(complete)!.state, 'queued');
    assert.deepEqual(preview.get(complete)!.labels, ['linux', 'iso']);
    assert.equal(preview.get(partial)!.state, 'paused');
  });

test('the store lists every saved torrent before any is opened; an action on one not yet opened waits for it', async (t) => {
  const dir = tempDir(t);
  const { complete, partial } = await savedSession(dir);
  const second = openService(dir, { t });
  const local = second.store.sources[0] as import('../../source/store/local-source.js').LocalSource;
  const saved = await second.service.readSavedSession();
  local.showPreview(sessionPreview(saved)!);
  second.store.refresh();
  assert.deepEqual(
    second.store.getSnapshot().torrents.map((r) => r.name),
    ['complete', 'half-there', 'still fetching'],
  );
  // Resumed before it exists in the service: done once the restore has opened it.
  const resumed = second.controller.toggle(partial);
  assert.equal(second.service.has(partial), false);
  await second.service.restore({ startLater: true, saved });
  local.endPreview();
  second.service.startRestored();
  await resumed;
  assert.equal(second.service.summary(partial)!.userPaused, false);
  second.store.refresh();
  const rows = second.store.getSnapshot().torrents;
  assert.deepEqual(
    rows.map((r) => r.infoHash),
    [...saved.map((s) => s.infoHash)],
  );
  // The rows are the service's own now (a row kept from the preview would still say paused).
  assert.equal(rows.find((r) => r.infoHash === partial)!.state === 'paused', false);
  assert.ok(rows.find((r) => r.infoHash === complete));
});

test('a session file from before the listed figures were saved has no preview (the torrents open before the first frame)', async (t) => {
  const dir = tempDir(t);
  await savedSession(dir);
  const path = join(dir, 'state', 'session.json');
  const file = sessionForEditing(path) as unknown as { torrents: { listed?: unknown }[] };
  delete file.torrents[1]!.listed;
  writeFileSync(path, JSON.stringify(file));
  const second = openService(dir, { t });
  assert.equal(sessionPreview(await second.service.readSavedSession()), undefined);
});
