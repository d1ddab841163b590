/**
 * A daemon killed (SIGKILL) in the middle of a burst of adds over the RPC: every add it
 * acknowledged is on disk (session.json with its journal) and back after a restart.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { decode, encode, type BValue } from '../../source/engine/codec/bencode.js';
import { startBtuiDaemon } from '../helpers/btui-daemon.js';
import { tempDir } from '../helpers/tools.js';
import { tinyTorrent } from '../../scripts/bench/tiny-torrent.js';

const infoHash = (torrent: Buffer) =>
  createHash('sha1')
    .update(encode((decode(torrent) as Map<string, BValue>).get('info')!))
    .digest('hex');

test('a daemon killed mid-burst of adds keeps every add it acknowledged', async (t) => {
  const home = tempDir(t);
  const downloads = tempDir(t);
  const daemon = await startBtuiDaemon(t, { home, downloads });
  const closed = new Promise((resolve) => daemon.child.once('close', resolve));
  const torrents = Array.from({ length: 600 }, (_, i) => tinyTorrent(i, 'http://127.0.0.1:9/announce'));
  const acknowledged: string[] = [];
  let next = 0;
  let killed = false;
  const KILL_AFTER = 250;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < torrents.length && !killed) {
        const torrent = torrents[next++]!;
        try {
          await daemon.rpc('torrent-add', { metainfo: torrent.toString('base64'), paused: next % 2 === 0 });
        } catch {
          // Cut off by the kill: not acknowledged.
          continue;
        }
        if (killed) continue;
        acknowledged.push(infoHash(torrent));
        if (acknowledged.length === KILL_AFTER) {
          killed = true;
          daemon.child.kill('SIGKILL');
        }
      }
    }),
  );
  await closed;
  assert.equal(acknowledged.length, KILL_AFTER);

  const onDisk = new Set(daemon.savedTorrents().map((s) => s.infoHash));
  assert.deepEqual(
    acknowledged.filter((h) => !onDisk.has(h)),
    [],
    'acknowledged but not on disk',
  );
  const again = await startBtuiDaemon(t, { home, downloads });
  const { torrents: listed } = (await again.rpc('torrent-get', { fields: ['hashString'] })) as { torrents: { hashString: string }[] };
  const back = new Set(listed.map((x) => x.hashString));
  assert.deepEqual(
    acknowledged.filter((h) => !back.has(h)),
    [],
    'acknowledged but not back after the restart',
  );
  assert.doesNotMatch(again.log(), /set aside|cannot restore/);
  await again.stop();
});
