import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describeError } from '../../source/errors.js';
import { loadTorrent } from '../../source/engine/metainfo/load-torrent.js';

test("describeError puts Node's raw system errors in words, and leaves ours alone", async () => {
  const directory = await readFile('/tmp').catch((e: unknown) => e);
  assert.equal(describeError(directory), 'is a directory, not a file');
  const long = await readFile(`/tmp/${'a'.repeat(300)}`).catch((e: unknown) => e);
  assert.match(describeError(long), /^name too long: \/tmp\/a+…a+$/);
  assert.ok(describeError(long).length < 80);
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED', address: '127.0.0.1', port: 1 });
  assert.equal(describeError(refused), 'connection refused (127.0.0.1:1)');
  // Ours already read well, whatever code they carry.
  assert.equal(describeError(Object.assign(new Error('disk full writing a/b'), { code: 'ENOSPC' })), 'disk full writing a/b');
});

test('a .torrent URL that cannot be fetched says why in words (port 1 is valid, fetch refuses it)', async () => {
  await assert.rejects(
    loadTorrent('http://127.0.0.1:1/x.torrent'),
    /^Error: http:\/\/127\.0\.0\.1:1\/x\.torrent: port 1 is one that fetching refuses/,
  );
  await assert.rejects(loadTorrent('http://[::1/x.torrent'), /: not a valid URL$/);
});
