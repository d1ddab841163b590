import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import { readdirSync, readFileSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Bitfield } from '../../../source/engine/codec/bitfield.js';
import { metainfoFromFiles } from '../../../source/engine/storage/metainfo-from-files.js';
import { decodeResume, writeFileAtomic, type AtomicFs } from '../../../source/engine/storage/resume-file.js';
import { Storage } from '../../../source/engine/storage/storage.js';
import { tempDir } from '../../helpers/tools.js';

function setup(t: import('node:test').TestContext) {
  const dir = tempDir(t);
  const { meta, data } = metainfoFromFiles({
    name: 't',
    pieceLength: 16,
    files: [
      { path: ['a'], data: randomBytes(20) },
      { path: ['b'], data: randomBytes(30) },
      { path: ['never'], data: randomBytes(14) },
    ],
  });
  const storage = new Storage(meta, { directory: dir });
  t.after(() => storage.close());
  return { dir, meta, data, storage, resumePath: join(dir, 't.resume') };
}

async function partial(s: ReturnType<typeof setup>): Promise<Bitfield> {
  const have = new Bitfield(s.meta.pieceCount);
  for (const i of [0, 2]) {
    await s.storage.writePiece(i, s.data.subarray(i * 16, (i + 1) * 16));
    have.set(i);
  }
  return have;
}

test('saved resume data reloads as the same bitfield', async (t) => {
  const s = setup(t);
  const have = await partial(s);
  await s.storage.saveResume(have, s.resumePath);
  const decoded = decodeResume(readFileSync(s.resumePath))!;
  assert.equal(decoded.infoHash.toString('hex'), s.meta.infoHash);
  assert.deepEqual(
    decoded.files.map((f) => f.size),
    [16, 28, -1], // sparse: each file ends where its last written piece does
  );
  const loaded = await s.storage.loadResume(s.resumePath);
  assert.ok(loaded);
  assert.deepEqual([...loaded.buffer], [...have.buffer]);

  // A fresh Storage (a restart) accepts it too.
  const again = new Storage(s.meta, { directory: s.dir });
  t.after(() => again.close());
  assert.ok(await again.loadResume(s.resumePath));
});

test('a changed file size invalidates the resume data', async (t) => {
  const s = setup(t);
  await s.storage.saveResume(await partial(s), s.resumePath);
  truncateSync(join(s.dir, 't', 'b'), 10);
  assert.equal(await s.storage.loadResume(s.resumePath), undefined);
});

test('a changed file mtime invalidates the resume data', async (t) => {
  const s = setup(t);
  await s.storage.saveResume(await partial(s), s.resumePath);
  const file = join(s.dir, 't', 'a');
  const { mtime } = statSync(file);
  utimesSync(file, mtime, new Date(mtime.getTime() - 5000));
  assert.equal(await s.storage.loadResume(s.resumePath), undefined);
});

test('a file that appeared since the save invalidates the resume data', async (t) => {
  const s = setup(t);
  await s.storage.saveResume(await partial(s), s.resumePath);
  writeFileSync(join(s.dir, 't', 'never'), 'x');
  assert.equal(await s.storage.loadResume(s.resumePath), undefined);
});

test('resume data saved mid-download holds when later pieces grew, touched or created files, not when one shrank or went back in time', async (t) => {
  const s = setup(t);
  const have = await partial(s);
  await s.storage.saveResume(have, s.resumePath, { whileWriting: true });
  assert.equal(decodeResume(readFileSync(s.resumePath))!.whileWriting, true);
  const b = join(s.dir, 't', 'b');
  const before = statSync(b).mtime;
  // What the run wrote after its last save, before it was killed: piece 3 grows b and creates "never".
  await s.storage.writePiece(3, s.data.subarray(48, 64));
  utimesSync(b, before, new Date(before.getTime() + 5000));
  const loaded = await s.storage.loadResume(s.resumePath);
  assert.ok(loaded, 'kept: only later writes changed the files');
  assert.deepEqual([...loaded.buffer], [...have.buffer], 'the saved pieces; the later one is fetched again');

  utimesSync(b, before, new Date(before.getTime() - 5000));
  assert.equal(await s.storage.loadResume(s.resumePath), undefined, 'a file older than saved was replaced');
  utimesSync(b, before, new Date(before.getTime() + 10_000));
  truncateSync(join(s.dir, 't', 'a'), 5);
  assert.equal(await s.storage.loadResume(s.resumePath), undefined, 'a file smaller than saved was cut');
});

