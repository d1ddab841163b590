import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { HashPool, defaultHashPool, closeDefaultHashPool, startWorker, type FileSpan } from '../../../source/engine/hashing/hasher.js';
import { PieceMap, hashStream } from '../../../source/engine/hashing/hash-stream.js';
import { tempDir } from '../../helpers/tools.js';

const sha1 = (data: Uint8Array) => createHash('sha1').update(data).digest();

function referencePieces(data: Buffer, pieceLength: number): Buffer {
  const out: Buffer[] = [];
  for (let at = 0; at < data.length; at += pieceLength) out.push(sha1(data.subarray(at, at + pieceLength)));
  return Buffer.concat(out);
}

/** Writes `sizes` random files into a temp dir; returns their spans and the concatenated data. */
function makeFiles(t: import('node:test').TestContext, sizes: number[]): { files: FileSpan[]; data: Buffer } {
  const dir = tempDir(t);
  const parts = sizes.map((n) => randomBytes(n));
  const files = parts.map((part, i) => {
    const path = join(dir, `f${i}`);
    writeFileSync(path, part);
    return { path, length: part.length };
  });
  return { files, data: Buffer.concat(parts) };
}

test('sha1 matches node:crypto for assorted sizes, views and pooled buffers', async (t) => {
  const pool = new HashPool({ size: 2 });
  t.after(() => pool.close());
  const big = randomBytes(3 * 1024 * 1024 + 7);
  const inputs: Uint8Array[] = [
    Buffer.alloc(0),
    Buffer.from('abc'), // pooled allocation
    big,
    big.subarray(12345, 12345 + 65536), // a view into a larger buffer
    new Uint8Array([1, 2, 3, 4, 5]).subarray(1, 4),
  ];
  const digests = await Promise.all(inputs.map((d) => pool.sha1(d)));
  digests.forEach((digest, i) => assert.deepEqual(digest, sha1(inputs[i]!), `input ${i}`));
  // The caller's data is untouched.
  assert.equal(big.length, 3 * 1024 * 1024 + 7);
  assert.equal((await pool.sha1(Buffer.from('abc'))).toString('hex'), 'a9993e364706816aba3e25717850c26c9cd0d89d');
});

test('sha1Transfer hands the data back intact and hashes it correctly', async (t) => {
  const pool = new HashPool({ size: 1 });
  t.after(() => pool.close());
  const owned = Buffer.alloc(1024 * 1024, 7);
  const expected = sha1(owned);
  const copyOfBytes = Buffer.from(owned);
  const result = await pool.sha1Transfer(owned);
  assert.deepEqual(result.digest, expected);
  assert.ok(result.data.equals(copyOfBytes));
  assert.equal(owned.buffer.byteLength, 0, 'an exclusively owned buffer was moved, not copied');

  const view = Buffer.concat([Buffer.from('xx'), Buffer.from('hello world')]).subarray(2);
  const viaView = await pool.sha1Transfer(view);
  assert.deepEqual(viaView.digest, sha1(Buffer.from('hello world')));
  assert.equal(view.toString(), 'hello world', 'a view is copied, the caller keeps it');
});

test('hashFiles equals a reference over files whose boundaries straddle pieces', async (t) => {
  const pool = new HashPool({ size: 2 });
  t.after(() => pool.close());
  const { files, data } = makeFiles(t, [1, 0, 40_000, 16_384, 333_333, 0, 5, 1_000_003]);
  for (const pieceLength of [16_384, 32_768, 262_144, 4 * 1024 * 1024]) {
    const updates: number[] = [];
    const digests = await pool.hashFiles(files, pieceLength, { onProgress: (p) => updates.push(p.bytesHashed) });
    assert.ok(digests.equals(referencePieces(data, pieceLength)), `piece length ${pieceLength}`);
    assert.equal(updates.at(-1), data.length, 'progress reaches the total');
    assert.deepEqual(
      updates,
      [...updates].sort((a, b) => a - b),
      'progress only grows',
    );
  }
});

