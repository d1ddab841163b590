import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BufferPool } from '../../../source/engine/torrent/buffer-pool.js';
import { RateLimiter } from '../../../source/engine/torrent/rate-limiter.js';
import { Uploader } from '../../../source/engine/torrent/uploader.js';
import type { Peer } from '../../../source/engine/torrent/peer.js';
import type { TorrentContext } from '../../../source/engine/torrent/torrent-context.js';

const PIECE = 64 * 1024;
const BLOCK = 16 * 1024;

interface Sent {
  index: number;
  begin: number;
  data: Buffer;
}

/** An uploader over a fake torrent of 4 pieces (piece i filled with byte i), whose reads wait for `finishRead`. */
function setup(options: { uploadLimit?: number } = {}) {
  const reads: { index: number; finish: () => void }[] = [];
  const warnings: string[] = [];
  const failures: unknown[] = [];
  const ctx = {
    meta: { pieceCount: 4, pieceLength: PIECE },
    picker: { pieceSize: () => PIECE, have: { get: () => true } },
    storage: {
      read: (index: number, _begin: number, length: number, into?: Buffer) =>
        new Promise<Buffer>((resolve) => reads.push({ index, finish: () => resolve((into ?? Buffer.alloc(length)).fill(index)) })),
    },
    traffic: { uploaded: 0, downloaded: 0 },
    state: 'seeding',
    running: true,
    warn: (message: string) => warnings.push(message),
    fail: (error: unknown) => failures.push(error),
  } as unknown as TorrentContext;
  const pool = new BufferPool(PIECE, 4 * PIECE);
  const uploader = new Uploader(ctx, pool, { readCacheBytes: 4 * PIECE, uploadLimiter: new RateLimiter(options.uploadLimit ?? 0) });
  const sent: Sent[] = [];
  const peer = {
    amChoking: false,
    uploading: false,
    uploadQueue: [],
    wire: {
      destroyed: false,
      destroy() {
        this.destroyed = true;
      },
      remoteHandshake: { fast: true },
      writableNeedDrain: () => false,
      sendPiece: (index: number, begin: number, data: Buffer, written: () => void) => {
        sent.push({ index, begin, data: Buffer.from(data) });
        written();
      },
    },
  } as unknown as Peer;
  const request = (index: number, block: number) => uploader.onRequest(peer, { index, begin: block * BLOCK, length: BLOCK });
  return { uploader, ctx, peer, sent, reads, request, warnings, failures };
}

/** Lets pending promise callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

test('uploader: blocks of a cached piece go out in the same turn as their requests', async () => {
  const { uploader, sent, request, warnings } = setup();
  uploader.cachePiece(2, Buffer.alloc(PIECE, 2));
  for (let b = 0; b < 4; b++) request(2, b);
  assert.deepEqual(
    sent.map((s) => [s.index, s.begin]),
    [
      [2, 0],
      [2, BLOCK],
      [2, 2 * BLOCK],
      [2, 3 * BLOCK],
    ],
  );
  assert.ok(sent.every((s) => s.data.length === BLOCK && s.data.every((byte) => byte === 2)));
  assert.deepEqual(warnings, []);
});

test('uploader: a piece read from disk first, and the requests behind it wait their turn', async () => {
  const { uploader, sent, reads, request, ctx } = setup();
  uploader.cachePiece(3, Buffer.alloc(PIECE, 3));
  request(1, 0); // not cached: read first
  request(3, 0); // cached, but asked for after the block above
  request(1, 1);
  assert.equal(sent.length, 0);
  assert.deepEqual(
    reads.map((r) => r.index),
    [1],
  );
  reads[0]!.finish();
  await settle();
  assert.deepEqual(
    sent.map((s) => [s.index, s.begin, s.data[0]]),
    [
      [1, 0, 1],
      [3, 0, 3],
      [1, BLOCK, 1],
    ],
  );
  assert.equal(ctx.traffic.uploaded, 3 * BLOCK);
  // The piece read for the first request is cached now: the next goes out at once.
  request(1, 2);
  assert.equal(sent.length, 4);
});

test('uploader: over the upload limit a block waits, then the rest follow in order', async () => {
  // 256 KiB/s: a bucket of half a second, 8 blocks at once; the 9th waits ~63 ms.
  const { uploader, sent, request } = setup({ uploadLimit: 256 * 1024 });
  for (let i = 0; i < 3; i++) uploader.cachePiece(i, Buffer.alloc(PIECE, i));
  for (let n = 0; n < 10; n++) request(n >> 2, n & 3);
  assert.equal(sent.length, 8);
  while (sent.length < 10) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual(
    sent.map((s) => s.index * PIECE + s.begin),
    Array.from({ length: 10 }, (_, n) => n * BLOCK),
  );
});

test('uploader: a peer choked while its block waits is sent nothing more', async () => {
  const { peer, sent, reads, request } = setup();
  request(0, 0);
  request(0, 1);
  peer.amChoking = true;
  reads[0]!.finish();
  await settle();
  assert.equal(sent.length, 0);
  assert.equal(peer.uploading, false);
});

test('uploader: a send that throws closes that peer with a warning, and nothing escapes to the caller', () => {
  const { uploader, peer, request, warnings, failures } = setup();
  uploader.cachePiece(1, Buffer.alloc(PIECE, 1));
  peer.wire.sendPiece = () => {
    throw new Error('socket gone');
  };
  request(1, 0);
  assert.equal(peer.wire.destroyed, true);
  assert.deepEqual(warnings, ['cannot serve data: socket gone']);
  assert.equal(failures.length, 1, 'a seeding torrent that cannot serve fails');
});
