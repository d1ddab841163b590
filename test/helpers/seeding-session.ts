// A saved session of small single-file torrents whose data is in place: what a user who seeds
// many torrents restarts into (the TUI start-up tests and scripts/bench-ui.ts).
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { encodeTorrentFile } from '../../source/engine/metainfo/encode-torrent-file.js';
import { metainfoFromFiles } from '../../source/engine/storage/metainfo-from-files.js';
import { encodeResume } from '../../source/engine/storage/resume-file.js';

export interface SeedingSessionOptions {
  /** File name of torrent number i (default bench-NNNNN.bin). */
  name?: (i: number) => string;
  /** Its data (default 16-22 KiB of random bytes). */
  data?: (i: number) => Buffer;
  /** Its announce URL (default: none). */
  announce?: (i: number) => string;
  /** When it was added (default: now). */
  addedAt?: (i: number) => number;
  /** Resume files written too, as a run that checked them would have (the first start then reads no data). */
  resume?: boolean;
}

/** Writes session.json and the .torrent copies under `state`, and the data under `data`. */
export function writeSeedingSession(state: string, data: string, count: number, options: SeedingSessionOptions = {}): void {
  mkdirSync(join(state, 'torrents'), { recursive: true });
  mkdirSync(data, { recursive: true });
  const torrents = [];
  for (let i = 0; i < count; i++) {
    const name = options.name?.(i) ?? `bench-${String(i).padStart(5, '0')}.bin`;
    const { meta, data: bytes } = metainfoFromFiles({
      name,
      pieceLength: 16384,
      files: [{ path: [name], data: options.data?.(i) ?? randomBytes(16384 + (i % 7) * 1000) }],
      single: true,
      announce: options.announce?.(i),
    });
    writeFileSync(join(data, name), bytes);
    writeFileSync(join(state, 'torrents', `${meta.infoHash}.torrent`), encodeTorrentFile(meta));
    if (options.resume) {
      if (meta.pieceCount !== 1 || meta.files.length !== 1) throw new Error('resume files are made for one-piece, one-file torrents only');
      const stat = statSync(join(data, name), { bigint: true });
      mkdirSync(join(state, 'resume'), { recursive: true });
      writeFileSync(
        join(state, 'resume', `${meta.infoHash}.resume`),
        encodeResume({
          infoHash: Buffer.from(meta.infoHash, 'hex'),
          pieceCount: 1,
          bitfield: Uint8Array.of(0x80),
          files: [{ size: Number(stat.size), mtime: stat.mtimeNs }],
        }),
      );
    }
    torrents.push({
      infoHash: meta.infoHash,
      torrentFile: `torrents/${meta.infoHash}.torrent`,
      directory: data,
      paused: false,
      priority: 2,
      filePriorities: [1],
      addedAt: options.addedAt?.(i) ?? Date.now(),
      downloaded: 0,
      uploaded: 0,
    });
  }
  writeFileSync(join(state, 'session.json'), JSON.stringify({ version: 1, torrents }));
}
