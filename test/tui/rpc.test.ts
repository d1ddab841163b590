import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { freePort } from '../helpers/opentracker.js';
import { until } from '../helpers/ink-frames.js';
import { needs, tempDir } from '../helpers/tools.js';
import { cli, ensureBuilt, testHome, Tmux } from './tmux.js';

/** The TUI in tmux with `--rpc-port` on a free port and no DHT, `rest(dir)` after its flags; undefined when tmux or transmission-remote is missing. */
async function tuiWithRpc(
  t: TestContext,
  rest: (dir: string) => string,
  rows: number,
): Promise<{ dir: string; port: number; tmux: Tmux } | undefined> {
  if (!needs(t, { commands: ['tmux', 'transmission-remote'] })) return undefined;
  ensureBuilt();
  const dir = tempDir(t);
  const port = await freePort();
  const tmux = new Tmux();
  t.after(() => tmux.kill());
  tmux.start(`${testHome(dir)} ${process.execPath} ${cli} --rpc-port ${port} --no-dht${rest(dir)}`, 120, rows);
  return { dir, port, tmux };
}

test(
  'the TUI with --rpc-port serves the Transmission RPC: a magnet added by transmission-remote shows in the list, and the list shows in -l',
  { timeout: 60_000 },
  async (t) => {
    const tui = await tuiWithRpc(t, () => '; echo "EXITED $?"; sleep 60', 30);
    if (!tui) return;
    const { port, tmux } = tui;
    await tmux.waitFor((s) => s.includes('No torrents yet'), 'the TUI');

    const hash = randomBytes(20).toString('hex');
    const add = spawnSync('transmission-remote', [`127.0.0.1:${port}`, '-a', `magnet:?xt=urn:btih:${hash}&dn=added-over-rpc`], {
      encoding: 'utf8',
    });
    assert.equal(add.status, 0, add.stdout + add.stderr);
    await tmux.waitFor((s) => s.includes('added-over-rpc'), 'the row added over the RPC');
    const list = spawnSync('transmission-remote', [`127.0.0.1:${port}`, '-l'], { encoding: 'utf8' });
    assert.match(list.stdout, /1\s.*added-over-rpc/);

    tmux.keys('q');
    const asked = await tmux.waitFor((s) => s.includes('EXITED') || /quit and stop/.test(s), 'quit');
    if (!asked.includes('EXITED')) tmux.keys('y');
    await tmux.waitFor((s) => s.includes('EXITED 0'), 'the TUI to quit');
    const after = spawnSync('transmission-remote', [`127.0.0.1:${port}`, '-l'], { encoding: 'utf8' });
    assert.notEqual(after.status, 0, 'the RPC stops with the TUI');
  },
);

test('unknown flags are refused, not ignored; bad ports are refused with one line', async (t) => {
  const env = { BTUI_HOME: tempDir(t), XDG_CONFIG_HOME: join(tempDir(t), 'config') };
  const bogus = await runCli(['--bogus'], { env });
  assert.equal(bogus.code, 2);
  assert.equal(bogus.stderr, "btui: unknown option --bogus (try 'btui --help')\n");
  const short = await runCli(['-v'], { env });
  assert.equal(short.code, 2);
  assert.equal(short.stderr, "btui: unknown option -v (try 'btui --help')\n");
  const port = await runCli(['--port', '99999'], { env });
  assert.equal(port.code, 2);
  assert.equal(port.stderr, 'btui: --port 99999 is not a port (0-65535)\n');
  const daemonPort = await runCli(['daemon', '--port', '70000'], { env });
  assert.equal(daemonPort.code, 2);
  assert.equal(daemonPort.stderr, 'btui: daemon: --port 70000 is not a port (0-65535)\n');
});

test(
  "session-set from transmission-remote shows on the TUI's settings screen and status line; an edit on the screen does not undo it",
  { timeout: 60_000 },
  async (t) => {
    const tui = await tuiWithRpc(t, (dir) => ` --download-dir ${join(dir, 'flagged')}; sleep 60`, 40);
    if (!tui) return;
    const { dir, port, tmux } = tui;
    const flagged = join(dir, 'flagged');
    const chosen = join(dir, 'chosen-over-rpc');
    await tmux.waitFor((s) => s.includes('serving the Transmission RPC') || s.includes('No torrents yet'), 'the TUI');
    const remote = (...args: string[]) => spawnSync('transmission-remote', [`127.0.0.1:${port}`, ...args], { encoding: 'utf8' });
    // The RPC listens once the (empty) session is open, which may be after the first frame.
    await until(() => remote('-si').status === 0, 'the RPC', 15_000);
    tmux.keys('S');
    await tmux.waitFor((s) => s.includes(`Download directory`) && s.includes(flagged), 'the settings screen');
    // Transmission's kB/s are 1000 bytes: 512 is 500 KiB/s.
    const set = remote('-w', chosen, '-d', '512', '-as');
    assert.equal(set.status, 0, set.stdout + set.stderr);
    const shown = await tmux.waitFor((s) => s.includes(chosen) && /turtle/.test(s), 'the change on the screen');
    assert.match(shown, /Download limit \(KiB\/s; 0 = none\)\s+500 KiB\/s/);

    // Refresh interval: the 7th row.
    tmux.keys('j', 'j', 'j', 'j', 'j', 'j', 'Enter', 'C-u');
    tmux.type('250');
    tmux.keys('Enter');
    await tmux.waitFor((s) => /Refresh interval \(ms\)\s+250/.test(s), 'the edited field');
    const info = remote('-si');
    assert.match(info.stdout, new RegExp(`Download directory: ${chosen}`), info.stdout);
    assert.match(info.stdout, /Download speed limit: .*Enabled limit: 512 kB\/s/, info.stdout);
    const saved = JSON.parse(readFileSync(join(dir, 'config', 'btui', 'config.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual([saved.downloadDirectory, saved.downloadLimit, saved.altSpeedEnabled, saved.refreshMs], [chosen, 512_000, true, 250]);
  },
);
