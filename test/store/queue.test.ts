import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openService } from '../helpers/service.js';
import { tempDir, until } from '../helpers/tools.js';
import { randomTorrent } from '../helpers/swarm.js';

test('the store keeps at most N torrents downloading; the rest show "queued"; + moves one ahead; pausing frees a slot', async (t) => {
  const dir = tempDir(t);
  const { session, service, store, controller } = openService(dir, { t, maxActiveDownloads: 1 });
  const hashes: string[] = [];
  for (let i = 0; i < 3; i++)
    hashes.push(
      await service.addMetainfo(randomTorrent({ name: `q${i}`, sizes: [20_000] }).meta, { directory: join(dir, 'dl'), ephemeral: true }),
    );
  const running = () => hashes.map((h) => session.get(h)!.isRunning);
  const states = () => {
    store.refresh();
    return store.getSnapshot().torrents.map((r) => r.state);
  };
  assert.deepEqual(running(), [true, false, false]);
  assert.deepEqual(states().slice(1), ['queued', 'queued']);

  controller.changePriority(hashes[2]!, 1);
  await until('the high-priority one running alone', () => running().join() === [false, false, true].join());
  assert.deepEqual(running(), [false, false, true], 'the high-priority one runs, the other waits');
  assert.equal(states()[0], 'queued');
  assert.equal(store.getSnapshot().torrents[2]!.priority, 3);

  await controller.toggle(hashes[2]!);
  await until('the oldest queued one running', () => running().join() === [true, false, false].join());
  assert.deepEqual(running(), [true, false, false], 'pausing it lets the oldest queued one start');
  assert.equal(states()[2], 'paused');

  await controller.toggle(hashes[1]!);
  assert.equal(states()[1], 'paused', 'Space on a queued torrent pauses it');
  service.setMaxActiveDownloads(0);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(running(), [true, false, false], 'no limit: the paused one stays paused');
  await controller.toggle(hashes[1]!);
  assert.deepEqual(running(), [true, true, false]);
});
