/** The matrix's payload: one file of random bytes, its .torrent (no trackers), and a seeder's copy. */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeTorrentFile } from '../../source/engine/metainfo/encode-torrent-file.js';
import { metainfoFromFiles } from '../../source/engine/storage/metainfo-from-files.js';
import type { Metainfo } from '../../source/engine/metainfo/metainfo.js';

export interface Fixture {
  name: string;
  data: Buffer;
  meta: Metainfo;
  torrentPath: string;
  /** Holds `name` with the payload: the directory a seeder is given. */
  seedDir: string;
}

export function makeFixture(directory: string, sizeBytes: number, pieceLength = 256 * 1024): Fixture {
  const name = 'interop.bin';
  const data = randomBytes(sizeBytes);
  const { meta } = metainfoFromFiles({ name, pieceLength, files: [{ path: [name], data }], single: true });
  const seedDir = join(directory, 'seed');
  mkdirSync(seedDir, { recursive: true });
  writeFileSync(join(seedDir, name), data);
  const torrentPath = join(directory, 'interop.torrent');
  writeFileSync(torrentPath, encodeTorrentFile(meta));
  return { name, data, meta, torrentPath, seedDir };
}
