import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DirectWrites } from '../../../source/engine/storage/direct-writes.js';
import { metainfoFromFiles } from '../../../source/engine/storage/metainfo-from-files.js';
import { Storage, StorageError } from '../../../source/engine/storage/storage.js';
import { tempDir } from '../../helpers/tools.js';

function multiFile() {
  // Piece length 16 over files of 10, 0, 37, 5 and 50 bytes: pieces straddle up to three
  // files and the last piece (102 = 6 * 16 + 6) is short.
  return metainfoFromFiles({
    name: 'multi',
    pieceLength: 16,
    files: [
      { path: ['a.bin'], data: randomBytes(10) },
      { path: ['empty'], data: new Uint8Array(0) },
      { path: ['sub', 'b.bin'], data: randomBytes(37) },
      { path: ['sub', 'deeper', 'c.bin'], data: randomBytes(5) },
      { path: ['d.bin'], data: randomBytes(50) },
    ],
  });
}

function piece(data: Buffer, pieceLength: number, i: number): Buffer {
  return data.subarray(i * pieceLength, (i + 1) * pieceLength);
}

function shuffled(n: number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

async function writeAll(storage: Storage, data: Buffer, pieceLength: number, count: number): Promise<void> {
  await Promise.all(shuffled(count).map((i) => storage.writePiece(i, piece(data, pieceLength, i))));
}

function missing(have: { get(i: number): boolean; length: number }): number[] {
  const out: number[] = [];
  for (let i = 0; i < have.length; i++) if (!have.get(i)) out.push(i);
  return out;
}

/** Writes backed off to libuv's pool for good, as after a slow direct write. */
function pooledWrites(): DirectWrites {
  const gate = new DirectWrites(16 * 1024, 100, Number.MAX_SAFE_INTEGER);
  gate.took(101, Date.now());
  return gate;
}

for (const [how, directWrites] of [
  ['written directly', undefined],
  ['written directly 4 bytes per call', new DirectWrites(4)],
  ['written through the pool', pooledWrites()],
] as const) {
  test(`pieces written in random order (${how}) read back, land in the right files, and recheck complete`, async (t) => {
    const dir = tempDir(t);
    const { meta, data } = multiFile();
    const storage = new Storage(meta, { directory: dir, maxOpenFiles: 2, directWrites });
    t.after(() => storage.close());
    await storage.open();
    assert.equal(storage.root, join(dir, 'multi'));
    await writeAll(storage, data, 16, meta.pieceCount);

    for (const f of meta.files) {
      assert.deepEqual(readFileSync(join(dir, ...f.path)), data.subarray(f.offset, f.offset + f.length), f.path.join('/'));
    }
    assert.equal(statSync(join(dir, 'multi', 'empty')).size, 0);
    for (let i = 0; i < meta.pieceCount; i++) {
      assert.deepEqual(await storage.read(i, 0, storage.pieceSize(i)), piece(data, 16, i));
    }
    assert.deepEqual(await storage.read(2, 3, 9), data.subarray(35, 44));
    assert.equal(storage.pieceSize(meta.pieceCount - 1), 6);

    const progress: number[] = [];
    const have = await storage.recheck((done, total) => {
      assert.equal(total, meta.pieceCount);
      progress.push(done);
    });
    assert.ok(have.isComplete());
    assert.deepEqual(
      progress,
      Array.from({ length: meta.pieceCount }, (_, i) => i + 1),
    );
  });
}

test('a single-file torrent writes DIR/name', async (t) => {
  const dir = tempDir(t);
  const { meta, data } = metainfoFromFiles({
    name: 'one.iso',
    pieceLength: 32,
    single: true,
    files: [{ path: [], data: randomBytes(100) }],
  });
  const storage = new Storage(meta, { directory: dir });
  t.after(() => storage.close());
  await writeAll(storage, data, 32, meta.pieceCount);
  assert.equal(storage.root, join(dir, 'one.iso'));
  assert.deepEqual(readFileSync(join(dir, 'one.iso')), data);
});

test('verifyPiece compares against the piece hash and uses the injected hasher', async (t) => {
  const dir = tempDir(t);
  const { meta, data } = multiFile();
  let calls = 0;
  const { createHash } = await import('node:crypto');
  const storage = new Storage(meta, {
    directory: dir,
    hash: async (b) => {
      calls++;
      return createHash('sha1').update(b).digest();
    },
  });
  t.after(() => storage.close());
  const p = Buffer.from(piece(data, 16, 1));
  assert.equal(await storage.verifyPiece(1, p), true);
  p[3]! ^= 1;
  assert.equal(await storage.verifyPiece(1, p), false);
  assert.equal(await storage.verifyPiece(1, p.subarray(0, 10)), false);
  assert.equal(calls, 2);
});

test('one corrupted byte on disk makes recheck drop exactly that piece', async (t) => {
  const dir = tempDir(t);
  const { meta, data } = multiFile();
  const storage = new Storage(meta, { directory: dir });
  t.after(() => storage.close());
  await writeAll(storage, data, 16, meta.pieceCount);
  // Byte 20 of sub/b.bin is torrent byte 30: piece 1.
  const file = join(dir, 'multi', 'sub', 'b.bin');
  const bytes = readFileSync(file);
  bytes[20]! ^= 0xff;
  writeFileSync(file, bytes);
  const have = await storage.recheck();
  assert.deepEqual(missing(have), [1]);
});

test('a missing or truncated file makes its pieces missing, without an error', async (t) => {
  const dir = tempDir(t);
  const { meta, data } = multiFile();
  const storage = new Storage(meta, { directory: dir });
  t.after(() => storage.close());
  await writeAll(storage, data, 16, meta.pieceCount);
  await storage.close();
  unlinkSync(join(dir, 'multi', 'sub', 'b.bin')); // bytes 10..46: pieces 0, 1, 2
  truncateSync(join(dir, 'multi', 'd.bin'), 40); // bytes 52..102 -> 52..92 on disk: pieces 5 and 6 short
  await storage.open();
  const have = await storage.recheck();
  assert.deepEqual(missing(have), [0, 1, 2, 5, 6]);
});

test('read() of data that is not on disk throws StorageError instead of serving zeros', async (t) => {
  const dir = tempDir(t);
  const { meta, data } = multiFile();
  const storage = new Storage(meta, { directory: dir });
  t.after(() => storage.close());
  await storage.open();
  // Piece 0 spans a.bin and sub/b.bin, both missing; their reads run side by side, so either may be named.
  await assert.rejects(
    storage.read(0, 0, 16),
    (e: unknown) => e instanceof StorageError && /missing data reading multi\/(a|sub\/b)\.bin/.test(e.message),
  );
  // Piece 4 written but piece 6 not: the end of d.bin does not exist yet.
  await storage.writePiece(4, piece(data, 16, 4));
  assert.deepEqual(await storage.read(4, 0, 16), piece(data, 16, 4));
  await assert.rejects(storage.read(6, 0, 6), StorageError);
  await assert.rejects(storage.read(4, 10, 7), StorageError); // past the piece's end
  await assert.rejects(storage.writePiece(4, Buffer.alloc(15)), StorageError);
});

test('padding files are never written and read back as zeros', async (t) => {
  const dir = tempDir(t);
  const { meta, data } = metainfoFromFiles({
    name: 'padded',
    pieceLength: 16,
    files: [
      { path: ['a'], data: randomBytes(10) },
      { path: ['.pad', '6'], length: 6, padding: true },
      { path: ['b'], data: randomBytes(20) },
    ],
  });
  const storage = new Storage(meta, { directory: dir });
  t.after(() => storage.close());
  await writeAll(storage, data, 16, meta.pieceCount);
  assert.equal(existsSync(join(dir, 'padded', '.pad')), false);
  assert.deepEqual(await storage.read(0, 0, 16), piece(data, 16, 0));
  assert.deepEqual((await storage.read(0, 10, 6)).toString('hex'), '000000000000');
  assert.ok((await storage.recheck()).isComplete());
});

test('skipped files are not created; a straddling piece writes only the wanted part', async (t) => {
  const dir = tempDir(t);
  const { meta, data } = multiFile();
  // Skip sub/b.bin (index 2): bytes 10..47 of pieces 0..2.
  const storage = new Storage(meta, { directory: dir, filePriorities: Uint8Array.of(1, 1, 0, 1, 1) });
  t.after(() => storage.close());
  await writeAll(storage, data, 16, meta.pieceCount);
  assert.equal(existsSync(join(dir, 'multi', 'sub', 'b.bin')), false);
  assert.deepEqual(readFileSync(join(dir, 'multi', 'a.bin')), data.subarray(0, 10));
  assert.deepEqual(readFileSync(join(dir, 'multi', 'sub', 'deeper', 'c.bin')), data.subarray(47, 52));
  assert.deepEqual(missing(await storage.recheck()), [0, 1, 2]);

  storage.setFilePriorities(Uint8Array.of(1, 1, 1, 1, 1));
  for (const i of [0, 1, 2]) await storage.writePiece(i, piece(data, 16, i));
  assert.ok((await storage.recheck()).isComplete());
  assert.throws(() => storage.setFilePriorities(Uint8Array.of(1)), RangeError);
});

test('recheck can be aborted', async (t) => {
  const dir = tempDir(t);
  const { meta, data } = multiFile();
  const storage = new Storage(meta, { directory: dir });
  t.after(() => storage.close());
  await writeAll(storage, data, 16, meta.pieceCount);
  const controller = new AbortController();
  await assert.rejects(
    storage.recheck((done) => {
      if (done === 2) controller.abort();
    }, controller.signal),
    { name: 'AbortError' },
  );
});

test('operations after close are refused; open() again works', async (t) => {
  const dir = tempDir(t);
  const { meta, data } = multiFile();
  const storage = new Storage(meta, { directory: dir });
  await storage.writePiece(0, piece(data, 16, 0));
  await storage.close();
  await assert.rejects(storage.read(0, 0, 16), { code: 'ECLOSED' });
  await storage.open();
  assert.deepEqual(await storage.read(0, 0, 16), piece(data, 16, 0));
  await storage.close();
});

test('a piece spanning more files than maxOpenFiles, with a 1-handle cache', async (t) => {
  const dir = tempDir(t);
  const { meta, data } = metainfoFromFiles({
    name: 'many',
    pieceLength: 1024,
    files: Array.from({ length: 300 }, (_, i) => ({ path: [`f${i}`], data: randomBytes(7) })),
  });
  const storage = new Storage(meta, { directory: dir, maxOpenFiles: 1 });
  t.after(() => storage.close());
  await writeAll(storage, data, 1024, meta.pieceCount);
  assert.deepEqual(readFileSync(join(dir, 'many', 'f299')), data.subarray(299 * 7));
  assert.ok((await storage.recheck()).isComplete());
});

test('a check with nothing on disk finds nothing, without reading or hashing anything', async (t) => {
  const { meta } = multiFile();
  const hashingWouldFail = {
    hashPieces: () => Promise.reject(new Error('hashed although nothing is on disk')),
  } as unknown as import('../../../source/engine/hashing/hasher.js').HashPool;
  const storage = new Storage(meta, {
    directory: tempDir(t),
    check: { pool: hashingWouldFail },
    hash: () => Promise.reject(new Error('hashed although nothing is on disk')),
  });
  t.after(() => storage.close());
  const progress: [number, number][] = [];
  const have = await storage.recheck((done, total) => progress.push([done, total]));
  assert.equal(have.count(), 0);
  assert.deepEqual(progress, [[meta.pieceCount, meta.pieceCount]]);
});
