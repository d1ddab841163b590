import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeTorrentFile } from '../../source/engine/metainfo/encode-torrent-file.js';
import { needs, tempDir } from '../helpers/tools.js';
import { randomTorrent } from '../helpers/swarm.js';
import { cli, ensureBuilt, testHome, Tmux } from './tmux.js';

test(
  'the real binary in tmux: c puts the magnet on the clipboard (OSC 52, tmux set-clipboard on), whole',
  { timeout: 60_000 },
  async (t) => {
    if (!needs(t, { commands: ['tmux'] })) return;
    ensureBuilt();
    const dir = tempDir(t);
    const name = `a-name-long-enough-to-be-cut-at-80-columns-${'x'.repeat(40)}`;
    const { meta } = randomTorrent({ name, sizes: [20_000] });
    const torrentFile = join(dir, 'long.torrent');
    writeFileSync(torrentFile, encodeTorrentFile(meta));

    const tmux = new Tmux();
    t.after(() => tmux.kill());
    tmux.start(`${testHome(dir)} ${process.execPath} ${cli} --no-dht; echo "EXITED $?"; sleep 60`, 80, 24);
    tmux.run('set-option', '-s', 'set-clipboard', 'on');
    await tmux.waitFor((s) => s.includes('No torrents yet'), 'the empty list');
    tmux.keys('a');
    await tmux.waitFor((s) => s.includes('Add (path'), 'the add prompt');
    tmux.type(torrentFile);
    tmux.keys('Enter');
    await tmux.waitFor((s) => s.includes('a-name-long'), 'the torrent in the list');
    tmux.keys('c');
    await tmux.waitFor((s) => s.includes('Magnet (copied'), 'the magnet screen');
    const deadline = Date.now() + 5000;
    let buffer = '';
    while (Date.now() < deadline && !buffer.startsWith('magnet:')) {
      buffer = (() => {
        try {
          return tmux.run('show-buffer');
        } catch {
          return '';
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.match(buffer, new RegExp(`^magnet:\\?xt=urn:btih:${meta.infoHash}&dn=${name}&`));
    assert.ok(buffer.length > 80, 'longer than the screen is wide: whole, not cut');
    tmux.keys('Escape', 'q');
    await tmux.waitFor((s) => /quit and stop|EXITED/.test(s), 'quitting');
    tmux.keys('y');
    await tmux.waitFor((s) => s.includes('EXITED 0'), 'the exit', 20_000);
  },
);
