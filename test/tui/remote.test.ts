/**
 * The real binary as a client of two real daemons at once (issue #15): a Debian
 * transmission-daemon and a `btui daemon`, named in the settings' hosts, opened with --hosts.
 * The same torrent on both: keys act on the selected row's host only; a daemon killed shows
 * offline and comes back by itself once restarted.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeTorrentFile } from '../../source/engine/metainfo/encode-torrent-file.js';
import { metainfoFromFiles } from '../../source/engine/storage/metainfo-from-files.js';
import { RpcClient } from '../../source/remote/rpc-client.js';
import { startBtuiDaemon } from '../helpers/btui-daemon.js';
import { eventually, needs, tempDir } from '../helpers/tools.js';
import { startTransmissionDaemon } from '../helpers/transmission-daemon.js';
import { cli, ensureBuilt, hostRowOf as rowOf, testHome, Tmux } from './tmux.js';

test(
  'btui --hosts over transmission-daemon and btui daemon: both lists; pause, resume, recheck, remove on each host; a host killed and back; add to the host chosen',
  { timeout: 150_000 },
  async (t) => {
    if (!needs(t, { commands: ['tmux', 'transmission-daemon'] })) return;
    ensureBuilt();
    const dir = tempDir(t);
    const trDir = tempDir(t);
    const btDir = tempDir(t);
    const btHome = tempDir(t);
    const data = randomBytes(300 * 1024);
    const { meta } = metainfoFromFiles({
      name: 'shared.bin',
      pieceLength: 32 * 1024,
      files: [{ path: ['shared.bin'], data }],
      single: true,
    });
    writeFileSync(join(trDir, 'shared.bin'), data);
    writeFileSync(join(btDir, 'shared.bin'), data);
    const metainfo = Buffer.from(encodeTorrentFile(meta)).toString('base64');

    const tr = await startTransmissionDaemon(t, { downloads: trDir });
    let bt = await startBtuiDaemon(t, { home: btHome, downloads: btDir });
    const trRpc = new RpcClient({ url: tr.rpcUrl });
    t.after(() => trRpc.close());
    await trRpc.call('torrent-add', { metainfo });
    await bt.rpc('torrent-add', { metainfo });
    const status = async (host: 'tr' | 'bt'): Promise<number | undefined> => {
      const args =
        host === 'tr' ? await trRpc.call('torrent-get', { fields: ['status'] }) : await bt.rpc('torrent-get', { fields: ['status'] });
      return (args.torrents as { status: number }[])[0]?.status;
    };
    await eventually('both seeding', async () => (await status('tr')) === 6 && (await status('bt')) === 6, 30_000);

    const env = testHome(dir, {
      hosts: [
        { name: 'tr', url: tr.rpcUrl },
        { name: 'bt', url: bt.rpcUrl },
      ],
    });
    const tmux = new Tmux();
    t.after(() => tmux.kill());
    tmux.start(`${env} ${process.execPath} ${cli} --hosts 2>${join(dir, 'stderr.txt')}; echo "EXITED $?"; sleep 60`, 150, 30);
    let screen = await tmux.waitFor(
      (s) => /tr 1 ↓.*bt 1 ↓/.test(s) && /seeding/.test(rowOf(s, 'tr', 'shared.bin')) && /seeding/.test(rowOf(s, 'bt', 'shared.bin')),
      'both rows',
    );
    assert.match(screen.split('\n')[1]!, /^Host\s+Name/);
    assert.match(screen, /@tr 1 +@bt 1/);
    assert.match(screen, /tr 1 ↓.*bt 1 ↓/);

    // The first row is tr's: pause it there; bt keeps seeding.
    tmux.keys('Space');
    await tmux.waitFor((s) => /paused/.test(rowOf(s, 'tr', 'shared.bin')), 'tr paused on screen');
    await eventually('tr stopped', async () => (await status('tr')) === 0);
    assert.equal(await status('bt'), 6);
    // Down to bt's row: pause it, then resume tr's.
    tmux.keys('j', 'Space');
    await tmux.waitFor((s) => /paused/.test(rowOf(s, 'bt', 'shared.bin')), 'bt paused on screen');
    await eventually('bt stopped', async () => (await status('bt')) === 0);
    tmux.keys('k', 'Space');
    await tmux
      .waitFor((s) => /seeding/.test(rowOf(s, 'tr', 'shared.bin')), 'tr seeding again')
      .catch(async (e: Error) => {
        tmux.keys('l');
        await new Promise((r) => setTimeout(r, 500));
        throw new Error(`${e.message}\n${tmux.capture()}\ntr status ${await status('tr')}`);
      });
    assert.equal(await status('tr'), 6);
    assert.equal(await status('bt'), 0, 'bt left paused');

    // Recheck on tr after its copy of the data is deleted: tr finds it missing; bt's copy is not looked at.
    rmSync(join(trDir, 'shared.bin'));
    tmux.keys('r');
    await eventually('tr to find its data gone', async () => {
      // transmission-daemon 3.00 does not check files that are gone: it sets a local error ("No data found!").
      const args = await trRpc.call('torrent-get', { fields: ['percentDone', 'error'] });
      const torrent = (args.torrents as { percentDone: number; error: number }[])[0]!;
      return torrent.error === 3 || torrent.percentDone < 1;
    });
    await tmux.waitFor((s) => /error|\s0%/.test(rowOf(s, 'tr', 'shared.bin')), 'tr in error or at 0% on screen');
    assert.match(rowOf(tmux.capture(), 'bt', 'shared.bin'), /paused .*100%/);
    assert.equal(await status('bt'), 0);

    // A host killed: offline, its row dimmed and kept; the other one still answers.
    await bt.stop();
    screen = await tmux.waitFor((s) => /bt offline/.test(s), 'bt offline in the status line');
    assert.ok(rowOf(screen, 'bt', 'shared.bin'), 'its row stays');
    tmux.keys('l');
    await tmux.waitFor((s) => /bt: offline: connection refused/.test(s), 'the reason in the log');
    tmux.keys('l');
    bt = await startBtuiDaemon(t, { home: btHome, downloads: btDir, rpcPort: bt.rpcPort });
    await tmux.waitFor((s) => !/bt offline/.test(s) && /tr 1 ↓.*bt 1 ↓/.test(s), 'bt back', 30_000);

    // Remove on bt (x, then y): gone there, still on tr.
    tmux.keys('j', 'x');
    await tmux.waitFor((s) => /Remove "shared\.bin" from the session/.test(s), 'the remove question');
    tmux.keys('y');
    await tmux.waitFor((s) => !rowOf(s, 'bt', 'shared.bin'), 'the bt row gone');
    await eventually('bt has no torrent', async () => (await status('bt')) === undefined);
    assert.notEqual(await status('tr'), undefined, 'tr keeps its torrent');
    assert.ok(rowOf(tmux.capture(), 'tr', 'shared.bin'));

    // Add (a): to the selected row's host by default (tr); Shift-Tab chooses bt; the .torrent goes there as its bytes.
    const torrentFile = join(dir, 'shared.torrent');
    writeFileSync(torrentFile, encodeTorrentFile(meta));
    tmux.keys('a');
    await tmux.waitFor((s) => s.includes('Add to [tr]'), 'the add prompt on tr');
    tmux.keys('BTab');
    await tmux.waitFor((s) => s.includes('Add to [bt]'), 'bt chosen');
    tmux.type(torrentFile);
    tmux.keys('Enter');
    await tmux.waitFor((s) => Boolean(rowOf(s, 'bt', 'shared.bin')), 'the bt row back');
    await eventually('bt has the torrent', async () => (await status('bt')) !== undefined);
    const trCount = ((await trRpc.call('torrent-get', { fields: ['id'] })).torrents as unknown[]).length;
    assert.equal(trCount, 1, 'nothing added on tr');

    // Quitting stops nothing on the hosts, so it does not ask (tr's torrent was seeding until its data went).
    tmux.keys('q');
    await tmux.waitFor((s) => s.includes('EXITED 0'), 'the TUI to quit');
    assert.notEqual(await status('tr'), undefined);
  },
);
