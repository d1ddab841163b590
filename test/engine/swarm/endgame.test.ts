/** The end of a download: blocks held by a peer that never sends them are fetched from another. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomTorrent, startSession, waitForDone } from '../../helpers/swarm.js';
import { tempDir, until } from '../../helpers/tools.js';
import { startScriptedSeeder } from './scripted-seeder.js';

test('endgame: the blocks a stalled peer holds come from another peer, long before the 15 s snub', async (t) => {
  const { meta, data } = randomTorrent({ sizes: [4 * 1024 * 1024], pieceLength: 256 * 1024, single: true });
  const stalled = await startScriptedSeeder(t, meta, data, { silent: true });
  const seeder = await startScriptedSeeder(t, meta, data);
  const session = await startSession(t);
  const torrent = session.add(meta, { directory: tempDir(t) });
  // Without endgame duplicates the stalled peer's blocks wait for the snub (15 s in endgame).
  const done = waitForDone(torrent, 8_000);
  // The stalled peer first, so that it is asked for blocks before the other has taken them all.
  torrent.addPeers([{ host: '127.0.0.1', port: stalled.port }]);
  await until('the stalled peer is asked for blocks', () => stalled.requests > 0, 5_000);
  torrent.addPeers([{ host: '127.0.0.1', port: seeder.port }]);
  await done;
  assert.ok(stalled.requests > 0, 'the stalled peer was asked for blocks');
  const blocks = data.length / 16384;
  assert.ok(seeder.requests >= blocks, `the other peer sent every block: asked ${seeder.requests} of ${blocks}`);
});
