import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Metainfo } from '../engine/metainfo/metainfo.js';
import { filePieces } from '../engine/metainfo/piece-layout.js';
import { Session } from '../engine/session/session.js';
import { metainfoFromFiles } from '../engine/storage/metainfo-from-files.js';
import { demoSpecs } from './content.js';
import { DemoTracker } from './tracker.js';

export interface DemoSwarm {
  /** The demo torrents (announcing to the demo tracker), for the user's session to add. */
  torrents: Metainfo[];
  /** Where the user's session should download them (inside the demo's temp dir). */
  downloadDirectory: string;
  /** Seeder addresses, to hand to the user's torrents directly. */
  peers: { host: string; port: number }[];
  close(): Promise<void>;
}

export interface DemoOptions {
  /** Bytes/s each seeder uploads at most (so downloads are visible); 0 = unlimited. */
  seederUploadLimit?: number;
  /** Content size factor (tests use small ones). */
  scale?: number;
}

/**
 * A local swarm in this process: a tracker and three seeder Sessions on 127.0.0.1 with
 * generated content in a temp dir. Two seeders have everything they seed; the third, and
 * both seeders of the rare torrent, hold only part of the pieces, so availability differs
 * from piece to piece.
 */
export async function startDemoSwarm(options: DemoOptions = {}): Promise<DemoSwarm> {
  const root = await mkdtemp(join(tmpdir(), 'btui-demo-'));
  const tracker = new DemoTracker();
  const seeders: Session[] = [];
  try {
    const announce = await tracker.listen();
    for (let i = 0; i < 3; i++) {
      const seeder = new Session({ host: '127.0.0.1', uploadLimit: options.seederUploadLimit ?? 1024 * 1024, maxPeersPerTorrent: 20 });
      await seeder.listen(0);
      seeders.push(seeder);
    }
    const torrents: Metainfo[] = [];
    for (const spec of demoSpecs(options.scale ?? 1)) {
      const { meta, data } = metainfoFromFiles({
        name: spec.name,
        pieceLength: spec.pieceLength,
        files: spec.files,
        single: spec.single,
        announce,
      });
      torrents.push(meta);
      for (let s = 0; s < seeders.length; s++) {
        const holding = spec.seeders[s];
        if (holding === undefined) continue;
        const directory = join(root, `seeder-${s}`);
        if (holding === 'full') {
          await writePieces(directory, meta, data, () => true, true);
          seeders[s]!.add(meta, { directory, seedMode: true });
        } else {
          const start = Math.floor((spec.partialOffset?.[s] ?? 0) * meta.pieceCount);
          const count = Math.floor(holding * meta.pieceCount);
          await writePieces(directory, meta, data, (p) => (p - start + meta.pieceCount) % meta.pieceCount < count);
          seeders[s]!.add(meta, { directory });
        }
      }
    }
    return {
      torrents,
      downloadDirectory: join(root, 'downloads'),
      peers: seeders.map((s) => ({ host: '127.0.0.1', port: s.port })),
      close: async () => {
        await Promise.all(seeders.map((s) => s.close()));
        await tracker.close();
        await rm(root, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await Promise.all(seeders.map((s) => s.close()));
    await tracker.close().catch(() => undefined);
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}

/** Writes the files of a torrent with only the chosen pieces filled in (the rest stay holes, which fail their hash). */
async function writePieces(directory: string, meta: Metainfo, data: Buffer, keep: (piece: number) => boolean, all = false): Promise<void> {
  for (const file of meta.files) {
    if (file.padding) continue;
    const path = join(directory, ...file.path);
    await mkdir(dirname(path), { recursive: true });
    const handle = await open(path, 'w');
    try {
      await handle.truncate(file.length);
      if (file.length === 0) continue;
      if (all) {
        await handle.write(data, file.offset, file.length, 0);
        continue;
      }
      const { first, last } = filePieces(file, meta.pieceLength)!;
      for (let p = first; p <= last; p++) {
        if (!keep(p)) continue;
        const start = Math.max(file.offset, p * meta.pieceLength);
        const end = Math.min(file.offset + file.length, (p + 1) * meta.pieceLength);
        await handle.write(data, start, end - start, start - file.offset);
      }
    } finally {
      await handle.close();
    }
  }
}
