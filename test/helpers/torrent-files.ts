import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { decode, encode, type BDict } from '../../source/engine/codec/bencode.js';
import { parseMetainfo } from '../../source/engine/metainfo/metainfo.js';

/** Random files under `root` (a directory named like the torrent); returns their relative paths and contents. */
export function makeDataDir(root: string, sizes: number[]): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  sizes.forEach((size, i) => {
    const rel = i % 2 ? `sub/part-${i}.bin` : `part-${i}.bin`;
    const data = randomBytes(size);
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), data);
    files.set(rel, data);
  });
  return files;
}

/** Makes a .torrent of `path` with mktorrent (the reference maker), returning its info-hash. */
export function mktorrent(
  path: string,
  out: string,
  options: { announce?: string; pieceLengthLog2?: number; webSeeds?: string[] } = {},
): string {
  const web = (options.webSeeds ?? []).flatMap((url) => ['-w', url]);
  const args = [
    '-l',
    String(options.pieceLengthLog2 ?? 16),
    '-a',
    options.announce ?? 'http://127.0.0.1:1/announce',
    ...web,
    '-o',
    out,
    path,
  ];
  rmSync(out, { force: true });
  const result = spawnSync('mktorrent', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`mktorrent failed: ${result.stderr}`);
  return parseMetainfo(readFileSync(out)).infoHash;
}

/** Rewrites a .torrent's trackers (the info-hash does not change: announce is outside info). */
export function setAnnounce(torrentPath: string, urls: string[]): void {
  const root = decode(readFileSync(torrentPath)) as BDict;
  root.set('announce', Buffer.from(urls[0]!));
  if (urls.length > 1)
    root.set(
      'announce-list',
      urls.map((u) => [Buffer.from(u)]),
    );
  else root.delete('announce-list');
  writeFileSync(torrentPath, encode(root));
}

export function assertSameTree(expected: Map<string, Buffer>, root: string): void {
  for (const [rel, data] of expected) {
    const got = readFileSync(join(root, rel));
    if (!got.equals(data)) throw new Error(`${rel} differs (${got.length} vs ${data.length} bytes)`);
  }
}