test('resume data of another torrent, garbage, or no file gives undefined', async (t) => {
  const s = setup(t);
  await s.storage.saveResume(await partial(s), s.resumePath);
  const other = new Storage({ ...s.meta, infoHash: 'ff'.repeat(20) }, { directory: s.dir });
  t.after(() => other.close());
  assert.equal(await other.loadResume(s.resumePath), undefined);
  assert.equal(await s.storage.loadResume(join(s.dir, 'nope')), undefined);
  writeFileSync(s.resumePath, 'd3:fooi1ee');
  assert.equal(await s.storage.loadResume(s.resumePath), undefined);
  writeFileSync(s.resumePath, 'garbage');
  assert.equal(await s.storage.loadResume(s.resumePath), undefined);
});

/** Real fs, except that writes to the temp file put a few bytes down and then fail. */
function failingFs(code: string): AtomicFs {
  return {
    rename: fsp.rename,
    unlink: fsp.unlink,
    open: (async (...args: Parameters<typeof fsp.open>) => {
      const handle = await fsp.open(...args);
      const write = handle.write.bind(handle) as (b: Uint8Array, o: number, l: number) => Promise<unknown>;
      (handle as { write: unknown }).write = async (b: Uint8Array, o: number) => {
        await write(b, o, 3);
        throw Object.assign(new Error('simulated'), { code });
      };
      return handle;
    }) as typeof fsp.open,
  };
}

test('the resume write is atomic: a failure mid-write leaves the old file and no temp file', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'x.resume');
  await writeFileAtomic(path, Buffer.from('old contents'));
  await assert.rejects(writeFileAtomic(path, Buffer.from('new contents that never land'), failingFs('ENOSPC')), { code: 'ENOSPC' });
  assert.equal(readFileSync(path, 'utf8'), 'old contents');
  assert.deepEqual(readdirSync(dir), ['x.resume']);

  await assert.rejects(writeFileAtomic(join(dir, 'fresh'), Buffer.from('data'), failingFs('EIO')));
  assert.deepEqual(readdirSync(dir), ['x.resume']);

  await writeFileAtomic(path, Buffer.from('new'));
  assert.equal(readFileSync(path, 'utf8'), 'new');
  assert.deepEqual(readdirSync(dir), ['x.resume']);
});

test('resume data that claims pieces of a missing file is rejected', async (t) => {
  const { meta } = metainfoFromFiles({ name: 'claims', pieceLength: 16384, files: [{ path: ['a.bin'], data: Buffer.alloc(40000, 1) }] });
  const dir = tempDir(t);
  const storage = new Storage(meta, { directory: dir });
  await storage.open();
  const all = new Bitfield(meta.pieceCount);
  all.setAll();
  const path = join(dir, 'claims.resume');
  // Saved while the file does not exist: sizes "match" next time, but the claim is false.
  await storage.saveResume(all, path);
  assert.equal(await storage.loadResume(path), undefined);
  await storage.close();
});

test('resume data saved without a flush names this boot, holds in it, and is refused in another', async (t) => {
  const s = setup(t);
  const have = await partial(s);
  assert.equal(s.storage.hasUnflushedWrites, true);
  await s.storage.saveResume(have, s.resumePath, { flush: false });
  const decoded = decodeResume(readFileSync(s.resumePath))!;
  const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  assert.equal(decoded.unflushedBoot, boot);
  assert.equal(s.storage.hasUnflushedWrites, true, 'nothing was flushed');
  assert.ok(await s.storage.loadResume(s.resumePath), 'same boot: trusted');

  // The same file as a crash and a reboot would leave it: another boot id.
  const other = boot.replace(/^./, (c) => (c === '0' ? '1' : '0'));
  writeFileSync(s.resumePath, readFileSync(s.resumePath).toString('latin1').replace(boot, other), 'latin1');
  assert.equal(decodeResume(readFileSync(s.resumePath))!.unflushedBoot, other);
  assert.equal(await s.storage.loadResume(s.resumePath), undefined, 'another boot: checked again');

  // Flushed, it names no boot and holds in any.
  await s.storage.saveResume(have, s.resumePath);
  assert.equal(s.storage.hasUnflushedWrites, false);
  assert.equal(decodeResume(readFileSync(s.resumePath))!.unflushedBoot, undefined);
  assert.ok(await s.storage.loadResume(s.resumePath));
  // Saved again without a flush but with nothing written since: no boot either.
  await s.storage.saveResume(have, s.resumePath, { flush: false });
  assert.equal(decodeResume(readFileSync(s.resumePath))!.unflushedBoot, undefined);
});
