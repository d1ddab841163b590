import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { metainfoFromFiles, type MemoryFile } from '../../source/engine/storage/metainfo-from-files.js';
import type { Metainfo } from '../../source/engine/metainfo/metainfo.js';
import type { Torrent } from '../../source/engine/torrent/torrent.js';
import { Session, type SessionOptions } from '../../source/engine/session/session.js';

/** A multi-file torrent of random data with odd sizes (pieces straddle files). */
export function randomTorrent(options: { name?: string; pieceLength?: number; sizes?: number[]; single?: boolean } = {}): {
  meta: Metainfo;
  data: Buffer;
  files: MemoryFile[];
} {
  const sizes = options.sizes ?? [150_001, 3, 0, 777_777, 65_536];
  const files: MemoryFile[] = sizes.map((size, i) => ({
    path: i % 2 ? ['sub', `file-${i}.bin`] : [`file-${i}.bin`],
    data: randomBytes(size),
  }));
  const { meta, data } = metainfoFromFiles({
    name: options.name ?? 'swarm-test',
    pieceLength: options.pieceLength ?? 32 * 1024,
    files,
    single: options.single,
  });
  return { meta, data, files };
}

/** Writes a torrent's files under `directory` as a seeder would have them. */
export function writeTorrentFiles(directory: string, meta: Metainfo, data: Buffer): void {
  for (const f of meta.files) {
    if (f.padding) continue;
    const path = join(directory, ...f.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, data.subarray(f.offset, f.offset + f.length));
  }
}

export function waitForDone(torrent: Torrent, timeoutMs = 30_000): Promise<void> {
  if (torrent.state === 'seeding') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out; state ${torrent.state}, ${JSON.stringify(torrent.stats())}`)), timeoutMs);
    torrent.once('done', () => {
      clearTimeout(timer);
      resolve();
    });
    torrent.once('error-state', (message: string) => {
      clearTimeout(timer);
      reject(new Error(message));
    });
  });
}

/** An in-process seeder of `meta` on 127.0.0.1 (data written to a temp dir), closed after the test. */
export async function startSeeder(t: import('node:test').TestContext, meta: Metainfo, data: Buffer, directory: string): Promise<Session> {
  writeTorrentFiles(directory, meta, data);
  const seeder = new Session({ host: '127.0.0.1', port: 0 });
  await seeder.listen();
  t.after(() => seeder.close());
  await seeder.add(meta, { directory, seedMode: true }).start();
  return seeder;
}

/** A session listening on 127.0.0.1 (or `options.host`), any port, closed after the test. */
export async function startSession(t: import('node:test').TestContext, options: SessionOptions = {}): Promise<Session> {
  const s = new Session({ host: '127.0.0.1', port: 0, ...options });
  await s.listen();
  t.after(() => s.close());
  return s;
}

/** Every file of `meta` under `directory` holds its bytes of `data`. */
export function assertSameFiles(meta: Metainfo, data: Buffer, directory: string): void {
  for (const f of meta.files) {
    if (f.padding) continue;
    const got = readFileSync(join(directory, ...f.path));
    assert.ok(got.equals(data.subarray(f.offset, f.offset + f.length)), `${f.path.join('/')} differs`);
  }
}

/** Bytes this torrent received from each peer (host:port), as its peer list showed them last. */
export function trackDownloads(torrent: Torrent): Map<string, number> {
  const seen = new Map<string, number>();
  const sample = () => {
    for (const p of torrent.peerStats()) seen.set(`${p.host}:${p.port}`, Math.max(seen.get(`${p.host}:${p.port}`) ?? 0, p.downloaded));
  };
  torrent.on('piece', sample);
  torrent.on('tick', sample);
  return seen;
}