test('hashFiles spreads a larger input over many jobs and keeps piece order', async (t) => {
  const { files, data } = makeFiles(t, [5 * 1024 * 1024 + 17, 3 * 1024 * 1024 - 1]);
  const expected = referencePieces(data, 16_384);
  for (const useCallerThread of [undefined, 'while-workers-start', 'throughout'] as const) {
    // A fresh pool each time, so the caller thread really helps while the workers boot.
    const pool = new HashPool({ size: 2 });
    t.after(() => pool.close());
    let last = 0;
    const digests = await pool.hashFiles(files, 16_384, { useCallerThread, onProgress: (p) => (last = p.bytesHashed) });
    assert.ok(digests.equals(expected), `useCallerThread ${useCallerThread}`);
    assert.equal(last, data.length);
  }
});

test('hashFiles stops early when aborted', async (t) => {
  const pool = new HashPool({ size: 1 });
  t.after(() => pool.close());
  const { files } = makeFiles(t, [8 * 1024 * 1024]);
  const controller = new AbortController();
  const hashing = pool.hashFiles(files, 16_384, { signal: controller.signal });
  controller.abort(new Error('stop'));
  await assert.rejects(hashing, /stop/);
  await assert.rejects(pool.hashFiles(files, 16_384, { signal: AbortSignal.abort(new Error('already')) }), /already/);
  // The calling thread stops too.
  const second = new AbortController();
  const helped = pool.hashFiles(files, 16_384, {
    signal: second.signal,
    useCallerThread: 'throughout',
    onProgress: () => second.abort(new Error('halt')),
  });
  await assert.rejects(helped, /halt/);
  // The pool is still usable afterwards.
  assert.equal((await pool.sha1(Buffer.from('abc'))).toString('hex'), 'a9993e364706816aba3e25717850c26c9cd0d89d');
  assert.equal((await pool.hashFiles(files, 1024 * 1024)).length, 8 * 20);
});

test('hashPieces hashes chosen runs of pieces and reports missing data when tolerated', async (t) => {
  const { files, data } = makeFiles(t, [50_000, 70_000, 30_000]);
  const pieceLength = 32_768;
  const all = referencePieces(data, pieceLength);
  for (const useCallerThread of [undefined, 'while-workers-start'] as const) {
    const pool = new HashPool({ size: 1 });
    t.after(() => pool.close());
    let last = { bytesHashed: 0, piecesHashed: 0 };
    const mid = await pool.hashPieces(files, pieceLength, {
      runs: [
        [1, 2],
        [4, 1],
      ],
      useCallerThread,
      onProgress: (p) => (last = p),
    });
    assert.ok(mid.digests.subarray(20, 60).equals(all.subarray(20, 60)));
    assert.ok(mid.digests.subarray(80, 100).equals(all.subarray(80, 100)));
    assert.ok(mid.digests.subarray(0, 20).equals(Buffer.alloc(20)), 'pieces outside the runs are not hashed');
    assert.ok(mid.digests.subarray(60, 80).equals(Buffer.alloc(20)));
    assert.deepEqual(last, {
      bytesHashed: 2 * pieceLength + (150_000 - 4 * pieceLength),
      totalBytes: 2 * pieceLength + (150_000 - 4 * pieceLength),
      piecesHashed: 3,
      pieceCount: 3,
    });
    assert.deepEqual([...mid.unreadable], [0, 0, 0, 0, 0]);
    // Done as soon as every piece is, even if the worker was still booting: it stays usable.
    assert.equal((await pool.sha1(Buffer.from('abc'))).toString('hex'), 'a9993e364706816aba3e25717850c26c9cd0d89d');
  }

  const pool = new HashPool({ size: 1 });
  t.after(() => pool.close());
  // The second file is missing and the third shorter than declared.
  const broken: FileSpan[] = [files[0]!, { path: files[1]!.path + '.gone', length: 70_000 }, { path: files[2]!.path, length: 40_000 }];
  await assert.rejects(pool.hashPieces(broken, pieceLength), { code: 'ENOENT' });
  const tolerated = await pool.hashPieces(broken, pieceLength, { tolerateMissing: true });
  // Bytes 50_000..120_000 are missing (pieces 1..3), 150_000..160_000 are past the end (piece 4).
  assert.deepEqual([...tolerated.unreadable], [0, 1, 1, 1, 1]);
  assert.ok(tolerated.digests.subarray(0, 20).equals(all.subarray(0, 20)));
  assert.ok(tolerated.digests.subarray(20).equals(Buffer.alloc(80)));
  await assert.rejects(pool.hashPieces(files, pieceLength, { runs: [[4, 2]] }), RangeError);
});

