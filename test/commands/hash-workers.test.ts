import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { hashesAtStart } from '../../source/commands/hash-workers.js';

test('hash workers start with the CLI for create and for a download of a local .torrent only', (t) => {
  const cwd = mkdtempSync(join(tmpdir(), 'btui-hash-workers-'));
  t.after(() => rmSync(cwd, { recursive: true, force: true }));
  writeFileSync(join(cwd, 'ubuntu.iso'), 'data');
  assert.equal(hashesAtStart('create', ['./album', '-o', 'album.torrent']), true);
  assert.equal(hashesAtStart('create', []), false, 'a usage error');
  assert.equal(hashesAtStart('create', ['--help']), false);
  assert.equal(hashesAtStart('download', ['-t', 'ubuntu.torrent', '-o', cwd]), true);
  assert.equal(hashesAtStart('download', ['ubuntu.TORRENT'], cwd), true);
  assert.equal(hashesAtStart('download', ['-t', 'https://example.org/ubuntu.torrent']), false, 'fetched: nothing to check yet');
  assert.equal(hashesAtStart('download', ['magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=a.torrent']), false);
  assert.equal(hashesAtStart('download', ['-t', 'a.torrent', '--help']), false);
  assert.equal(hashesAtStart('metainfo', ['-t', 'a.torrent']), false);
  assert.equal(hashesAtStart('serve', ['-f', 'a.torrent']), false);
});

test('a download into an empty or missing directory starts no hash worker: it has nothing to check', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'btui-hash-workers-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'out');
  assert.equal(hashesAtStart('download', ['-t', 'a.torrent', '-o', out]), false, 'missing');
  mkdirSync(join(out, '.home'), { recursive: true });
  assert.equal(hashesAtStart('download', ['-t', 'a.torrent', '-o', out]), false, 'only btui state in it');
  assert.equal(hashesAtStart('download', ['-t', 'a.torrent'], out), false, 'the working directory, empty');
  writeFileSync(join(out, 'a.iso'), 'data');
  assert.equal(hashesAtStart('download', ['-t', 'a.torrent', '-o', out]), true);
  assert.equal(hashesAtStart('download', ['-t', 'a.torrent', `--output=${out}`]), true);
  assert.equal(hashesAtStart('download', ['a.torrent'], out), true, 'the working directory');
});
