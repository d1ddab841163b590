import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { storageError } from '../../../source/engine/storage/errors.js';
import { metainfoFromFiles } from '../../../source/engine/storage/metainfo-from-files.js';
import { Storage, StorageError } from '../../../source/engine/storage/storage.js';

/** A small tmpfs of its own, or undefined where mounting is not permitted (not root, containers). */
function tmpfs(t: TestContext, options: string): { dir: string; cleanup: (() => Promise<void>)[] } | undefined {
  const top = mkdtempSync(join(tmpdir(), 'btui-tmpfs-'));
  const dir = join(top, 'mnt');
  mkdirSync(dir);
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' }).status === 0;
  const cleanup: (() => Promise<void>)[] = [];
  t.after(async () => {
    for (const f of cleanup) await f();
    if (mounted) spawnSync('umount', [dir], { stdio: 'ignore' });
    rmSync(top, { recursive: true, force: true });
  });
  return mounted ? { dir, cleanup } : undefined;
}

test('a full disk is reported as "disk full writing <file>"', async (t) => {
  const fs = tmpfs(t, 'size=1m');
  if (!fs) return t.skip('cannot mount a tmpfs here (the mapping itself is tested below)');
  const { meta, data } = metainfoFromFiles({
    name: 'big',
    pieceLength: 256 * 1024,
    files: [
      { path: ['small'], data: randomBytes(1000) },
      { path: ['huge.bin'], data: randomBytes(2 * 1024 * 1024) },
    ],
  });
  const storage = new Storage(meta, { directory: fs.dir });
  fs.cleanup.push(() => storage.close());
  let error: unknown;
  for (let i = 0; i < meta.pieceCount && !error; i++) {
    await storage.writePiece(i, data.subarray(i * meta.pieceLength, (i + 1) * meta.pieceLength)).catch((e) => (error = e));
  }
  assert.ok(error instanceof StorageError, String(error));
  assert.equal(error.code, 'ENOSPC');
  assert.equal(error.message, 'disk full writing big/huge.bin');
  assert.equal(error.file, 'big/huge.bin');
});

test('a read-only file system is reported readably', async (t) => {
  const fs = tmpfs(t, 'ro,size=1m');
  if (!fs) return t.skip('cannot mount a tmpfs here');
  const { meta, data } = metainfoFromFiles({ name: 'x', pieceLength: 16, single: true, files: [{ path: [], data: randomBytes(16) }] });
  const storage = new Storage(meta, { directory: fs.dir });
  fs.cleanup.push(() => storage.close());
  await assert.rejects(
    storage.writePiece(0, data),
    (e: unknown) => e instanceof StorageError && e.message === 'read-only file system writing x' && e.code === 'EROFS',
  );
});

test('errno codes map to one readable line naming the relative file', () => {
  const errno = (code: string) => Object.assign(new Error(`${code}: raw message, open '/abs/path'`), { code });
  assert.equal(storageError(errno('ENOSPC'), 'writing', 'n/a.bin').message, 'disk full writing n/a.bin');
  assert.equal(storageError(errno('EACCES'), 'writing', 'n/a.bin').message, 'permission denied writing n/a.bin');
  assert.equal(storageError(errno('EROFS'), 'creating', 'n/a.bin').message, 'read-only file system creating n/a.bin');
  assert.equal(storageError(errno('ENOENT'), 'reading', 'n/a.bin').message, 'missing data reading n/a.bin');
  assert.equal(storageError(errno('ENOENT'), 'writing', 'r.resume').message, 'no such directory writing r.resume');
  const other = storageError(errno('EWHATEVER'), 'reading', 'f');
  assert.equal(other.code, 'EWHATEVER');
  assert.match(other.message, /^error reading f: EWHATEVER/);
  const same = new StorageError('x');
  assert.equal(storageError(same, 'reading', 'f'), same);
});