test('a file that shrank makes hashFiles reject with a readable error', async (t) => {
  const pool = new HashPool({ size: 2 });
  t.after(() => pool.close());
  const { files } = makeFiles(t, [100_000]);
  await assert.rejects(pool.hashFiles([{ path: files[0]!.path, length: 200_000 }], 16_384), /shorter than expected/);
});

test('PieceMap maps pieces onto files and skips empty ones', () => {
  const files: FileSpan[] = [
    { path: 'a', length: 10 },
    { path: 'e', length: 0 },
    { path: 'b', length: 25 },
    { path: 'c', length: 5 },
  ];
  const map = new PieceMap(files);
  assert.deepEqual(map.ranges(16, 0, 1), [
    { path: 'a', offset: 0, length: 10 },
    { path: 'b', offset: 0, length: 6 },
  ]);
  assert.deepEqual(map.ranges(16, 1, 2), [
    { path: 'b', offset: 6, length: 19 },
    { path: 'c', offset: 0, length: 5 },
  ]);
});

test('a closed pool rejects jobs; an idle pool does not keep the process alive', async () => {
  const pool = new HashPool({ size: 1 });
  assert.equal((await pool.sha1(Buffer.from('x'))).length, 20);
  await pool.close();
  await assert.rejects(pool.sha1(Buffer.from('x')), /closed/);

  const shared = defaultHashPool();
  assert.equal(defaultHashPool(), shared);
  assert.ok(shared.size >= 1);
  await closeDefaultHashPool();
  assert.notEqual(defaultHashPool(), shared);
  await closeDefaultHashPool();
});

test('stopIdleWorkers ends the worker threads; the pool starts them again when next asked', async (t) => {
  const threads = () => readdirSync('/proc/self/task').length;
  const pool = new HashPool({ size: 2 });
  t.after(() => pool.close());
  const before = threads();
  pool.warm();
  assert.equal((await pool.sha1(Buffer.from('x'))).length, 20);
  assert.ok(threads() >= before + 2, 'two worker threads are running');
  await pool.stopIdleWorkers();
  assert.ok(threads() <= before, `the worker threads are gone (${threads()} threads, ${before} before)`);
  assert.equal((await pool.sha1(Buffer.from('abc'))).toString('hex'), 'a9993e364706816aba3e25717850c26c9cd0d89d');
});

test('an idle warmed pool lets a child process exit on its own', async () => {
  const { spawnSync } = await import('node:child_process');
  const script = `
    import { HashPool } from ${JSON.stringify(new URL('../../../source/engine/hashing/hasher.ts', import.meta.url).href)};
    const pool = new HashPool({ size: 2 });
    pool.warm();
    const d = await pool.sha1(Buffer.from('abc'));
    console.log(d.toString('hex'));
  `;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(result.stdout.trim(), 'a9993e364706816aba3e25717850c26c9cd0d89d', result.stderr);
  assert.equal(result.status, 0, 'exited by itself, not killed by the timeout');
});

