import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from '../../../source/engine/session/session.js';
import { tempDir } from '../../helpers/tools.js';
import { randomTorrent, waitForDone, writeTorrentFiles } from '../../helpers/swarm.js';

test('a peer that sends corrupt blocks is banned and the result is still correct', async (t) => {
  const { meta, data } = randomTorrent({ sizes: [1_500_000, 700_001], pieceLength: 32 * 1024 });
  const honestDir = tempDir(t);
  const evilDir = tempDir(t);
  writeTorrentFiles(honestDir, meta, data);
  // The evil seeder claims every piece but holds garbage.
  writeTorrentFiles(evilDir, meta, randomBytes(data.length));

  const sessions: Session[] = [];
  const open = async () => {
    const s = new Session({ host: '127.0.0.1', port: 0 });
    await s.listen();
    sessions.push(s);
    return s;
  };
  t.after(() => Promise.all(sessions.map((s) => s.close())));
  const honest = await open();
  const evil = await open();
  const leecher = await open();
  await honest.add(meta, { directory: honestDir, seedMode: true }).start();
  await evil.add(meta, { directory: evilDir, seedMode: true }).start();
  honest.setLimits({ upload: 2 * 1024 * 1024 });

  const leechDir = tempDir(t);
  const torrent = leecher.add(meta, { directory: leechDir });
  const warnings: string[] = [];
  torrent.on('warning', (w: string) => warnings.push(w));
  const done = waitForDone(torrent, 60_000);
  torrent.addPeers([
    { host: '127.0.0.1', port: evil.port },
    { host: '127.0.0.1', port: honest.port },
  ]);
  await done;

  for (const f of meta.files) {
    assert.ok(
      readFileSync(join(leechDir, ...f.path)).equals(data.subarray(f.offset, f.offset + f.length)),
      `${f.path.join('/')} is intact`,
    );
  }
  assert.ok(torrent.stats().hashFailures >= 1, 'corrupt pieces were detected');
  const { corrupt } = torrent.transferred;
  assert.ok(corrupt > 0 && corrupt <= torrent.stats().hashFailures * meta.pieceLength, `their bytes are counted as corrupt (${corrupt})`);
  assert.ok(
    warnings.some((w) => w.includes(`127.0.0.1:${evil.port}`) && w.includes('banned')),
    `evil peer banned: ${warnings.join('; ')}`,
  );
  assert.ok(
    torrent.peerStats().every((p) => p.port !== evil.port),
    'evil peer is disconnected',
  );
});
