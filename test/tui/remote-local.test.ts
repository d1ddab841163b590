/**
 * The real binary with --local beside --connect (issue #15): the in-process session and a
 * `btui daemon` in one list. Adding goes to the host chosen in the prompt, keys act on the row's
 * own host, and quitting asks before stopping what the local session seeds.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeTorrentFile } from '../../source/engine/metainfo/encode-torrent-file.js';
import { metainfoFromFiles } from '../../source/engine/storage/metainfo-from-files.js';
import { startBtuiDaemon } from '../helpers/btui-daemon.js';
import { eventually, needs, tempDir } from '../helpers/tools.js';
import { cli, ensureBuilt, hostRowOf as rowOf, testHome, Tmux } from './tmux.js';

test(
  'btui --local --connect: the local session and a btui daemon in one list; add to the host chosen; keys on the row’s host',
  { timeout: 120_000 },
  async (t) => {
    if (!needs(t, { commands: ['tmux'] })) return;
    ensureBuilt();
    const dir = tempDir(t);
    const btDir = tempDir(t);
    const data = randomBytes(200 * 1024);
    const { meta } = metainfoFromFiles({ name: 'both.bin', pieceLength: 32 * 1024, files: [{ path: ['both.bin'], data }], single: true });
    const torrentFile = join(dir, 'both.torrent');
    writeFileSync(torrentFile, encodeTorrentFile(meta));
    writeFileSync(join(btDir, 'both.bin'), data);
    mkdirSync(join(dir, 'downloads'), { recursive: true });
    writeFileSync(join(dir, 'downloads', 'both.bin'), data);

    const bt = await startBtuiDaemon(t, { home: tempDir(t), downloads: btDir });
    await bt.rpc('torrent-add', { metainfo: Buffer.from(encodeTorrentFile(meta)).toString('base64') });
    const btTorrents = async () => (await bt.rpc('torrent-get', { fields: ['status'] })).torrents as { status: number }[];
    await eventually('bt seeding', async () => (await btTorrents())[0]?.status === 6, 30_000);

    const env = testHome(dir, { hosts: [{ name: 'bt', url: bt.rpcUrl }] });
    const tmux = new Tmux();
    t.after(() => tmux.kill());
    tmux.start(`${env} ${process.execPath} ${cli} --local --connect bt 2>${join(dir, 'stderr.txt')}; echo "EXITED $?"; sleep 60`, 150, 30);
    let screen = await tmux.waitFor((s) => /local 0 ↓.*bt 1 ↓/.test(s) && /seeding/.test(rowOf(s, 'bt', 'both.bin')), 'both hosts');
    assert.match(screen.split('\n')[1]!, /^Host\s+Name/);

    // The only row is bt's, so add goes there by default; Shift-Tab chooses the local session.
    tmux.keys('a');
    await tmux.waitFor((s) => s.includes('Add to [bt]'), 'the add prompt on bt');
    tmux.keys('BTab');
    await tmux.waitFor((s) => s.includes('Add to [local]'), 'local chosen');
    tmux.type(torrentFile);
    tmux.keys('Enter');
    screen = await tmux.waitFor(
      (s) => /seeding/.test(rowOf(s, 'local', 'both.bin')) && /local 1 ↓.*bt 1 ↓/.test(s),
      'the local row seeding',
      30_000,
    );
    assert.equal((await btTorrents()).length, 1, 'nothing more on bt');

    // Space on the selected row (still bt's): bt pauses, the local copy keeps seeding.
    tmux.keys('Space');
    await tmux.waitFor((s) => /paused/.test(rowOf(s, 'bt', 'both.bin')), 'bt paused on screen');
    await eventually('bt stopped', async () => (await btTorrents())[0]?.status === 0);
    assert.match(rowOf(tmux.capture(), 'local', 'both.bin'), /seeding/);

    // Quitting stops the local session's seeding, so it asks; bt keeps its torrent.
    tmux.keys('q');
    await tmux.waitFor((s) => /quit and stop 1 active torrent\?/.test(s), 'the quit question');
    tmux.keys('y');
    await tmux.waitFor((s) => s.includes('EXITED 0'), 'the TUI to quit');
    assert.equal((await btTorrents()).length, 1);
  },
);
