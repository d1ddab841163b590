import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeTorrentFile } from '../../source/engine/metainfo/encode-torrent-file.js';
import { needs, tempDir } from '../helpers/tools.js';
import { randomTorrent } from '../helpers/swarm.js';
import { cli, ensureBuilt, testHome, Tmux } from './tmux.js';
import { savedOnDisk } from '../helpers/saved-session.js';

const rowOf = (screen: string, name: string) => screen.split('\n').find((l) => l.startsWith(name)) ?? '';

test(
  'the real binary in tmux: demo, add, pause, resume, recheck, detail tabs, heatmap, scrape, remove, quit',
  { timeout: 90_000 },
  async (t) => {
    if (!needs(t, { commands: ['tmux'] })) return;
    ensureBuilt();
    const dir = tempDir(t);
    const { meta } = randomTorrent({ name: 'added-by-test', sizes: [40_000] });
    const torrentFile = join(dir, 'added-by-test.torrent');
    writeFileSync(torrentFile, encodeTorrentFile(meta));

    const tmux = new Tmux();
    t.after(() => tmux.kill());
    tmux.start(
      `${testHome(dir)} BTUI_DEMO_RATE=1048576 ${process.execPath} ${cli} --demo 2>${join(dir, 'stderr.txt')}; echo "EXITED $?"; sleep 60`,
      120,
      36,
    );

    let screen = await tmux.waitFor(
      (s) => /btui-demo-linux\.iso\s+downloading/.test(s) && s.includes('Rare Dataset.tar'),
      'the demo torrents downloading',
    );
    assert.match(screen, /^btui demo\s+all 4/m);
    assert.match(screen, /↓ [\d.]+ \w+\/s \[∞\]/);

    // add
    tmux.keys('a');
    await tmux.waitFor((s) => s.includes('Add (path'), 'the add prompt');
    tmux.type(torrentFile);
    tmux.keys('Enter');
    screen = await tmux.waitFor((s) => rowOf(s, 'added-by-test') !== '', 'the added torrent in the list');
    assert.match(screen, /all 5/);

    // pause and resume the first row (the iso)
    tmux.keys('Space');
    await tmux.waitFor((s) => /btui-demo-linux\.iso\s+paused/.test(s), 'the iso paused');
    tmux.keys('Space');
    await tmux.waitFor((s) => /btui-demo-linux\.iso\s+(downloading|seeding|check)/.test(s), 'the iso running again');

    // recheck, seen in the log pane
    tmux.keys('r');
    tmux.keys('l');
    screen = await tmux.waitFor((s) => /recheck of btui-demo-linux\.iso: \d+\/192 pieces good/.test(s), 'the recheck result in the log');
    assert.match(screen, /── log/);
    assert.doesNotMatch(screen, /cannot save resume data/);
    tmux.keys('l');

    // detail tabs
    tmux.keys('Enter');
    screen = await tmux.waitFor((s) => /Info hash\s+[0-9a-f]{40}/.test(s), 'the Info tab');
    assert.match(screen, /Pieces\s+192 × 256 KiB/);
    tmux.keys('2');
    screen = await tmux.waitFor((s) => /127\.0\.0\.1:\d+\s+btui 0\.1\.0/.test(s), 'a peer in the Peers tab');
    assert.match(screen, /Address\s+Client\s+Flags/);
    tmux.keys('3');
    await tmux.waitFor((s) => /normal\s+\d+%.*btui-demo-linux\.iso/.test(s), 'the Files tab');
    tmux.keys('5');
    screen = await tmux.waitFor((s) => /192 pieces, have \d+/.test(s) && s.includes('missing, peers with it'), 'the heatmap');
    assert.match(screen, /[█▒▓·1-9]{50,}/);
    tmux.keys('4');
    await tmux.waitFor((s) => /http:\/\/127\.0\.0\.1:\d+\/announce\s+│ working/.test(s), 'the tracker working');

    // scrape
    tmux.keys('s');
    // At 120 columns Seeds, Leech, Done, then Scraped: '-' until the scrape answers.
    screen = await tmux.waitFor((s) => /announce\s+│ working\s+│(\s+\d+ │){3}\s+\d+\S* ago │/.test(s), 'scrape results');
    assert.match(screen, /│ Seeds │ Leech │ Done │\s+Scraped │/);

    // remove a demo torrent (keeps its data), after confirming
    tmux.keys('Escape');
    await tmux.waitFor((s) => /^Name\s+State/m.test(s), 'back to the list');
    tmux.keys('/');
    tmux.type('Rare');
    tmux.keys('Enter');
    await tmux.waitFor((s) => rowOf(s, 'Rare Dataset.tar') !== '' && rowOf(s, 'btui-demo-linux.iso') === '', 'the filtered list');
    tmux.keys('x');
    screen = await tmux.waitFor((s) => s.includes('Remove "Rare Dataset.tar" from the session'), 'the remove question');
    tmux.keys('y');
    // The view counts follow the filter: none match "Rare" now; all 4 once it is cleared.
    await tmux.waitFor((s) => /all 0/.test(s) && rowOf(s, 'Rare Dataset.tar') === '', 'the torrent gone');
    tmux.keys('Escape');
    await tmux.waitFor((s) => /all 4/.test(s) && !s.includes('filter "Rare"'), 'the filter cleared');

    // help, then quit
    tmux.keys('?');
    await tmux.waitFor((s) => /Keys/.test(s) && /Space\s+start \/ pause/.test(s), 'the help');
    tmux.keys('Escape');
    // Demo torrents are downloading and seeding: quitting asks first.
    tmux.keys('q');
    await tmux.waitFor(
      (s) => /quit and stop \d+ active torrents\? \(y\/n\) — `btui daemon` would keep seeding/.test(s),
      'the quit question',
    );
    tmux.keys('y');
    screen = await tmux.waitFor((s) => s.includes('EXITED'), 'the exit', 20_000);
    assert.match(screen, /EXITED 0/);
    assert.doesNotMatch(screen, /btui demo/, 'the alternate screen is gone: the shell screen is back');
    assert.equal(readFileSync(join(dir, 'stderr.txt'), 'utf8').replace(/\x1b\[\?25h/g, ''), '');

    const saved = savedOnDisk(join(dir, 'state', 'session.json'));
    assert.deepEqual(
      saved.torrents.map((x: { infoHash: string }) => x.infoHash),
      [meta.infoHash],
      'the added torrent saved; demo torrents never',
    );
  },
);
