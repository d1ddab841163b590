/**
 * Promise: SIGKILL at any moment loses nothing that was verified. The CLI is killed at
 * random points of a download and of seeding; after each restart it fetches again at most
 * what it had not verified (plus pieces in flight), its resume file is never half-written,
 * and the data ends complete and correct.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { encode } from '../../source/engine/codec/bencode.js';
import { Session } from '../../source/engine/session/session.js';
import { decodeResume } from '../../source/engine/storage/resume-file.js';
import { runCli } from '../helpers/cli.js';
import { jsonDownload, killWhen, startCli, type ProgressEvent as Event } from '../helpers/cli-kill.js';
import { tempDir } from '../helpers/tools.js';
import { randomTorrent, writeTorrentFiles, startSeeder } from '../helpers/swarm.js';

/** Pieces that may be in flight when the process dies: requested, received or being written. */
const IN_FLIGHT_ALLOWANCE = 1024 * 1024;

function assertResumeFilesWhole(home: string): number {
  let seen = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.resume')) {
        assert.ok(decodeResume(readFileSync(path)), `${entry.name} is whole`);
        seen++;
      }
    }
  };
  walk(home);
  return seen;
}

test('crash: SIGKILL at random points of a download loses no verified piece', { timeout: 180_000 }, async (t) => {
  const { meta, data } = randomTorrent({ sizes: [7_000_000, 2_000_001], pieceLength: 64 * 1024 });
  const seeder = await startSeeder(t, meta, data, tempDir(t));
  seeder.setLimits({ upload: 1024 * 1024 });
  const { args, out, home } = jsonDownload(t, meta, seeder.port);

  // Kill points spread over the download, in random order of size.
  const points = [0.15, 0.45, 0.75].map((p) => p + Math.random() * 0.1);
  let verified = 0;
  let refetchedTotal = 0;
  for (const [k, point] of points.entries()) {
    const child = startCli(t, args, home);
    let first: Event | undefined;
    const last = await killWhen(child, (e) => {
      // While the data is checked (no resume data survives a SIGKILL between saves) nothing is counted yet.
      if (e.state !== 'checking') first ??= e;
      return e.completed >= point * meta.length;
    });
    // What this run fetched beyond what the last one had verified.
    const missing = meta.length - verified;
    const fetched = last.downloaded;
    refetchedTotal += Math.max(0, fetched - (last.completed - verified));
    assert.ok(first!.completed >= verified, `run ${k + 1} started from ${first!.completed} bytes, ${verified} were verified before`);
    assert.ok(
      fetched <= last.completed - verified + IN_FLIGHT_ALLOWANCE,
      `run ${k + 1} fetched ${fetched} bytes for ${last.completed - verified} new ones (${missing} were missing)`,
    );
    verified = last.completed;
    await new Promise((r) => child.once('close', r));
    assertResumeFilesWhole(home);
    t.diagnostic(`kill ${k + 1} at ${((100 * last.completed) / meta.length).toFixed(0)}%: ${fetched} bytes fetched this run`);
  }
  seeder.setLimits({ upload: 0 });
  const final = await runCli(args, { env: { BTUI_HOME: home }, timeoutMs: 60_000 });
  assert.equal(final.code, 0, final.stderr);
  const done = final.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Event)
    .find((e) => e.event === 'done')!;
  assert.ok(
    done.downloaded <= meta.length - verified + IN_FLIGHT_ALLOWANCE,
    `last run fetched ${done.downloaded} for ${meta.length - verified} missing bytes`,
  );
  for (const f of meta.files)
    assert.ok(readFileSync(join(out, ...f.path)).equals(data.subarray(f.offset, f.offset + f.length)), `${f.path.join('/')} intact`);
  assert.ok(assertResumeFilesWhole(home) >= 1, 'a resume file was written');
  t.diagnostic(
    `3 SIGKILLs survived; bytes lost: 0; bytes fetched twice: ${refetchedTotal + Math.max(0, done.downloaded - (meta.length - verified))}`,
  );
});

test(
  'crash: SIGKILL while seeding leaves the data whole, and the restart seeds without fetching anything',
  { timeout: 120_000 },
  async (t) => {
    const { meta, data } = randomTorrent({ sizes: [4_000_000, 1_000_003], pieceLength: 64 * 1024 });
    const dir = tempDir(t);
    writeTorrentFiles(dir, meta, data);
    const torrentPath = join(tempDir(t), 'seed.torrent');
    writeFileSync(torrentPath, encode(meta.raw));
    const home = tempDir(t);
    const args = [
      'download',
      '-t',
      torrentPath,
      '-o',
      dir,
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--json',
      '--no-dht',
      '--seed-time',
      '5',
      '--upload-limit',
      '1024',
    ];

    for (let round = 0; round < 2; round++) {
      const child = startCli(t, args, home);
      // The seeder's port comes from its listen; ask the OS which port the child holds.
      const port = await new Promise<number>((resolve, reject) => {
        let buffered = '';
        child.stdout!.on('data', function onData(chunk: Buffer) {
          buffered += chunk.toString();
          if (!buffered.includes('"event":"done"')) return;
          child.stdout!.off('data', onData);
          resolve(listeningPort(child.pid!));
        });
        child.on('close', () => reject(new Error('seeder ended early')));
      });
      const leecher = new Session({ host: '127.0.0.1', port: 0 });
      await leecher.listen();
      const torrent = leecher.add(meta, { directory: tempDir(t) });
      torrent.addPeers([{ host: '127.0.0.1', port }]);
      // Kill once a random share has gone up.
      const share = 0.1 + Math.random() * 0.4;
      await new Promise<void>((resolve) => torrent.on('piece', () => torrent.stats().completedBytes >= share * meta.length && resolve()));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('close', r));
      await leecher.close();
      for (const f of meta.files)
        assert.ok(
          readFileSync(join(dir, ...f.path)).equals(data.subarray(f.offset, f.offset + f.length)),
          `${f.path.join('/')} intact after kill ${round + 1}`,
        );
      assertResumeFilesWhole(home);
    }
    const final = await runCli(
      args.filter((a, i, all) => a !== '--seed-time' && all[i - 1] !== '--seed-time'),
      { env: { BTUI_HOME: home }, timeoutMs: 60_000 },
    );
    assert.equal(final.code, 0, final.stderr);
    const done = final.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Event)
      .find((e) => e.event === 'done')!;
    assert.equal(done.downloaded, 0, 'nothing fetched again');
    assert.equal(done.completed, meta.length);
  },
);

import { listeningPort } from './proc-sockets.js';
