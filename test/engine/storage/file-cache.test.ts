import assert from 'node:assert/strict';
import type { FileHandle } from 'node:fs/promises';
import { test } from 'node:test';
import { FileCache } from '../../../source/engine/storage/file-cache.js';

/** Fake handles that record opens and closes. */
function recorder() {
  const open = new Set<string>();
  const log: string[] = [];
  const opener = async (index: number, writable: boolean) => {
    const id = `${index}${writable ? 'w' : 'r'}#${log.length}`;
    open.add(id);
    log.push(`open ${id}`);
    return {
      id,
      close: async () => {
        assert.ok(open.delete(id), `double close of ${id}`);
        log.push(`close ${id}`);
      },
    } as unknown as FileHandle;
  };
  return { open, log, opener };
}

test('keeps at most max idle handles, evicting the least recently used', async () => {
  const r = recorder();
  const cache = new FileCache(r.opener, 2);
  for (const i of [0, 1, 0, 2]) (await cache.acquire(i, false)).release();
  await new Promise((resolve) => setImmediate(resolve));
  // 0 was used after 1, so 1 is the one closed when 2 arrives.
  assert.deepEqual([...r.open].map((id) => id[0]).sort(), ['0', '2']);
  await cache.closeAll();
  assert.equal(r.open.size, 0);
});

test('reuses a handle; a write after a read reopens writable; a writable one serves reads', async () => {
  const r = recorder();
  const cache = new FileCache(r.opener, 4);
  const a = await cache.acquire(0, false);
  const b = await cache.acquire(0, false);
  assert.equal(a.handle, b.handle);
  a.release();
  b.release();
  const w = await cache.acquire(0, true);
  assert.notEqual(w.handle, a.handle);
  w.release();
  const again = await cache.acquire(0, false);
  assert.equal(again.handle, w.handle);
  again.release();
  await cache.closeAll();
  assert.equal(r.log.filter((l) => l.startsWith('open')).length, 2);
  assert.equal(r.open.size, 0);
});

test('an evicted handle still in use is closed only when released', async () => {
  const r = recorder();
  const cache = new FileCache(r.opener, 1);
  const busy = await cache.acquire(0, true);
  (await cache.acquire(1, true)).release();
  await new Promise((resolve) => setImmediate(resolve));
  assert.ok(r.open.has((busy.handle as unknown as { id: string }).id), 'closed while in use');
  busy.release();
  busy.release(); // idempotent
  await cache.closeAll();
  assert.equal(r.open.size, 0);
});

test('a failed open is not cached', async () => {
  let fail = true;
  const cache = new FileCache(async () => {
    if (fail) throw Object.assign(new Error('nope'), { code: 'ENOENT' });
    return { close: async () => {} } as unknown as FileHandle;
  }, 4);
  await assert.rejects(cache.acquire(0, false), { code: 'ENOENT' });
  assert.equal(cache.size, 0);
  fail = false;
  (await cache.acquire(0, false)).release();
  assert.equal(cache.size, 1);
  await cache.closeAll();
});
