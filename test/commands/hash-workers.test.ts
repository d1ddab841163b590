import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashesAtStart } from '../../source/commands/hash-workers.js';

test('hash workers start with the CLI for create and for a download of a local .torrent only', () => {
  assert.equal(hashesAtStart('create', ['./album', '-o', 'album.torrent']), true);
  assert.equal(hashesAtStart('create', []), false, 'a usage error');
  assert.equal(hashesAtStart('create', ['--help']), false);
  assert.equal(hashesAtStart('download', ['-t', 'ubuntu.torrent', '-o', 'dir']), true);
  assert.equal(hashesAtStart('download', ['ubuntu.TORRENT']), true);
  assert.equal(hashesAtStart('download', ['-t', 'https://example.org/ubuntu.torrent']), false, 'fetched: nothing to check yet');
  assert.equal(hashesAtStart('download', ['magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=a.torrent']), false);
  assert.equal(hashesAtStart('download', ['-t', 'a.torrent', '--help']), false);
  assert.equal(hashesAtStart('metainfo', ['-t', 'a.torrent']), false);
  assert.equal(hashesAtStart('serve', ['-f', 'a.torrent']), false);
});
