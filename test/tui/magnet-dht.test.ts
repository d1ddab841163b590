import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { magnetURI } from '../../source/engine/metainfo/magnet.js';
import { Session } from '../../source/engine/session/session.js';
import { startDhtNode } from '../helpers/dht-node.js';
import { freePort } from '../helpers/opentracker.js';
import { randomTorrent, writeTorrentFiles } from '../helpers/swarm.js';
import { needs, tempDir } from '../helpers/tools.js';
import { cli, ensureBuilt, testHome, Tmux } from './tmux.js';
import { savedOnDisk } from '../helpers/saved-session.js';

const rowOf = (screen: string, name: string) => screen.split('\n').find((l) => l.startsWith(name)) ?? '';

test(
  'the real binary: magnets at the add prompt (metadata row, resolved from an x.pe seeder, saved as a magnet while unresolved, resumed), DHT node count from a loopback bootstrap',
  { timeout: 90_000 },
  async (t) => {
    if (!needs(t, { commands: ['tmux'] })) return;
    ensureBuilt();
    const dir = tempDir(t);
    const dhtNode = await startDhtNode(t);
    const { meta, data } = randomTorrent({ name: 'magnet-payload', sizes: [300_000, 12_345] });
    writeTorrentFiles(join(dir, 'seed'), meta, data);
    const seeder = new Session({ host: '127.0.0.1' });
    t.after(() => seeder.close());
    await seeder.listen(0);
    seeder.add(meta, { directory: join(dir, 'seed'), seedMode: true });
    // A magnet whose only peer is not there: it stays in "metadata".
    const absentPort = await freePort();
    const stuckHash = 'ef'.repeat(20);
    const stuck = magnetURI({ infoHash: stuckHash, name: 'waiting-magnet', peers: [{ host: '127.0.0.1', port: absentPort }] });
    const good = magnetURI({ infoHash: meta.infoHash, name: 'magnet-payload', peers: [{ host: '127.0.0.1', port: seeder.port }] });

    const tmux = new Tmux();
    t.after(() => tmux.kill());
    const run = `${testHome(dir)} BTUI_DHT_BOOTSTRAP=${dhtNode.address} ${process.execPath} ${cli} 2>>${join(dir, 'stderr.txt')}; echo "EXITED $?"; sleep 60`;
    tmux.start(run, 120, 30);

    let screen = await tmux.waitFor((s) => /dht [1-9]\d*/.test(s), 'the DHT node count in the status bar');
    assert.match(screen, /conn 0\s+dht \d+\s+port \d+/);

    tmux.keys('a');
    await tmux.waitFor((s) => s.includes('Add (path'), 'the add prompt');
    tmux.type(stuck);
    tmux.keys('Enter');
    await tmux.waitFor((s) => /^waiting-magnet\s+metadata/m.test(s), 'the magnet row in state metadata');

    tmux.keys('a');
    await tmux.waitFor((s) => s.includes('Add (path'), 'the add prompt');
    tmux.type(good);
    tmux.keys('Enter');
    screen = await tmux.waitFor((s) => /^magnet-payload\s+seeding\s.*100%/m.test(s), 'the magnet resolved and downloaded');
    assert.match(screen, /all 2\b/);
    assert.match(rowOf(screen, 'waiting-magnet'), /metadata/);

    tmux.keys('l');
    screen = await tmux.waitFor((s) => s.includes('completed magnet-payload'), 'the log');
    assert.match(screen, /metadata for magnet-payload arrived from the swarm/);
    tmux.keys('l');

    // magnet-payload seeds: quitting asks first.
    tmux.keys('q');
    await tmux.waitFor((s) => s.includes('quit and stop 1 active torrent? (y/n)'), 'the quit question');
    tmux.keys('y');
    await tmux.waitFor((s) => s.includes('EXITED'), 'the exit', 20_000);
    const saved = savedOnDisk(join(dir, 'state', 'session.json')) as unknown as {
      torrents: { infoHash: string; magnet?: string; torrentFile?: string }[];
    };
    assert.deepEqual(
      saved.torrents.map((x) => [x.infoHash, x.magnet, x.torrentFile]),
      [
        [meta.infoHash, undefined, `torrents/${meta.infoHash}.torrent`],
        [stuckHash, stuck, undefined],
      ],
    );
    const nodes = JSON.parse(readFileSync(join(dir, 'state', 'dht-nodes.json'), 'utf8')) as { nodes: { host: string; port: number }[] };
    assert.ok(
      nodes.nodes.some((n) => n.port === dhtNode.port),
      'the routing table saved in the state directory',
    );

    // Restart: the unresolved magnet is back, still fetching; remove works on it.
    tmux.kill();
    const again = new Tmux();
    t.after(() => again.kill());
    again.start(run, 120, 30);
    screen = await again.waitFor(
      (s) => /^waiting-magnet\s+metadata/m.test(s) && /^magnet-payload\s+seeding/m.test(s),
      'both back after a restart',
    );
    again.keys('G');
    again.keys('x');
    await again.waitFor(
      (s) => s.includes('Remove "waiting-magnet" (its metadata has not arrived; nothing on disk)? (y/N)'),
      'the remove question',
    );
    again.keys('y');
    await again.waitFor((s) => /all 1\b/.test(s) && rowOf(s, 'waiting-magnet') === '', 'the magnet removed');
    // q twice: the second answers the quit question if the restored torrent seeds by now.
    again.keys('q', 'q');
    await again.waitFor((s) => s.includes('EXITED'), 'the exit', 20_000);
    assert.equal(readFileSync(join(dir, 'stderr.txt'), 'utf8').replace(/\x1b\[\?25h/g, ''), '');
  },
);
