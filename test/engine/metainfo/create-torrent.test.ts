import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { autoPieceLength, createTorrent, parsePieceLength } from '../../../source/engine/metainfo/create-torrent.js';
import { decodeDetailed, isDict, type BDict, type BValue } from '../../../source/engine/codec/bencode.js';
import { needs, tempDir } from '../../helpers/tools.js';

const text = (v: BValue | undefined) => Buffer.from(v as Uint8Array).toString('utf8');

function decodeTorrent(bytes: Buffer): { top: BDict; info: BDict; infoHash: string } {
  const decoded = decodeDetailed(bytes, { strictKeyOrder: true });
  const top = decoded.value as BDict;
  const info = top.get('info') as BDict;
  const [start, end] = decoded.spans.get(info)!;
  return { top, info, infoHash: createHash('sha1').update(bytes.subarray(start, end)).digest('hex') };
}

function pieceHashes(data: Buffer, pieceLength: number): Buffer {
  const out: Buffer[] = [];
  for (let at = 0; at < data.length; at += pieceLength)
    out.push(
      createHash('sha1')
        .update(data.subarray(at, at + pieceLength))
        .digest(),
    );
  return Buffer.concat(out);
}

function mktorrent(t: import('node:test').TestContext, target: string, args: string[]): Buffer {
  const out = join(tempDir(t), 'mk.torrent');
  const result = spawnSync('mktorrent', ['-d', ...args, '-o', out, target], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return readFileSync(out);
}

test('single file: info dict holds exactly length, name, piece length, pieces', async (t) => {
  const dir = tempDir(t);
  const data = randomBytes(100_001);
  writeFileSync(join(dir, 'movie.bin'), data);
  const made = await createTorrent({ path: join(dir, 'movie.bin'), pieceLength: 32_768, creationDate: 1_700_000_000, comment: 'hi' });
  const { top, info, infoHash } = decodeTorrent(made.torrent);
  assert.deepEqual([...info.keys()], ['length', 'name', 'piece length', 'pieces']);
  assert.equal(info.get('length'), 100_001);
  assert.equal(text(info.get('name')), 'movie.bin');
  assert.equal(info.get('piece length'), 32_768);
  assert.ok(Buffer.from(info.get('pieces') as Uint8Array).equals(pieceHashes(data, 32_768)));
  assert.equal(made.infoHash, infoHash);
  assert.equal(made.pieceCount, 4);
  assert.equal(made.length, 100_001);
  assert.deepEqual(made.files, [{ path: ['movie.bin'], length: 100_001 }]);
  assert.equal(top.get('creation date'), 1_700_000_000);
  assert.equal(text(top.get('comment')), 'hi');
  assert.equal(text(top.get('created by')), 'btui');
  assert.equal(top.has('announce'), false);
});

test('multi file: files list in mktorrent order, trackers in tiers, web seeds, private and source', async (t) => {
  const dir = join(tempDir(t), 'pack');
  mkdirSync(join(dir, 'a', 'deep'), { recursive: true });
  writeFileSync(join(dir, 'a-b'), 'x');
  writeFileSync(join(dir, 'a', 'b'), 'yy');
  writeFileSync(join(dir, 'a', 'deep', 'c'), randomBytes(40_000));
  writeFileSync(join(dir, '.hidden'), 'h');
  writeFileSync(join(dir, 'empty'), '');
  symlinkSync('a-b', join(dir, 'link'));
  symlinkSync('..', join(dir, 'a', 'loop')); // must not be followed forever
  const made = await createTorrent({
    path: dir,
    pieceLength: 16_384,
    announce: [['http://t1/announce', 'udp://t2:80'], ['http://t3/announce']],
    urlList: ['http://seed.example/files/'],
    private: true,
    source: 'SRC',
    creationDate: false,
  });
  const { top, info } = decodeTorrent(made.torrent);
  assert.deepEqual([...info.keys()], ['files', 'name', 'piece length', 'pieces', 'private', 'source']);
  assert.equal(text(info.get('name')), 'pack');
  assert.equal(info.get('private'), 1);
  const files = (info.get('files') as BValue[]).map((f) => {
    assert.ok(isDict(f));
    return [(f.get('path') as Uint8Array[]).map((c) => text(c)).join('/'), f.get('length')];
  });
  assert.deepEqual(files, [
    ['.hidden', 1],
    ['a-b', 1],
    ['a/b', 2],
    ['a/deep/c', 40_000],
    ['empty', 0],
    ['link', 1],
  ]);
  assert.equal(made.length, 40_005);
  assert.equal(made.pieceCount, 3);
  assert.equal(text(top.get('announce')), 'http://t1/announce');
  assert.deepEqual(
    (top.get('announce-list') as BValue[][]).map((tier) => tier.map(text)),
    [['http://t1/announce', 'udp://t2:80'], ['http://t3/announce']],
  );
  assert.deepEqual((top.get('url-list') as BValue[]).map(text), ['http://seed.example/files/']);
  assert.equal(top.has('creation date'), false);
});

test('auto piece length aims at 1000-2000 pieces within 16 KiB..16 MiB', () => {
  assert.equal(autoPieceLength(1), 16 * 1024);
  assert.equal(autoPieceLength(1024 ** 3), 1024 ** 2);
  assert.equal(autoPieceLength(100 * 1024 ** 2), 64 * 1024);
  assert.equal(autoPieceLength(10 * 1024 ** 4), 16 * 1024 ** 2);
  for (const size of [50e6, 700e6, 4.7e9, 25e9]) {
    const count = size / autoPieceLength(size);
    assert.ok(count > 1000 && count <= 2000, `${size}: ${count} pieces`);
  }
});

test('parsePieceLength accepts exponents, bytes, suffixes and auto; rejects the rest', () => {
  assert.equal(parsePieceLength('auto'), 'auto');
  assert.equal(parsePieceLength('20'), 1024 ** 2);
  assert.equal(parsePieceLength('18'), 256 * 1024);
  assert.equal(parsePieceLength('262144'), 256 * 1024);
  assert.equal(parsePieceLength('256K'), 256 * 1024);
  assert.equal(parsePieceLength('1M'), 1024 ** 2);
  assert.equal(parsePieceLength('4MiB'), 4 * 1024 ** 2);
  assert.equal(parsePieceLength('16k'), 16 * 1024);
  for (const bad of ['', 'x', '1.5M', '300000', '3M', '8K', '13', '512M', '-1', '1T']) {
    assert.throws(() => parsePieceLength(bad), /bad piece length/, bad);
  }
});

test('errors: empty directory, all-empty files, missing path, bad tracker URL', async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'void', 'sub'), { recursive: true });
  await assert.rejects(createTorrent({ path: join(dir, 'void') }), /empty directory/);
  writeFileSync(join(dir, 'void', 'sub', 'zero'), '');
  await assert.rejects(createTorrent({ path: join(dir, 'void') }), /holds no data/);
  await assert.rejects(createTorrent({ path: join(dir, 'nope') }), { code: 'ENOENT' });
  writeFileSync(join(dir, 'f'), 'data');
  await assert.rejects(createTorrent({ path: join(dir, 'f'), announce: [['not a url']] }), /bad tracker URL/);
  await assert.rejects(createTorrent({ path: join(dir, 'f'), urlList: ['udp://x'] }), /bad web seed URL/);
  await assert.rejects(createTorrent({ path: join(dir, 'f'), pieceLength: 1000 }), /bad piece length/);
  symlinkSync(join(dir, 'gone'), join(dir, 'void', 'dangling'));
  await assert.rejects(createTorrent({ path: join(dir, 'void') }), { code: 'ENOENT' });
});

