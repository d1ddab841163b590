import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeSeedingSession } from '../helpers/seeding-session.js';
import { freePort } from '../helpers/opentracker.js';
import { needs, tempDir, until } from '../helpers/tools.js';
import { cli, ensureBuilt, testHome, Tmux } from './tmux.js';
import { savedOnDisk } from '../helpers/saved-session.js';

/** A saved session of `count` small seeding torrents, data in place. */
function writeSession(dir: string, count: number): void {
  writeSeedingSession(join(dir, 'state'), join(dir, 'data'), count, {
    name: (i) => `startup-${String(i).padStart(3, '0')}.bin`,
    data: (i) => Buffer.alloc(1000 + i, i % 251),
    addedAt: (i) => 1_700_000_000_000 + i,
  });
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

/** The list's rows on a screen, without the State column and what moves (rates, peers): name, progress bar, %, size. */
function listedRows(screen: string): string[] {
  return screen
    .split('\n')
    .filter((line) => /^\s*startup-\d{3}\.bin/.test(line))
    .map((line) => {
      const [name, , ...rest] = line.trim().split(/\s+/);
      return [name, ...rest.slice(0, 4)].join(' ');
    });
}

test(
  'a restart of a saved 300-torrent session: the first frame, drawn before the torrents open, lists the rows they show once open',
  { timeout: 180_000 },
  async (t) => {
    if (!needs(t, { commands: ['tmux'] })) return;
    ensureBuilt();
    const dir = tempDir(t);
    writeSession(dir, 300);
    const run = async (until: RegExp) => {
      const tmux = new Tmux();
      t.after(() => tmux.kill());
      tmux.start(`${testHome(dir, { dht: false })} ${process.execPath} ${cli}; echo "EXITED $?"; sleep 60`, 120, 40);
      let first = '';
      const deadline = Date.now() + 90_000;
      while (Date.now() < deadline) {
        first = tmux.capture();
        if (/\? help\s*$/m.test(first) || first.includes('EXITED')) break;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const settled = await tmux.waitFor((s) => until.test(s), String(until), 90_000);
      tmux.keys('q');
      await tmux.waitFor((s) => /quit and stop \d+ active torrents\?/.test(s) || s.includes('EXITED'), 'the quit question or the exit');
      if (!tmux.capture().includes('EXITED')) tmux.keys('y');
      await tmux.waitFor((s) => s.includes('EXITED 0'), 'the exit', 60_000);
      tmux.kill();
      return { first, settled };
    };
    // The first run checks the data and saves each row's figures with the session as it quits.
    await run(/seeding 300\b/);
    const saved = savedOnDisk(join(dir, 'state', 'session.json'));
    assert.ok(
      saved.torrents.every((x) => x.listed?.name.startsWith('startup-')),
      'every torrent saved with its row',
    );

    const { first, settled } = await run(/seeding 300\b/);
    assert.match(first, /all 300\b/, `the first frame did not count all 300:\n${first}`);
    assert.ok(!first.includes('No torrents yet'), first);
    const before = listedRows(first);
    assert.equal(before.length > 30, true, `rows on the first frame:\n${first}`);
    assert.deepEqual(before, listedRows(settled), 'the rows shown before the torrents opened are the rows after');
    assert.match(before[0]!, /^startup-000\.bin ██████████ 100% 1000 B$/);
  },
);

test(
  "a clean quit draws the next start's first frame: shown before the TUI loads, the same frame the TUI then draws; not shown once the session changed or while another process holds it",
  { timeout: 180_000 },
  async (t) => {
    if (!needs(t, { commands: ['tmux'] })) return;
    ensureBuilt();
    const dir = tempDir(t);
    writeSession(dir, 20);
    const marksFile = join(dir, 'marks.json');
    // A fixed port, as most users keep: it is on the first screen.
    const home = testHome(dir, { dht: false, port: await freePort() });
    const run = async (options: { quit: boolean }) => {
      rmSync(marksFile, { force: true });
      const tmux = new Tmux();
      t.after(() => tmux.kill());
      tmux.start(`${home} BTUI_STARTUP_MARKS=${marksFile} ${process.execPath} ${cli}; echo "EXITED $?"; sleep 60`, 120, 40);
      const first = await tmux.waitFor((s) => /\? help\s*$/m.test(s) || s.includes('EXITED'), 'the first frame', 90_000);
      if (!options.quit) return { first, marks: undefined, tmux };
      await until('the start-up marks', () => existsSync(marksFile), 30_000);
      const marks = JSON.parse(readFileSync(marksFile, 'utf8')) as { wall: Record<string, number> };
      await tmux.waitFor((s) => /seeding 20\b/.test(s), 'the 20 seeding', 90_000);
      tmux.keys('q');
      await tmux.waitFor((s) => /quit and stop \d+ active torrents\?/.test(s) || s.includes('EXITED'), 'the quit question or the exit');
      if (!tmux.capture().includes('EXITED')) tmux.keys('y');
      await tmux.waitFor((s) => s.includes('EXITED 0'), 'the exit', 60_000);
      tmux.kill();
      return { first, marks, tmux };
    };

    const fresh = await run({ quit: true });
    assert.equal(fresh.marks!.wall['saved-frame'], undefined, 'no frame saved before the first quit');
    assert.ok(existsSync(join(dir, 'state', 'first-frame')), 'the quit saved the next first frame');

    const again = await run({ quit: true });
    assert.match(again.first, /all 20\b/);
    assert.match(again.first, /startup-000\.bin/);
    const wall = again.marks!.wall;
    assert.ok(wall['saved-frame']! < wall['tui-loaded']!, `the saved frame was shown before the TUI loaded: ${JSON.stringify(wall)}`);
    assert.ok(wall['frame-same'] !== undefined, `the TUI drew the same frame over it: ${JSON.stringify(wall)}`);

    // The session saved again (the same bytes, a new time): the frame may be stale, so it is not shown.
    const session = join(dir, 'state', 'session.json');
    writeFileSync(session, readFileSync(session));
    const changed = await run({ quit: true });
    assert.equal(changed.marks!.wall['saved-frame'], undefined, 'not shown after the session changed');

    // Another process holds the session: nothing is drawn, and the refusal is on the normal screen.
    writeFileSync(join(dir, 'state', 'session.lock'), `${JSON.stringify({ pid: process.pid, holder: 'btui daemon', since: '' })}\n`);
    t.after(() => rmSync(join(dir, 'state', 'session.lock'), { force: true }));
    const refused = await run({ quit: false });
    const screen = await refused.tmux.waitFor((s) => s.includes('EXITED'), 'the refusal');
    assert.match(screen, new RegExp(`in use by process ${process.pid} \\(btui daemon\\)`));
    assert.ok(!screen.includes('startup-000.bin'), `a frame was drawn:\n${screen}`);
  },
);

test(
  'a hangup (the terminal closed) saves the session and the next first frame, leaves no lock, and prints no crash',
  { timeout: 120_000 },
  async (t) => {
    if (!needs(t, { commands: ['tmux'] })) return;
    ensureBuilt();
    const dir = tempDir(t);
    writeSession(dir, 5);
    const errors = join(dir, 'stderr.txt');
    const tmux = new Tmux();
    t.after(() => tmux.kill());
    tmux.start(`exec ${testHome(dir, { dht: false })} ${process.execPath} ${cli} 2>${errors}`, 120, 40);
    await tmux.waitFor((s) => /seeding 5\b/.test(s), 'the 5 seeding', 90_000);
    const pid = Number(tmux.run('display-message', '-p', '-t', 'main', '#{pane_pid}').trim());
    tmux.kill();
    await until('the exit', () => !existsSync(`/proc/${pid}`), 60_000);
    assert.equal(readFileSync(errors, 'utf8'), '', 'nothing on stderr');
    assert.ok(!existsSync(join(dir, 'state', 'session.lock')), 'the lock released');
    assert.ok(existsSync(join(dir, 'state', 'first-frame')), 'the next first frame saved');
    const saved = JSON.parse(readFileSync(join(dir, 'state', 'session.json'), 'utf8')) as { torrents: unknown[] };
    assert.equal(saved.torrents.length, 5);
  },
);
