import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, symlinkSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { metainfoFromFiles } from '../../../source/engine/storage/metainfo-from-files.js';
import { checkComponent, isInside } from '../../../source/engine/storage/paths.js';
import { Storage, StorageError } from '../../../source/engine/storage/storage.js';
import type { Metainfo } from '../../../source/engine/metainfo/metainfo.js';
import { tempDir } from '../../helpers/tools.js';

function torrent(paths: string[][], name = 'victim') {
  return metainfoFromFiles({
    name,
    pieceLength: 16,
    files: paths.map((path) => ({ path, data: Buffer.alloc(20, 0x41) })),
  });
}

/** Replaces the metainfo's paths as a hostile parser bypass would (Metainfo paths include the name). */
function withPaths(meta: Metainfo, paths: string[][]): Metainfo {
  return { ...meta, files: meta.files.map((f, i) => ({ ...f, path: paths[i]! })) };
}

async function tryEverything(storage: Storage, data: Buffer, pieceCount: number): Promise<unknown[]> {
  const errors: unknown[] = [];
  await storage.open().catch((e) => errors.push(e));
  for (let i = 0; i < pieceCount; i++) {
    await storage.writePiece(i, data.subarray(i * 16, (i + 1) * 16)).catch((e) => errors.push(e));
  }
  await storage.close();
  return errors;
}

test('component checks', () => {
  for (const bad of ['', '.', '..', 'a/b', '/etc', 'x\0y']) assert.throws(() => checkComponent(bad), StorageError, bad);
  for (const ok of ['a', '..a', 'a..', '...', '.hidden', 'a b']) checkComponent(ok);
  assert.ok(isInside('/d', '/d/x'));
  assert.ok(isInside('/d', '/d/..x'));
  assert.ok(!isInside('/d', '/d/../x'));
  assert.ok(!isInside('/d', '/dx'));
});

for (const [label, hostile] of [
  ["'..' components", [['victim', '..', '..', 'outside', 'evil']]],
  ['an absolute component', [['victim', '/tmp/evil']]],
  ['an empty component', [['victim', '', 'evil']]],
  ['a bare ..', [['..']]],
] as const) {
  test(`metainfo with ${label} is refused and nothing is written`, async (t) => {
    const top = tempDir(t);
    const downloads = join(top, 'downloads');
    const outside = join(top, 'outside');
    mkdirSync(downloads);
    mkdirSync(outside);
    const { meta, data } = torrent([['evil']]);
    const storage = new Storage(
      withPaths(
        meta,
        hostile.map((p) => [...p]),
      ),
      { directory: downloads },
    );
    const errors = await tryEverything(storage, data, meta.pieceCount);
    assert.ok(errors.length > 0 && errors.every((e) => e instanceof StorageError), String(errors));
    assert.deepEqual(readdirSync(outside), []);
    assert.deepEqual(readdirSync(top).sort(), ['downloads', 'outside']);
  });
}

test('an unsafe torrent name is refused', async (t) => {
  const top = tempDir(t);
  const { meta, data } = torrent([['x']]);
  const storage = new Storage({ ...meta, name: '..' }, { directory: join(top, 'd') });
  const errors = await tryEverything(storage, data, meta.pieceCount);
  assert.ok(errors.length > 0 && errors.every((e) => e instanceof StorageError));
});

test('a pre-existing directory symlink pointing outside is refused, nothing written outside', async (t) => {
  const top = tempDir(t);
  const downloads = join(top, 'downloads');
  const outside = join(top, 'outside');
  mkdirSync(join(downloads, 'victim'), { recursive: true });
  mkdirSync(outside);
  symlinkSync(outside, join(downloads, 'victim', 'sub'));
  const { meta, data } = torrent([['sub', 'deep', 'file'], ['ok']]);
  const storage = new Storage(meta, { directory: downloads });
  const errors = await tryEverything(storage, data, meta.pieceCount);
  assert.ok(errors.length > 0 && errors.every((e) => e instanceof StorageError));
  assert.match((errors[0] as Error).message, /symlink leads outside the download directory: victim\/sub\/deep\/file/);
  assert.deepEqual(readdirSync(outside), []);
});

test('the torrent root itself as a symlink pointing outside is refused', async (t) => {
  const top = tempDir(t);
  const downloads = join(top, 'downloads');
  const outside = join(top, 'outside');
  mkdirSync(downloads);
  mkdirSync(outside);
  symlinkSync(outside, join(downloads, 'victim'));
  const { meta, data } = torrent([['a'], ['b']]);
  const errors = await tryEverything(new Storage(meta, { directory: downloads }), data, meta.pieceCount);
  assert.ok(errors.length > 0 && errors.every((e) => e instanceof StorageError));
  assert.deepEqual(readdirSync(outside), []);
});

test('a file symlink pointing outside is never written through (O_NOFOLLOW)', async (t) => {
  const top = tempDir(t);
  const downloads = join(top, 'downloads');
  const outside = join(top, 'outside');
  mkdirSync(join(downloads, 'victim'), { recursive: true });
  mkdirSync(outside);
  symlinkSync(join(outside, 'target'), join(downloads, 'victim', 'a'));
  const { meta, data } = torrent([['a'], ['b']]);
  const storage = new Storage(meta, { directory: downloads });
  const errors = await tryEverything(storage, data, meta.pieceCount);
  assert.ok(errors.length > 0 && errors.every((e) => e instanceof StorageError));
  assert.match((errors[0] as Error).message, /symlink/);
  assert.equal(existsSync(join(outside, 'target')), false);
  assert.deepEqual(readdirSync(outside), []);
});

test('a symlink that stays inside the download directory is allowed', async (t) => {
  const top = tempDir(t);
  const downloads = join(top, 'downloads');
  mkdirSync(join(downloads, 'elsewhere'), { recursive: true });
  mkdirSync(join(downloads, 'victim'));
  symlinkSync(join(downloads, 'elsewhere'), join(downloads, 'victim', 'sub'));
  const { meta, data } = torrent([['sub', 'f']]);
  const storage = new Storage(meta, { directory: downloads });
  t.after(() => storage.close());
  for (let i = 0; i < meta.pieceCount; i++) await storage.writePiece(i, data.subarray(i * 16, (i + 1) * 16));
  assert.ok(existsSync(join(downloads, 'elsewhere', 'f')));
});
