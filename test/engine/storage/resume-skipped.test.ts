import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { test } from 'node:test';
import { Bitfield } from '../../../source/engine/codec/bitfield.js';
import { metainfoFromFiles } from '../../../source/engine/storage/metainfo-from-files.js';
import { Storage } from '../../../source/engine/storage/storage.js';
import { tempDir } from '../../helpers/tools.js';

// Piece length 16 over files of 20, 30 and 20 bytes: pieces 1 and 3 straddle the middle file.
const { meta, data } = metainfoFromFiles({
  name: 'skip',
  pieceLength: 16,
  files: [
    { path: ['a.bin'], data: randomBytes(20) },
    { path: ['b.bin'], data: randomBytes(30) },
    { path: ['c.bin'], data: randomBytes(20) },
  ],
});

test('resume data holds across a restart for pieces straddling a skipped file (their skipped part is never written)', async (t) => {
  const dir = tempDir(t);
  const resume = join(dir, 'x.resume');
  const skipMiddle = Uint8Array.of(1, 0, 1);
  const storage = new Storage(meta, { directory: dir, filePriorities: skipMiddle });
  // As a download with b.bin skipped: every piece touching a.bin or c.bin (0, 1, 3, 4), verified in memory and written.
  const have = new Bitfield(meta.pieceCount);
  for (const i of [0, 1, 3, 4]) {
    await storage.writePiece(i, data.subarray(i * 16, Math.min(data.length, i * 16 + 16)));
    have.set(i);
  }
  await storage.saveResume(have, resume);
  await storage.close();

  const again = new Storage(meta, { directory: dir, filePriorities: skipMiddle });
  t.after(() => again.close());
  const loaded = await again.loadResume(resume);
  assert.ok(loaded, 'the resume data is taken, not thrown away for a full check');
  assert.deepEqual(
    [...Array(meta.pieceCount).keys()].filter((i) => loaded.get(i)),
    [0, 1, 3, 4],
  );

  // Wanted again, b.bin lacks the bytes the saved pieces span: the resume cannot vouch for them.
  const wanted = new Storage(meta, { directory: dir, filePriorities: Uint8Array.of(1, 1, 1) });
  t.after(() => wanted.close());
  assert.equal(await wanted.loadResume(resume), undefined);
});
