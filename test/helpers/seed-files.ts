import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Metainfo } from '../../source/engine/metainfo/metainfo.js';
import { metainfoFromFiles } from '../../source/engine/storage/metainfo-from-files.js';

/**
 * `count` one-piece single-file torrents with their data written in `directory` (seed-NNNNNN.bin,
 * each different): what the memory tests and soaks seed from. `size(i)` bytes each (under 16 KiB).
 */
export function writeSeedFiles(directory: string, count: number, size: (i: number) => number = (i) => 1000 + i): Metainfo[] {
  mkdirSync(directory, { recursive: true });
  return Array.from({ length: count }, (_, i) => {
    const name = `seed-${String(i).padStart(6, '0')}.bin`;
    const bytes = Buffer.alloc(size(i), i % 251);
    bytes.writeUInt32LE(i, 0);
    writeFileSync(join(directory, name), bytes);
    return metainfoFromFiles({
      name,
      pieceLength: 16384,
      files: [{ path: [name], data: bytes }],
      single: true,
      announce: 'http://127.0.0.1:9/announce',
    }).meta;
  });
}
