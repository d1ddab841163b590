import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { HashPool } from '../../../source/engine/hashing/hasher.js';
import { metainfoFromFiles } from '../../../source/engine/storage/metainfo-from-files.js';
import { Storage } from '../../../source/engine/storage/storage.js';
import { tempDir } from '../../helpers/tools.js';

function missing(have: { get(i: number): boolean; length: number }): number[] {
  const out: number[] = [];
  for (let i = 0; i < have.length; i++) if (!have.get(i)) out.push(i);
  return out;
}

function sharedPool(t: { after(fn: () => unknown): void }): HashPool {
  const pool = new HashPool({ size: 2 });
  t.after(() => pool.close());
  return pool;
}

async function written(t: Parameters<typeof tempDir>[0], files: Parameters<typeof metainfoFromFiles>[0]['files'], pieceLength: number) {
  const dir = tempDir(t);
  const { meta, data } = metainfoFromFiles({ name: 'pooled', pieceLength, files });
  const writer = new Storage(meta, { directory: dir });
  for (let i = 0; i < meta.pieceCount; i++) await writer.writePiece(i, data.subarray(i * pieceLength, (i + 1) * pieceLength));
  await writer.close();
  return { dir, meta };
}

test('pooled recheck: many jobs, agrees with the one-thread recheck, progress reaches the total', async (t) => {
  const pool = sharedPool(t);
  const MiB = 1024 * 1024;
  // 2.5 + 7 + 9 MiB in 1 MiB pieces: more than one 8 MiB job, pieces straddling files.
  const { dir, meta } = await written(
    t,
    [
      { path: ['a'], data: randomBytes(2.5 * MiB) },
      { path: ['b'], data: randomBytes(7 * MiB) },
      { path: ['c'], data: randomBytes(9 * MiB) },
    ],
    MiB,
  );
  const file = join(dir, 'pooled', 'b');
  const bytes = readFileSync(file);
  bytes[3 * MiB]! ^= 1; // torrent byte 5.5 MiB: piece 5
  writeFileSync(file, bytes);

  const pooled = new Storage(meta, { directory: dir, check: { pool } });
  t.after(() => pooled.close());
  let last = 0;
  const have = await pooled.recheck((done, total) => {
    assert.ok(done >= last && total === meta.pieceCount);
    last = done;
  });
  assert.equal(last, meta.pieceCount);
  assert.deepEqual(missing(have), [5]);
  const single = new Storage(meta, { directory: dir, check: { pool: false } });
  t.after(() => single.close());
  assert.deepEqual(missing(await single.recheck()), [5]);
});

test('pooled recheck: missing, short, symlinked and directory files make their pieces missing, without an error', async (t) => {
  const pool = sharedPool(t);
  const { dir, meta } = await written(
    t,
    [
      { path: ['a.bin'], data: randomBytes(10) },
      { path: ['.pad', '6'], length: 6, padding: true },
      { path: ['sub', 'b.bin'], data: randomBytes(37) },
      { path: ['c.bin'], data: randomBytes(20) },
      { path: ['d.bin'], data: randomBytes(40) },
      { path: ['e.bin'], data: randomBytes(30) },
    ],
    16,
  );
  // Torrent bytes: a 0..10, pad 10..16, b 16..53, c 53..73, d 73..113, e 113..143; 9 pieces.
  const storage = new Storage(meta, { directory: dir, check: { pool } });
  t.after(() => storage.close());
  assert.ok((await storage.recheck()).isComplete(), 'padding is hashed as zeros');
  await storage.close();

  const root = join(dir, 'pooled');
  unlinkSync(join(root, 'sub', 'b.bin')); // pieces 1..3
  truncateSync(join(root, 'd.bin'), 20); // bytes 93..113 gone: pieces 5..7 (piece 4 holds 64..80)
  // c.bin replaced by a symlink to a good copy: a recheck must not follow it.
  renameSync(join(root, 'c.bin'), join(dir, 'c-elsewhere.bin'));
  symlinkSync(join(dir, 'c-elsewhere.bin'), join(root, 'c.bin')); // pieces 3, 4
  // e.bin replaced by a directory of the same name: pieces 7, 8.
  unlinkSync(join(root, 'e.bin'));
  mkdirSync(join(root, 'e.bin'));
  await storage.open();
  assert.deepEqual(missing(await storage.recheck()), [1, 2, 3, 4, 5, 6, 7, 8]);
});

test('pooled recheck can be aborted', async (t) => {
  const pool = sharedPool(t);
  const MiB = 1024 * 1024;
  const { dir, meta } = await written(t, [{ path: ['big'], data: randomBytes(20 * MiB) }], 256 * 1024);
  const storage = new Storage(meta, { directory: dir, check: { pool } });
  t.after(() => storage.close());
  const controller = new AbortController();
  await assert.rejects(
    storage.recheck(() => controller.abort(new Error('stop')), controller.signal),
    /stop/,
  );
  // The pool is still usable.
  assert.ok((await storage.recheck()).isComplete());
});
