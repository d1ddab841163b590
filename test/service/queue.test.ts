import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openService } from '../helpers/service.js';
import { randomTorrent } from '../helpers/swarm.js';
import { tempDir } from '../helpers/tools.js';

const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

test('startNow: a torrent runs past a full queue, no queue pass stops it, and stopped it is back under the queue', async (t) => {
  const dir = tempDir(t);
  const s = openService(dir, { t, maxActiveDownloads: 1 });
  const hashes: string[] = [];
  for (let i = 0; i < 3; i++) hashes.push(await s.service.addMetainfo(randomTorrent({ name: `now${i}`, sizes: [20_000] }).meta, { addedAt: 1000 + i, ephemeral: true }));
  const running = () => hashes.map((h) => s.session.get(h)!.isRunning);
  assert.deepEqual(running(), [true, false, false]);
  assert.equal(s.service.summary(hashes[2]!)!.state, 'queued');

  await s.service.startNow(hashes[2]!);
  assert.deepEqual(running(), [true, false, true], 'it runs although the one slot is taken, and takes no slot from the running one');
  assert.notEqual(s.service.summary(hashes[2]!)!.state, 'queued');

  // Queue passes: a new limit, a priority change, a state change.
  s.service.setMaxActiveDownloads(1);
  await s.service.setPriority(hashes[1]!, 3);
  await settle();
  assert.equal(s.session.get(hashes[2]!)!.isRunning, true, 'no queue pass stops it');
  assert.deepEqual(running(), [false, true, true], 'the high-priority one took the slot; the forced one kept running');

  await s.service.startNow(99_999);
  await s.service.stop(hashes[2]!);
  await s.service.start(hashes[2]!);
  await settle();
  assert.equal(s.session.get(hashes[2]!)!.isRunning, false, 'stopped and started again, it waits for a slot like any other');
  assert.equal(s.service.summary(hashes[2]!)!.state, 'queued');
});
