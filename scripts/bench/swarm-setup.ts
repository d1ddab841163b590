/**
 * Payloads, torrents and the "is it registered yet" check the benchmark's loopback swarms need.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { decode, encode, isDict, isInt, type BValue } from '../../source/engine/codec/bencode.js';
import { startLibtorrentPeer } from '../../test/helpers/libtorrent-peer.js';
import { startOpentracker } from '../../test/helpers/opentracker.js';
import { mktorrent, setAnnounce } from '../../test/helpers/torrent-files.js';

const MiB = 1024 * 1024;

/** A file of random bytes in `dir`, made once and reused by later runs. */
export function ensurePayload(dir: string, sizeMiB: number): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `payload-${sizeMiB}m.bin`);
  if (!existsSync(path) || statSync(path).size !== sizeMiB * MiB) {
    process.stderr.write(`generating ${sizeMiB} MiB of random data in ${path}\n`);
    const fd = openSync(path, 'w');
    const chunk = randomBytes(MiB);
    for (let i = 0; i < sizeMiB; i++) {
      chunk.writeUInt32LE(i, 0);
      writeSync(fd, chunk);
    }
    closeSync(fd);
  }
  return path;
}

/** Reads a file once so that every contender starts from the page cache. */
export function warm(path: string): void {
  spawnSync('cat', [path], { stdio: ['ignore', 'ignore', 'ignore'] });
}

/** A .torrent with 10,000 files in 100 directories (no data behind it: for metainfo only). */
export function manyFilesTorrent(path: string, count = 10_000): void {
  const files: BValue[] = [];
  let total = 0;
  for (let i = 0; i < count; i++) {
    const length = 1000 + ((i * 7919) % 100_000);
    total += length;
    files.push(
      new Map<string, BValue>([
        ['length', length],
        ['path', [Buffer.from(`dir-${Math.floor(i / 100)}`), Buffer.from(`file-${i}.dat`)]],
      ]),
    );
  }
  const pieceLength = 256 * 1024;
  const info = new Map<string, BValue>([
    ['files', files],
    ['name', Buffer.from('many-files')],
    ['piece length', pieceLength],
    ['pieces', randomBytes(Math.ceil(total / pieceLength) * 20)],
  ]);
  writeFileSync(
    path,
    encode(
      new Map<string, BValue>([
        ['announce', Buffer.from('http://127.0.0.1:1/announce')],
        ['info', info],
      ]),
    ),
  );
}

/** Seeders the tracker knows for `infoHash` (HTTP scrape), 0 if it does not answer. */
export function seedersOf(port: number, infoHash: string): Promise<number> {
  const escaped = [...Buffer.from(infoHash, 'hex')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: `/scrape?info_hash=${escaped}`, agent: false, timeout: 2000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          const files = (decode(Buffer.concat(chunks)) as Map<string, BValue>).get('files');
          const entry = isDict(files) ? files.get(Buffer.from(infoHash, 'hex').toString('latin1')) : undefined;
          const complete = isDict(entry) ? entry.get('complete') : undefined;
          resolve(isInt(complete) ? Number(complete) : 0);
        } catch {
          resolve(0);
        }
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

export async function waitForSeeders(port: number, infoHash: string, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await seedersOf(port, infoHash)) >= count) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the tracker on port ${port} saw no seeder of ${infoHash} within ${timeoutMs} ms`);
}

/**
 * The swarm scripts' setup: a payload of `sizeMiB` in `benchDir` (page-cached), its torrent at
 * `torrent` (1 MiB pieces) announced to an opentracker, and a libtorrent seeder on 127.0.0.2
 * that the tracker knows of. Both stop with `t`.
 */
export async function startTrackedSeeder(t: TestContext, benchDir: string, sizeMiB: number, torrent: string) {
  const data = ensurePayload(benchDir, sizeMiB);
  const hash = mktorrent(data, torrent, { pieceLengthLog2: 20 });
  const tracker = await startOpentracker(t, [hash]);
  setAnnounce(torrent, [tracker.httpAnnounce]);
  warm(data);
  const seeder = await startLibtorrentPeer(t, { torrentPath: torrent, savePath: benchDir, mode: 'seed', listenHost: '127.0.0.2' });
  await seeder.waitForTrackerReply(20_000);
  return { data, hash, tracker, seeder };
}
