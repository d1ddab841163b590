import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';
import { needs, SYSTEM_PYTHON, tempDir } from '../helpers/tools.js';

const LT_CHECK = join(dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'lt-check.py');

interface Check {
  found: number;
  total: number;
  progress: number;
  error: string;
}

/** libtorrent's full check of the data (exit status 2: checked, some pieces missing). */
function libtorrentCheck(torrent: string, savePath: string): Check {
  const result = spawnSync(SYSTEM_PYTHON, [LT_CHECK, torrent, savePath], { encoding: 'utf8', timeout: 90_000 });
  assert.ok(result.status === 0 || result.status === 2, `lt-check.py exited ${result.status}: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Check;
}

test('libtorrent rechecks a multi-file torrent made by btui create as complete', async (t) => {
  if (!needs(t, { libtorrent: true })) return;
  const root = tempDir(t);
  const data = join(root, 'album');
  // Odd sizes so that pieces straddle file boundaries, plus nesting and an empty file.
  const layout: [string, number][] = [
    ['01 intro.flac', 100_003],
    ['02 song.flac', 65_537],
    ['art/cover.jpg', 7],
    ['art/scans/back.png', 40_961],
    ['empty.txt', 0],
    ['notes.txt', 16_383],
  ];
  for (const [path, size] of layout) {
    mkdirSync(dirname(join(data, path)), { recursive: true });
    writeFileSync(join(data, path), randomBytes(size));
  }

  for (const pieceLength of ['16K', '64K']) {
    const out = join(root, `album-${pieceLength}.torrent`);
    const made = await runCli(['create', data, '-o', out, '-l', pieceLength, '--json']);
    assert.equal(made.code, 0, made.stderr);
    const { pieceCount } = JSON.parse(made.stdout) as { pieceCount: number };
    const check = libtorrentCheck(out, root);
    assert.equal(check.error, '');
    assert.equal(check.total, pieceCount);
    assert.equal(check.found, pieceCount, `all ${pieceCount} pieces verified at ${pieceLength}`);
    assert.equal(check.progress, 1);
  }

  // Control: one flipped byte in the middle file must cost exactly the pieces holding it.
  const out = join(root, 'album-16K.torrent');
  const fd = openSync(join(data, 'art/scans/back.png'), 'r+');
  const byte = Buffer.alloc(1);
  readSync(fd, byte, 0, 1, 20_000);
  writeSync(fd, Buffer.from([byte[0]! ^ 0xff]), 0, 1, 20_000);
  closeSync(fd);
  const damaged = libtorrentCheck(out, root);
  assert.equal(damaged.found, damaged.total - 1);
  assert.ok(damaged.progress < 1);
});
