import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeTorrentFile } from '../../source/engine/metainfo/encode-torrent-file.js';
import { needs, tempDir } from '../helpers/tools.js';
import { randomTorrent } from '../helpers/swarm.js';
import { cli, ensureBuilt, testHome, Tmux } from './tmux.js';

const rowOf = (screen: string, name: string) => screen.split('\n').find((l) => l.startsWith(name)) ?? '';
const names = (screen: string) => ['labelled-one', 'plain-two'].filter((n) => rowOf(screen, n) !== '');

test(
  'the real binary: L sets a label, shown in the list and as a view; it is still there after a restart',
  { timeout: 90_000 },
  async (t) => {
    if (!needs(t, { commands: ['tmux'] })) return;
    ensureBuilt();
    const dir = tempDir(t);
    const files = ['labelled-one', 'plain-two'].map((name) => {
      const file = join(dir, `${name}.torrent`);
      writeFileSync(file, encodeTorrentFile(randomTorrent({ name, sizes: [30_000] }).meta));
      return file;
    });
    const env = testHome(dir);
    const run = (stderr: string) => {
      const tmux = new Tmux();
      t.after(() => tmux.kill());
      tmux.start(`${env} ${process.execPath} ${cli} 2>${join(dir, stderr)}; echo "EXITED $?"; sleep 60`, 130, 30);
      return tmux;
    };

    const first = run('first.txt');
    await first.waitFor((s) => s.includes('No torrents yet'), 'btui open');
    // One add at a time: two adds in flight may finish in either order, and the list is sorted by
    // the time each was added, so labelled-one must be in before plain-two is asked for.
    for (const [i, file] of files.entries()) {
      first.keys('a');
      await first.waitFor((s) => s.includes('Add (path'), 'the add prompt');
      first.type(file);
      first.keys('Enter');
      await first.waitFor((s) => names(s).length === i + 1, `torrent ${i + 1} in the list`);
    }

    // The first row: L, a label, Enter.
    first.keys('L');
    await first.waitFor((s) => s.includes('Labels (comma-separated; empty clears):'), 'the labels prompt');
    first.type('linux, iso');
    first.keys('Enter');
    let screen = await first.waitFor((s) => /^labelled-one .*\slinux,iso\s*$/m.test(s), 'the label in the Labels column');
    assert.match(screen, /^Name .*\sLabels\s*$/m);
    assert.match(screen, / error 0 {2}#iso 1 {2}#linux 1 /, 'a view per label, with counts');
    assert.doesNotMatch(rowOf(screen, 'plain-two'), /linux/);

    // V from "all" is the last view: #linux, with only the labelled torrent.
    first.keys('V');
    screen = await first.waitFor((s) => names(s).length === 1, 'the #linux view');
    assert.deepEqual(names(screen), ['labelled-one']);
    first.keys('v');
    await first.waitFor((s) => names(s).length === 2, 'back to all');

    // Shown in the Info tab too.
    first.keys('Enter');
    await first.waitFor((s) => /^Labels\s+linux, iso/m.test(s), 'the labels in the Info tab');
    first.keys('Escape');

    // Quit (the torrents download: it asks), start again: the label is still there.
    first.keys('q');
    await first.waitFor((s) => /quit and stop/.test(s), 'the quit question');
    first.keys('y');
    await first.waitFor((s) => s.includes('EXITED 0'), 'the first btui to quit');

    const second = run('second.txt');
    screen = await second.waitFor((s) => /^labelled-one .*\slinux,iso\s*$/m.test(s), 'the label after a restart');
    assert.match(screen, /#iso 1 {2}#linux 1/);
    second.keys('V');
    screen = await second.waitFor((s) => names(s).length === 1, 'the #linux view after the restart');
    assert.deepEqual(names(screen), ['labelled-one']);
    // The first frame (the one the first quit saved) is up before the torrents open: a quit that
    // comes before they start has nothing active to ask about.
    second.keys('q');
    await second.waitFor((s) => /quit and stop/.test(s) || s.includes('EXITED'), 'the quit question or the exit');
    if (!second.capture().includes('EXITED')) second.keys('y');
    await second.waitFor((s) => s.includes('EXITED 0'), 'the second btui to quit');
    for (const f of ['first.txt', 'second.txt']) assert.equal(readFileSync(join(dir, f), 'utf8').replace(/\x1b\[\?25h/g, ''), '');
  },
);