test('a pool takes the workers started before it, and starts its own in place of one that failed', async (t) => {
  // A worker that died before any pool took it (as startHashWorker records a failure).
  const dead = new Worker('process.exit(3)', { eval: true });
  const [code] = (await once(dead, 'exit')) as [number];
  const failed = { worker: dead, online: false, failure: new Error(`hash worker exited with code ${code}`) };
  const pool = new HashPool({ size: 1, started: [failed] });
  t.after(() => pool.close());
  const { files, data } = makeFiles(t, [70_000, 5]);
  assert.ok((await pool.hashFiles(files, 16_384)).equals(referencePieces(data, 16_384)));
});

test(
  'a one-shot pool hashes the same pieces, and its worker ends its own thread once its part is done',
  { timeout: 120_000 },
  async (t) => {
    const worker = startWorker();
    const exited = once(worker, 'exit');
    const pool = new HashPool({ size: 1, started: [{ worker, online: false }], oneShot: true });
    t.after(() => pool.close());
    // Nine chunks: with the calling thread hashing throughout, the worker leaves the last one to it.
    const { files, data } = makeFiles(t, [3_000_000, 1_500_000, 7]);
    const reference = referencePieces(data, 16_384);
    assert.ok((await pool.hashFiles(files, 16_384, { useCallerThread: 'throughout' })).equals(reference));
    // Not closed: without oneShot it would wait for its next job (and this test time out).
    const [code] = (await exited) as [number];
    assert.equal(code, 0);
    // Asked again, the pool starts another worker, which ends too.
    assert.ok((await pool.hashFiles(files, 16_384)).equals(reference));
    assert.ok((await pool.hashFiles(files, 16_384, { useCallerThread: 'while-workers-start' })).equals(reference));
  },
);

test(
  'a one-shot pool whose worker dies mid-way rejects or finishes right, never hangs or gives wrong pieces',
  { timeout: 120_000 },
  async (t) => {
    const { files, data } = makeFiles(t, [12_000_000]);
    const reference = referencePieces(data, 16_384);
    for (const useCallerThread of [undefined, 'throughout'] as const) {
      const worker = startWorker();
      const pool = new HashPool({ size: 1, started: [{ worker, online: false }], oneShot: true });
      t.after(() => pool.close());
      let killed = false;
      const onProgress = () => {
        if (killed) return;
        killed = true;
        void worker.terminate();
      };
      try {
        const pieces = await pool.hashFiles(files, 16_384, { useCallerThread, onProgress });
        assert.ok(pieces.equals(reference), `${useCallerThread}: right pieces when it finished first`);
      } catch (error) {
        assert.match((error as Error).message, /hash worker exited/, `${useCallerThread}`);
      }
      assert.ok(killed);
    }
  },
);

test('hashStream reads across pieces: a short file keeps the digests of the pieces it holds whole', (t) => {
  const { files, data } = makeFiles(t, [300_000]);
  const pieceLength = 16_384;
  const all = referencePieces(data, pieceLength);
  // One read asks for all 400,000 declared bytes and gets 300,000: pieces 0..17 are whole.
  const { digests, unreadable } = hashStream([{ path: files[0]!.path, offset: 0, length: 400_000 }], pieceLength, true);
  const whole = Math.floor(300_000 / pieceLength);
  assert.ok(Buffer.from(digests.subarray(0, whole * 20)).equals(all.subarray(0, whole * 20)));
  assert.deepEqual(
    unreadable,
    Array.from({ length: Math.ceil(400_000 / pieceLength) - whole }, (_, i) => whole + i),
  );
  assert.ok(Buffer.from(digests.subarray(whole * 20)).equals(Buffer.alloc(digests.length - whole * 20)));
  // From an offset inside a piece of the file, as a chunk of a multi-file torrent starts.
  const tail = hashStream([{ path: files[0]!.path, offset: 100_000, length: 200_000 }], pieceLength, false);
  assert.ok(Buffer.from(tail.digests).equals(referencePieces(data.subarray(100_000), pieceLength)));
});
