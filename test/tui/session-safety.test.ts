import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeTorrentFile } from '../../source/engine/metainfo/encode-torrent-file.js';
import { needs, tempDir } from '../helpers/tools.js';
import { randomTorrent } from '../helpers/swarm.js';
import { cli, ensureBuilt, testHome, Tmux } from './tmux.js';
import { savedOnDisk } from '../helpers/saved-session.js';

/** Runs the built btui in its own tmux server; stderr goes to a file; the shell prints EXITED <code> after it. */
function startBtui(t: import('node:test').TestContext, dir: string, env: string, stderr: string): Tmux {
  const tmux = new Tmux();
  t.after(() => tmux.kill());
  tmux.start(`${env} ${process.execPath} ${cli} 2>${join(dir, stderr)}; echo "EXITED $?"; sleep 60`, 100, 24);
  return tmux;
}

test(
  'a second btui on a session in use is refused with one line naming the holder; a stale lock is taken over',
  { timeout: 60_000 },
  async (t) => {
    if (!needs(t, { commands: ['tmux'] })) return;
    ensureBuilt();
    const dir = tempDir(t);
    const env = testHome(dir);
    const first = startBtui(t, dir, env, 'first.txt');
    await first.waitFor((s) => s.includes('No torrents yet'), 'the first btui');
    const lock = JSON.parse(readFileSync(join(dir, 'state', 'session.lock'), 'utf8'));

    const second = startBtui(t, dir, env, 'second.txt');
    const screen = await second.waitFor((s) => s.includes('EXITED'), 'the second btui to stop');
    assert.match(screen, /EXITED [1-9]/);
    assert.equal(
      readFileSync(join(dir, 'second.txt'), 'utf8'),
      `btui: the session in ${join(dir, 'state')} is in use by process ${lock.pid} (btui); quit it first\n`,
    );
    // The first is untouched by it.
    await first.waitFor((s) => s.includes('No torrents yet'), 'the first btui still running');

    first.keys('q');
    await first.waitFor((s) => s.includes('EXITED 0'), 'the first btui to quit');
    assert.ok(!existsSync(join(dir, 'state', 'session.lock')), 'the lock released on quit');

    // A lock left by a process that is gone (a crash, kill -9) is stale: taken over without a word.
    const child = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => child.once('exit', resolve));
    writeFileSync(join(dir, 'state', 'session.lock'), JSON.stringify({ pid: child.pid, holder: 'btui' }));
    const third = startBtui(t, dir, env, 'third.txt');
    await third.waitFor((s) => s.includes('No torrents yet'), 'btui over a stale lock');
    third.keys('q');
    await third.waitFor((s) => s.includes('EXITED 0'), 'the third btui to quit');
    assert.equal(readFileSync(join(dir, 'third.txt'), 'utf8').replace(/\x1b\[\?25h/g, ''), '');
  },
);

test(
  'a settings file that is not JSON: one line naming the file, line and column; exit non-zero; the file left alone',
  { timeout: 30_000 },
  async (t) => {
    if (!needs(t, { commands: ['tmux'] })) return;
    ensureBuilt();
    const dir = tempDir(t);
    const env = testHome(dir);
    const config = join(dir, 'config', 'btui', 'config.json');
    const broken = '{\n  "port": 0,\n  "dht": tru\n}\n';
    mkdirSync(join(dir, 'config', 'btui'), { recursive: true });
    writeFileSync(config, broken);
    const tmux = startBtui(t, dir, env, 'stderr.txt');
    const screen = await tmux.waitFor((s) => s.includes('EXITED'), 'btui to stop');
    assert.match(screen, /EXITED [1-9]/);
    const stderr = readFileSync(join(dir, 'stderr.txt'), 'utf8');
    assert.equal(stderr.split('\n').length, 2, `one line: ${stderr}`);
    assert.match(
      stderr,
      new RegExp(
        `^btui: the settings file ${config.replace(/[.]/g, '\\.')}:3:13 is not valid JSON .*move it aside .* to start with the defaults\n$`,
      ),
    );
    assert.equal(readFileSync(config, 'utf8'), broken, 'not overwritten');
    assert.ok(!existsSync(join(dir, 'state', 'session.lock')), 'the lock released');
  },
);

test(
  'garbage in session.json: set aside, told on screen, nothing saved until answered, the list rebuilt from the .torrent copies',
  { timeout: 60_000 },
  async (t) => {
    if (!needs(t, { commands: ['tmux'] })) return;
    ensureBuilt();
    const dir = tempDir(t);
    const env = testHome(dir);
    const { meta } = randomTorrent({ name: 'saved-before', sizes: [30_000] });
    mkdirSync(join(dir, 'state', 'torrents'), { recursive: true });
    writeFileSync(join(dir, 'state', 'torrents', `${meta.infoHash}.torrent`), encodeTorrentFile(meta));
    writeFileSync(join(dir, 'state', 'session.json'), 'garbage{\n');

    const tmux = startBtui(t, dir, env, 'stderr.txt');
    let screen = await tmux.waitFor((s) => s.includes('rebuild the list from the 1 saved .torrent file? (y/n)'), 'the recovery question');
    assert.match(screen, /The saved session could not be used/);
    assert.match(screen, /session\.json is not valid JSON: unexpected "g" at line 1, column 1/);
    const aside = readdirSync(join(dir, 'state')).filter((n) => n.startsWith('session.json.bad-'));
    assert.equal(aside.length, 1);
    assert.equal(readFileSync(join(dir, 'state', aside[0]!), 'utf8'), 'garbage{\n', 'set aside unchanged');
    assert.ok(!existsSync(join(dir, 'state', 'session.json')), 'nothing saved before the answer');

    tmux.keys('y');
    screen = await tmux.waitFor((s) => /^saved-before\s+paused/m.test(s), 'the rebuilt torrent in the list');
    // Nothing runs: q quits at once.
    tmux.keys('q');
    await tmux.waitFor((s) => s.includes('EXITED 0'), 'the exit');
    const saved = savedOnDisk(join(dir, 'state', 'session.json'));
    assert.deepEqual(
      saved.torrents.map((x: { infoHash: string }) => x.infoHash),
      [meta.infoHash],
    );
    assert.equal(readFileSync(join(dir, 'stderr.txt'), 'utf8').replace(/\x1b\[\?25h/g, ''), '');
  },
);