test('same info-hash as mktorrent for a single file at several piece lengths', async (t) => {
  if (!needs(t, { commands: ['mktorrent'] })) return;
  const dir = tempDir(t);
  const file = join(dir, 'sample.dat');
  writeFileSync(file, randomBytes(3 * 1024 * 1024 + 12_345));
  for (const exponent of [15, 18, 20]) {
    const reference = decodeTorrent(mktorrent(t, file, ['-l', String(exponent)]));
    const made = await createTorrent({ path: file, pieceLength: 2 ** exponent });
    assert.equal(made.infoHash, reference.infoHash, `-l ${exponent}`);
  }
  const reference = decodeTorrent(mktorrent(t, file, ['-l', '16', '-p', '-s', 'TRK']));
  const made = await createTorrent({ path: file, pieceLength: 2 ** 16, private: true, source: 'TRK' });
  assert.equal(made.infoHash, reference.infoHash, 'private + source');
});

test('same info-hash as mktorrent for a directory (ordering, hidden, empty and linked files)', async (t) => {
  if (!needs(t, { commands: ['mktorrent'] })) return;
  const dir = join(tempDir(t), 'tree');
  mkdirSync(join(dir, 'a', 'z'), { recursive: true });
  mkdirSync(join(dir, 'B'));
  writeFileSync(join(dir, 'a-b'), randomBytes(33_333));
  writeFileSync(join(dir, 'a', 'b'), randomBytes(70_001));
  writeFileSync(join(dir, 'a', 'z', 'zz'), randomBytes(5));
  writeFileSync(join(dir, 'B', 'é.txt'), randomBytes(16_384));
  writeFileSync(join(dir, '.dot'), randomBytes(999));
  writeFileSync(join(dir, 'empty'), '');
  symlinkSync('a', join(dir, 'linked-dir'));
  const reference = decodeTorrent(mktorrent(t, dir, ['-l', '15']));
  const made = await createTorrent({ path: dir, pieceLength: 2 ** 15 });
  assert.equal(made.infoHash, reference.infoHash);
});
