import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeTorrentFile } from '../../source/engine/metainfo/encode-torrent-file.js';
import { needs, tempDir } from '../helpers/tools.js';
import { randomTorrent } from '../helpers/swarm.js';
import { cli, ensureBuilt, testHome, Tmux } from './tmux.js';

const promptOf = (screen: string) => screen.split('\n').find((l) => l.startsWith('Add (')) ?? '';

test(
  'the real binary in tmux: a failed add stays open with the reason, the prompt edits with real keys, a refused action and settings in KiB/s',
  { timeout: 90_000 },
  async (t) => {
    if (!needs(t, { commands: ['tmux'] })) return;
    ensureBuilt();
    const dir = tempDir(t);
    const { meta } = randomTorrent({ name: 'typo-fixed', sizes: [40_000] });
    const torrentFile = join(dir, 'typo-fixed.torrent');
    writeFileSync(torrentFile, encodeTorrentFile(meta));

    const tmux = new Tmux();
    t.after(() => tmux.kill());
    tmux.start(`${testHome(dir)} ${process.execPath} ${cli} --no-dht; echo "EXITED $?"; sleep 60`, 100, 30);
    await tmux.waitFor((s) => s.includes('No torrents yet'), 'the empty list');

    // A directory: refused in words, the prompt stays open with what was typed.
    tmux.keys('a');
    await tmux.waitFor((s) => s.includes('Add (path'), 'the add prompt');
    tmux.type(dir);
    tmux.keys('Enter');
    let screen = await tmux.waitFor((s) => s.includes('! cannot add'), 'the reason');
    assert.match(screen, /! cannot add .*: is a directory, not a file\n/);
    assert.ok(promptOf(screen).endsWith(dir), promptOf(screen));
    assert.doesNotMatch(screen, /EISDIR/);

    // Fixed with the line editor: a typo at the start removed with Home and Delete, Ctrl-W, the rest pasted.
    tmux.keys('C-u');
    tmux.type(`X${torrentFile} junk`);
    tmux.keys('C-w', 'BSpace', 'Home', 'DC');
    screen = await tmux.waitFor((s) => promptOf(s).endsWith(`: ${torrentFile}`), 'the fixed path');
    assert.doesNotMatch(screen, /! cannot add/, 'editing clears the reason');
    tmux.keys('Left', 'Right', 'End', 'Enter');
    await tmux.waitFor((s) => /^typo-fixed\s+/m.test(s) && !s.includes('Add (path'), 'the torrent added, the prompt closed');

    // Ctrl-C cancels a prompt, and does not quit.
    tmux.keys('a');
    await tmux.waitFor((s) => s.includes('Add (path'), 'the add prompt again');
    tmux.keys('C-c');
    await tmux.waitFor((s) => !s.includes('Add (path') && /^typo-fixed/m.test(s), 'the prompt cancelled');

    // A key whose action cannot be done: the reason in the message bar above the status bar.
    tmux.keys('u');
    screen = await tmux.waitFor((s) => s.includes('! typo-fixed has no trackers'), 'the message bar');
    assert.match(screen, /! typo-fixed has no trackers\s*\n.*↓/);
    tmux.keys('j');
    await tmux.waitFor((s) => !s.includes('! typo-fixed'), 'dismissed by a key');

    // Settings: the global download limit in KiB/s, 1M accepted, shown as a rate.
    tmux.keys('S', 'j', 'j', 'Enter');
    await tmux.waitFor((s) => /Value: 0\s*$/m.test(s), 'the limit prompt');
    tmux.keys('BSpace');
    tmux.type('1M');
    tmux.keys('Enter');
    await tmux.waitFor((s) => /Download limit \(KiB\/s; 0 = none\)\s+1 MiB\/s/.test(s), 'the limit set');
    await tmux.waitFor((s) => /↓ [\d.]+ \w+\/s \[1 MiB\/s\]/.test(s), 'the limit in force, in the status bar');
    tmux.keys('Enter', 'C-u');
    tmux.type('lots');
    tmux.keys('Enter');
    await tmux.waitFor((s) => s.includes("! download limit: 'lots' is not a rate"), 'a refused value, said why');
    tmux.keys('Escape', 'Escape', 'q');
    await tmux.waitFor((s) => s.includes('quit and stop 1 active torrent?'), 'the quit question');
    tmux.keys('y');
    screen = await tmux.waitFor((s) => s.includes('EXITED'), 'the exit', 20_000);
    assert.match(screen, /EXITED 0/);
  },
);
