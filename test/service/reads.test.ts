import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Session } from '../../source/engine/session/session.js';
import type { TorrentService } from '../../source/service/torrent-service.js';
import { openService } from '../helpers/service.js';
import { randomTorrent, waitForDone, writeTorrentFiles } from '../helpers/swarm.js';
import { tempDir } from '../helpers/tools.js';

/** Bytes of the files not skipped, and of those the ones not had, from files() (which reads the pieces itself). */
function fromFiles(service: TorrentService, hash: string): { wantedBytes: number; leftUntilDone: number } {
  const files = service.files(hash)!.filter((f) => f.priority > 0);
  return { wantedBytes: files.reduce((n, f) => n + f.length, 0), leftUntilDone: files.reduce((n, f) => n + f.length - f.completed, 0) };
}

const wanted = (service: TorrentService, hash: string) => {
  const s = service.summary(hash)!;
  return { wantedBytes: s.wantedBytes, leftUntilDone: s.leftUntilDone };
};

test('wanted bytes: the files not skipped and what is missing of them follow file priorities and a check', async (t) => {
  const dir = tempDir(t);
  const s = openService(dir, { t });
  // Pieces of 16 KiB: 0-1 lie in file 0, 2 spans files 0 and 1, 3-4 lie in file 1, 5 spans 1 and 2, 6-7 lie in file 2.
  const { meta, data } = randomTorrent({ name: 'wanted', sizes: [40_000, 50_000, 30_000], pieceLength: 16_384 });
  writeTorrentFiles(join(dir, 'dl'), meta, data);
  writeFileSync(join(dir, 'dl', ...meta.files[1]!.path), Buffer.alloc(50_000));
  const hash = await s.service.addMetainfo(meta, { paused: true, ephemeral: true, filePriorities: Uint8Array.from([1, 0, 1]) });
  assert.deepEqual(wanted(s.service, hash), { wantedBytes: 70_000, leftUntilDone: 70_000 });
  await s.service.setFilePriority(hash, 1, 2);
  assert.deepEqual(wanted(s.service, hash), { wantedBytes: 120_000, leftUntilDone: 120_000 }, 'a file no longer skipped counts at once');
  await s.service.setFilePriority(hash, 1, 0);
  assert.deepEqual(wanted(s.service, hash), { wantedBytes: 70_000, leftUntilDone: 70_000 });

  await s.service.verify(hash);
  assert.deepEqual(
    wanted(s.service, hash),
    { wantedBytes: 70_000, leftUntilDone: 70_000 - 2 * 16_384 - (120_000 - 6 * 16_384) },
    'a check: pieces 0-1 and 6-7 are had',
  );
  assert.deepEqual(wanted(s.service, hash), fromFiles(s.service, hash));
  await s.service.setFilePriorities(hash, [1, 1, 1]);
  assert.deepEqual(wanted(s.service, hash), fromFiles(s.service, hash));
  assert.equal(s.service.summary(hash)!.leftUntilDone, 120_000 - 2 * 16_384 - (120_000 - 6 * 16_384));
});

test('wanted bytes: each verified piece of a download lowers what is left, a skipped file never counts', async (t) => {
  const dir = tempDir(t);
  const s = openService(dir, { t });
  const { meta, data } = randomTorrent({ name: 'partial', sizes: [300_000, 50_000, 100_000] });
  writeTorrentFiles(join(dir, 'seed'), meta, data);
  const seeder = new Session({ host: '127.0.0.1' });
  t.after(() => seeder.close());
  await seeder.listen(0);
  seeder.add(meta, { directory: join(dir, 'seed'), seedMode: true });
  await s.session.listen(0);
  const hash = await s.service.addMetainfo(meta, { ephemeral: true, filePriorities: Uint8Array.from([1, 0, 1]) });
  assert.deepEqual(wanted(s.service, hash), { wantedBytes: 400_000, leftUntilDone: 400_000 });
  const seen = new Set<number>();
  const mismatches: string[] = [];
  s.service.on('torrent-changed', (ref, kind) => {
    if (ref.hash !== hash || kind !== 'progress') return;
    const now = wanted(s.service, hash);
    const expected = fromFiles(s.service, hash);
    if (now.leftUntilDone !== expected.leftUntilDone || now.wantedBytes !== expected.wantedBytes)
      mismatches.push(`${JSON.stringify(now)} != ${JSON.stringify(expected)}`);
    seen.add(now.leftUntilDone);
  });
  s.session.get(hash)!.addPeers([{ host: '127.0.0.1', port: seeder.port }]);
  await waitForDone(s.session.get(hash)!, 20_000);
  assert.deepEqual(mismatches, []);
  assert.ok(seen.size > 3, `left went down piece by piece: ${[...seen].join(' ')}`);
  assert.deepEqual(wanted(s.service, hash), { wantedBytes: 400_000, leftUntilDone: 0 });
});

test('a summary names the hosts of its trackers (a magnet waiting for metadata too), for the filter tracker:HOST', async (t) => {
  const dir = tempDir(t);
  const s = openService(dir, { t });
  const hash = 'c'.repeat(40);
  const uri = `magnet:?xt=urn:btih:${hash}&tr=${encodeURIComponent('udp://Tracker.Example.org:1337')}&tr=${encodeURIComponent('http://tracker.example.org/announce')}&tr=${encodeURIComponent('https://other.example.net/a')}`;
  await s.service.addMagnet(uri, { paused: true, ephemeral: true });
  assert.deepEqual(s.service.summary(hash)!.trackerHosts, ['tracker.example.org', 'other.example.net']);
  assert.equal(s.service.summary(hash)!.trackerHosts, s.service.summary(hash)!.trackerHosts, 'the same array each time');
});
