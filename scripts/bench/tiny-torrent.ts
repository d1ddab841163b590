import { randomBytes } from 'node:crypto';
import { encode, type BValue } from '../../source/engine/codec/bencode.js';

/** A small single-file .torrent (one made-up piece: 16-32 KiB long), number `i` of a benchmark's many. */
export function tinyTorrent(i: number, announce: string): Buffer {
  const info = new Map<string, BValue>([
    ['length', 16384 + (i % 16384)],
    ['name', Buffer.from(`Bench.Torrent.${String(i).padStart(5, '0')}.mkv`)],
    ['piece length', 32768],
    ['pieces', randomBytes(20)],
  ]);
  return encode(
    new Map<string, BValue>([
      ['announce', Buffer.from(announce)],
      ['info', info],
    ]),
  );
}
