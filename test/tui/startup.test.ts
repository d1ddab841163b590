import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeTorrentFile } from '../../source/engine/metainfo/encode-torrent-file.js';
import { metainfoFromFiles } from '../../source/engine/storage/metainfo-from-files.js';
import { needs, tempDir } from '../helpers/tools.js';
import { cli, ensureBuilt, testHome, Tmux } from './tmux.js';

/** A saved session of `count` small seeding torrents, data in place (as scripts/bench-ui.ts makes it). */
function writeSession(dir: string, count: number): void {
  const state = join(dir, 'state');
  const data = join(dir, 'data');
  mkdirSync(join(state, 'torrents'), { recursive: true });
  mkdirSync(data, { recursive: true });
  const torrents = [];
  for (let i = 0; i < count; i++) {
    const name = `startup-${String(i).padStart(3, '0')}.bin`;
    const { meta, data: bytes } = metainfoFromFiles({
      name,
      pieceLength: 16384,
      files: [{ path: [name], data: Buffer.alloc(1000 + i, i % 251) }],
      single: true,
    });
    writeFileSync(join(data, name), bytes);
    writeFileSync(join(state, 'torrents', `${meta.infoHash}.torrent`), encodeTorrentFile(meta));
    torrents.push({
      infoHash: meta.infoHash,
      torrentFile: `torrents/${meta.infoHash}.torrent`,
      directory: data,
      paused: false,
      priority: 2,
      filePriorities: [1],
      addedAt: 1_700_000_000_000 + i,
      downloaded: 0,
      uploaded: 0,
    });
  }
  writeFileSync(join(state, 'session.json'), JSON.stringify({ version: 1, torrents }));
}

test(
  'a 300-torrent session: the first frame already lists all 300 (never "No torrents yet" first), and the start-up marks are written in order',
  { timeout: 120_000 },
  async (t) => {
    if (!needs(t, { commands: ['tmux'] })) return;
    ensureBuilt();
    const dir = tempDir(t);
    writeSession(dir, 300);
    const marksFile = join(dir, 'marks.json');
    const tmux = new Tmux();
    t.after(() => tmux.kill());
    tmux.start(
      `${testHome(dir, { dht: false })} BTUI_STARTUP_MARKS=${marksFile} ${process.execPath} ${cli}; echo "EXITED $?"; sleep 60`,
      120,
      40,
    );
    // Every screen from the first one with the status bar on: the list is never shown empty.
    const deadline = Date.now() + 90_000;
    let screen = '';
    while (Date.now() < deadline) {
      screen = tmux.capture();
      if (/\? help\s*$/m.test(screen) || screen.includes('EXITED')) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    assert.match(screen, /\? help\s*$/m, `no first frame; screen:\n${screen}`);
    assert.ok(!screen.includes('No torrents yet'), `the first frame showed an empty list:\n${screen}`);
    assert.match(screen, /all 300\b/, `the first frame did not count all 300:\n${screen}`);
    assert.match(screen, /startup-000\.bin/);

    // Written just after the first frame is handed to the terminal: it may be on screen a moment before the file is.
    const readMarks = () => {
      try {
        return JSON.parse(readFileSync(marksFile, 'utf8')) as { wall: Record<string, number>; cpu: Record<string, number> };
      } catch {
        return undefined;
      }
    };
    let marks = readMarks();
    while (!marks && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      marks = readMarks();
    }
    assert.ok(marks, `no start-up marks in ${marksFile}`);
    const stages = ['cli', 'flags', 'tui-loaded', 'session-open', 'restored', 'rendered'];
    assert.deepEqual(Object.keys(marks.wall), stages);
    assert.deepEqual(Object.keys(marks.cpu), stages);
    for (let i = 1; i < stages.length; i++)
      assert.ok(marks.wall[stages[i]!]! >= marks.wall[stages[i - 1]!]!, `${stages[i]} after ${stages[i - 1]}`);

    tmux.keys('q');
    await tmux.waitFor((s) => /quit and stop \d+ active torrents\?/.test(s) || s.includes('EXITED'), 'the quit question or the exit');
    if (!tmux.capture().includes('EXITED')) tmux.keys('y');
    await tmux.waitFor((s) => s.includes('EXITED 0'), 'the exit', 60_000);
  },
);
