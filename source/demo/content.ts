import { randomBytes } from 'node:crypto';
import type { MemoryFile } from '../engine/storage/metainfo-from-files.js';

export interface DemoSpec {
  name: string;
  pieceLength: number;
  single: boolean;
  files: MemoryFile[];
  /** Which demo seeders hold it: 'full', a fraction of its pieces, or nothing. */
  seeders: ('full' | number | undefined)[];
  /** Which slice of the pieces a partial seeder has: it starts at this fraction. */
  partialOffset?: number[];
}

const KIB = 1024;
const MIB = 1024 * KIB;

/** Random bytes (incompressible, like real media) of a length. */
function blob(length: number): Uint8Array {
  return randomBytes(length);
}

/**
 * The demo torrents: different sizes and piece lengths, one multi-file with a
 * subdirectory, and one that no seeder holds completely (its heatmap shows holes).
 */
export function demoSpecs(scale = 1): DemoSpec[] {
  const size = (n: number) => Math.max(16 * KIB, Math.round(n * scale));
  const tracks = ['01 Overture.flac', '02 Handshake.flac', '03 Bitfield Blues.flac', '04 Choke.flac', '05 Unchoke.flac', '06 Endgame.flac'];
  return [
    {
      name: 'btui-demo-linux.iso',
      pieceLength: 256 * KIB,
      single: true,
      files: [{ path: ['btui-demo-linux.iso'], data: blob(size(48 * MIB)) }],
      seeders: ['full', 'full', 0.6],
    },
    {
      name: 'Demo Album (FLAC)',
      pieceLength: 64 * KIB,
      single: false,
      files: [
        ...tracks.map((t, i) => ({ path: [t], data: blob(size((1.2 + i * 0.35) * MIB)) })),
        { path: ['cover.jpg'], data: blob(size(310 * KIB)) },
        { path: ['extras', 'booklet.pdf'], data: blob(size(900 * KIB)) },
        { path: ['extras', 'notes.txt'], data: blob(size(3 * KIB)) },
      ],
      seeders: ['full', undefined, 0.5],
    },
    {
      name: 'README-demo.txt',
      pieceLength: 16 * KIB,
      single: true,
      files: [{ path: ['README-demo.txt'], data: blob(size(180 * KIB)) }],
      seeders: ['full', undefined, undefined],
    },
    {
      name: 'Rare Dataset.tar',
      pieceLength: 64 * KIB,
      single: true,
      files: [{ path: ['Rare Dataset.tar'], data: blob(size(12 * MIB)) }],
      seeders: [undefined, 0.45, 0.35],
      partialOffset: [0, 0, 0.3],
    },
  ];
}
