/**
 * Broken .torrent files and magnet links, generated (nothing big is committed). Each entry
 * is something a user could be handed; every one of them must be refused with one line.
 */
import { createHash } from 'node:crypto';
import { dict, encode, type BValue } from '../../source/engine/codec/bencode.js';

export interface BadTorrent {
  name: string;
  bytes: Buffer;
}

const PIECE = 16 * 1024;

function hashes(count: number): Buffer {
  return Buffer.alloc(20 * count, 7);
}

function torrent(info: Record<string, BValue | string | undefined>, outer: Record<string, BValue | string | undefined> = {}): Buffer {
  return encode(dict({ announce: 'http://127.0.0.1:1/announce', ...outer, info: dict(info) }));
}

function single(overrides: Record<string, BValue | string | undefined> = {}): Buffer {
  return torrent({ name: 'file.bin', 'piece length': PIECE, length: 3 * PIECE, pieces: hashes(3), ...overrides });
}

function multi(paths: (BValue | string)[][], length = 1000): Buffer {
  const files = paths.map((path) => dict({ length, path: path.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)) }));
  return torrent({ name: 'dir', 'piece length': PIECE, files, pieces: hashes(Math.ceil((length * paths.length) / PIECE)) });
}

/** A bencoded list nested `depth` deep, written directly (the encoder refuses such depth). */
function nestedList(depth: number): Buffer {
  return Buffer.concat([Buffer.from('l'.repeat(depth)), Buffer.from('e'.repeat(depth))]);
}

/** One million one-byte files, bencoded by hand: the generic encoder would take seconds. */
function millionFiles(): Buffer {
  const count = 1_000_000;
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = String(i);
    parts.push(`d6:lengthi1e4:pathl${n.length}:${n}ee`);
  }
  const pieces = hashes(Math.ceil(count / PIECE));
  const head = Buffer.from(`d4:infod5:filesl${parts.join('')}e4:name3:dir12:piece lengthi${PIECE}e6:pieces${pieces.length}:`);
  return Buffer.concat([head, pieces, Buffer.from('ee')]);
}

export function badTorrents(): BadTorrent[] {
  const good = single();
  const list: [string, Buffer][] = [
    ['empty file', Buffer.alloc(0)],
    ['truncated', good.subarray(0, Math.floor(good.length / 2))],
    ['truncated by one byte', good.subarray(0, good.length - 1)],
    ['plain text', Buffer.from('this is not a torrent\n')],
    ['an HTML error page', Buffer.from('<html><body>404 Not Found</body></html>')],
    ['top level is a list', encode([1, 2, 3])],
    ['no info dictionary', encode(dict({ announce: 'http://x/' }))],
    ['info is a string', encode(dict({ info: 'nope' }))],
    ['name is an integer', single({ name: 42 })],
    ['no name', single({ name: undefined })],
    ['piece length is a string', single({ 'piece length': '16384' })],
    ['piece length zero', single({ 'piece length': 0 })],
    ['piece length negative', single({ 'piece length': -PIECE })],
    ['piece length huge', single({ 'piece length': 2 ** 40 })],
    ['length is a string', single({ length: '49152' })],
    ['length negative', single({ length: -1 })],
    ['length zero', single({ length: 0 })],
    ['length huge (2^60)', single({ length: 2 ** 60 })],
    ['length beyond 64 bits', single({ length: 2n ** 70n })],
    ['string length prefix huge', Buffer.from('d4:info99999999999:xe')],
    ['pieces is an integer', single({ pieces: 5 })],
    ['pieces not a multiple of 20', single({ pieces: Buffer.alloc(59) })],
    ['piece count does not match the length', single({ pieces: hashes(2) })],
    ['piece count too large for the length', single({ pieces: hashes(300) })],
    ['both length and files', torrent({ name: 'x', 'piece length': PIECE, length: 10, files: [], pieces: hashes(1) })],
    ['files is a dictionary', torrent({ name: 'x', 'piece length': PIECE, files: dict({ a: 1 }), pieces: hashes(1) })],
    ['files is empty', torrent({ name: 'x', 'piece length': PIECE, files: [], pieces: hashes(1) })],
    ['file path with ..', multi([['..', '..', 'etc', 'passwd']])],
    ['file path .. in the middle', multi([['a', '..', '..', 'escape']])],
    ['absolute file path', multi([['/etc/passwd']])],
    ['component with a slash', multi([['a/../../b']])],
    ['name is ..', single({ name: '..' })],
    ['name is absolute', single({ name: '/tmp/evil' })],
    ['empty path component', multi([['a', '', 'b']])],
    ['empty path list', multi([[]])],
    ['NUL in a component', multi([['evil\0.txt']])],
    ['NUL in the name', single({ name: 'a\0b' })],
    ['component longer than the file system allows', multi([['x'.repeat(300)]])],
    ['name longer than the file system allows', single({ name: 'n'.repeat(256) })],
    ['path component not a string', multi([[Buffer.from('a'), 5]])],
    ['duplicate files', multi([['same.txt'], ['same.txt']])],
    ['a file and a directory of the same name', multi([['a'], ['a', 'b']])],
    ['deep nesting (5,000 directories)', multi([Array.from({ length: 5000 }, () => 'd')])],
    ['deeply nested bencode', Buffer.concat([Buffer.from('d4:info'), nestedList(100_000), Buffer.from('e')])],
    ['1,000,000 files', millionFiles()],
    ['meta version 3', single({ 'meta version': 3 })],
    ['v2 file tree is a list', torrent({ name: 'x', 'piece length': PIECE, 'meta version': 2, 'file tree': [1] })],
    ['trailing garbage', Buffer.concat([good, Buffer.from('garbage')])],
    ['unsorted duplicate keys', Buffer.from('d4:infod6:lengthi1e6:lengthi2eee')],
  ];
  return list.map(([name, bytes]) => ({ name, bytes }));
}

export const BAD_MAGNETS: string[] = [
  'magnet:',
  'magnet:?',
  'magnet:?dn=no-hash',
  'magnet:?xt=urn:btih:',
  'magnet:?xt=urn:btih:zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz',
  `magnet:?xt=urn:btih:${'a'.repeat(41)}`,
  `magnet:?xt=urn:btih:${'a'.repeat(39)}`,
  'magnet:?xt=urn:sha1:abcdef',
  `magnet:?xt=urn:btmh:1220${'0'.repeat(10)}`,
  `magnet:?xt=urn:btih:${'%'.repeat(40)}`,
  `magnet:?xt=urn:btih:${createHash('sha1').update('x').digest('hex')}&xt=urn:btih:${'b'.repeat(40)}`,
  `magnet:?${'xt=urn:btih:'.repeat(8_000)}`,
];
