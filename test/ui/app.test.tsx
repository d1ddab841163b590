import React from 'react';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { render } from 'ink-testing-library';
import { App, type AppCommands, type RecoveryQuestion, type StoreView } from '../../source/ui/app.js';
import { defaultSettings, type Settings } from '../../source/settings.js';
import { settingsHeldHere } from '../../source/ui/settings-access.js';
import type { LogEntry, Snapshot, TorrentDetail, TorrentRow } from '../../source/store/types.js';
import { torrentRow } from '../helpers/torrent-row.js';
import { settledFrame, until } from '../helpers/ink-frames.js';

void React;
const strip = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');
/** Waits for what a passive effect brings, e.g. the detail the store is asked for: a key's frame can come before it. */
const settle = (done: () => boolean) => until(done, 'the frame to show it').catch(() => undefined);

function row(i: number, patch: Partial<TorrentRow> = {}): TorrentRow {
  return torrentRow(`torrent-${String(i).padStart(4, '0')}`, {
    infoHash: i.toString(16).padStart(40, '0'),
    state: i % 3 === 0 ? 'seeding' : 'downloading',
    size: 1_000_000 + i,
    progress: (i % 100) / 100,
    downloadRate: i * 10,
    peers: 2,
    knownPeers: 5,
    seeds: 1,
    pieceCount: 40,
    havePieces: 10,
    directory: '/downloads',
    dataPath: `/downloads/torrent-${i}`,
    ...patch,
  });
}

function detailFor(r: TorrentRow): TorrentDetail {
  return {
    infoHash: r.infoHash,
    info: {
      pieceLength: 262144,
      private: false,
      path: r.dataPath,
      wasted: 0,
      hashFailures: 0,
      magnet: `magnet:?xt=urn:btih:${r.infoHash}`,
      comment: 'a comment',
    },
    peers: [
      {
        id: 'p1',
        address: '10.0.0.7:51413',
        client: 'Transmission 4.0.5',
        flags: 'DU',
        progress: 0.5,
        downloadRate: 2048,
        uploadRate: 1024,
        requests: 12,
      },
    ],
    trackers: [
      {
        url: 'http://tracker.example/announce',
        tier: 0,
        status: 'working',
        seeders: 17,
        leechers: 4,
        completed: 99,
        lastAnnounceAt: Date.now() - 60_000,
        nextAnnounceAt: Date.now() + 600_000,
      },
    ],
    files: [
      { index: 0, path: 'album/cd1/track1.flac', length: 1000, progress: 1, priority: 1 },
      { index: 1, path: 'album/cd1/track2.flac', length: 1000, progress: 0.5, priority: 1 },
      { index: 2, path: 'album/cover.jpg', length: 10, progress: 0, priority: 0 },
    ],
    pieces: {
      pieceCount: 40,
      have: new Uint8Array([0xff, 0x0f, 0, 0, 0]),
      downloading: new Set([20]),
      availability: Uint16Array.from({ length: 40 }, (_, i) => (i === 9 ? 0 : 2)),
    },
  };
}

class FakeStore implements StoreView {
  snapshot: Snapshot;
  focused?: string;
  private listeners = new Set<() => void>();
  constructor(rows: TorrentRow[], log: LogEntry[] = []) {
    this.snapshot = {
      version: 1,
      torrents: rows,
      global: {
        downloadRate: 1234,
        uploadRate: 0,
        downloadLimit: 0,
        uploadLimit: 65536,
        connections: 3,
        port: 6881,
        freeDisk: 5 * 2 ** 30,
        downloadDirectory: '/d',
        dhtNodes: 153,
        maxActiveDownloads: 5,
      },
      log,
    };
  }
  subscribe = (l: () => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };
  getSnapshot = () => this.snapshot;
  focus(hash: string | undefined) {
    this.focused = hash;
    const r = this.snapshot.torrents.find((t) => t.infoHash === hash);
    this.snapshot = { ...this.snapshot, version: this.snapshot.version + 1, detail: r ? detailFor(r) : undefined };
    for (const l of this.listeners) l();
  }
  logged: string[] = [];
  log(level: string, text: string) {
    this.logged.push(`${level} ${text}`);
  }
  setGlobal(patch: Partial<Snapshot['global']>) {
    this.snapshot = { ...this.snapshot, version: this.snapshot.version + 1, global: { ...this.snapshot.global, ...patch } };
    for (const l of this.listeners) l();
  }
  /** A log line as the real store publishes it. */
  push(level: LogEntry['level'], text: string, at = Date.now()) {
    const log = [...this.snapshot.log, { id: (this.snapshot.log.at(-1)?.id ?? 0) + 1, at, level, text }];
    this.snapshot = { ...this.snapshot, version: this.snapshot.version + 1, log };
    for (const l of this.listeners) l();
  }
}

function commandsRecorder() {
  const calls: string[] = [];
  const commands: AppCommands = {
    toggle: async (h) => void calls.push(`toggle ${h}`),
    recheck: async (h) => void calls.push(`recheck ${h}`),
    announce: () => {},
    scrape: async () => {},
    changePriority: () => {},
    changeFilePriority: (h, f, d) => void calls.push(`file ${f} ${d}`),
    stepLimit: () => {},
    toggleAltSpeed: (key) => void calls.push(`turtle ${key}`),
    metainfoText: () => 'Name        torrent-0000\nInfo hash   00\n\nFiles\n  a  1 B\n',
    magnetOf: (h) => `magnet:?xt=urn:btih:${h}&dn=${'long-name-'.repeat(12)}&tr=http%3A%2F%2Ftracker.example%2Fannounce`,
    add: async (text) => void calls.push(`add ${text}`),
    create: async (text) => {
      calls.push(`create ${text}`);
      return ['magnet:?xt=urn:btih:abc'];
    },
    remove: async (h, data) => void calls.push(`remove ${h} ${data}`),
    setLimits: () => {},
    setLabels: async (h, labels) => void calls.push(`labels ${h} ${JSON.stringify(labels)}`),
    move: async (h, directory) => void calls.push(`move ${h} ${directory}`),
    setSeedGoals: async (h, goals) => void calls.push(`goals ${h} ${JSON.stringify(goals)}`),
    setTorrentLimits: async (h, limits) => void calls.push(`limits ${h} ${JSON.stringify(limits)}`),
    setGlobalSeedGoals: (goals) => void calls.push(`global goals ${JSON.stringify(goals)}`),
  };
  return { calls, commands };
}

function mount(
  rows: TorrentRow[],
  options: { width?: number; height?: number; settings?: Partial<Settings>; recovery?: RecoveryQuestion; demo?: boolean } = {},
) {
  const store = new FakeStore(rows);
  const { calls, commands } = commandsRecorder();
  const settings = settingsHeldHere({ ...defaultSettings(), ...options.settings }, '/cfg/config.json');
  let quit = 0;
  const app = render(
    <App
      store={store}
      commands={commands}
      settings={settings}
      width={options.width ?? 80}
      height={options.height ?? 23}
      onQuit={() => quit++}
      complete={async (t) => ({ text: `${t}completed/`, candidates: [] })}
      recovery={options.recovery}
      demo={options.demo}
    />,
  );
  const frame = () => strip(app.lastFrame() ?? '');
  const press = async (...keys: string[]) => {
    for (const k of keys) {
      app.stdin.write(k);
      await settledFrame(app);
    }
  };
  const settled = () => settledFrame(app);
  return {
    app,
    store,
    calls,
    commands,
    frame,
    press,
    settled,
    get settings() {
      return settings.read();
    },
    quits: () => quit,
  };
}

const many = Array.from({ length: 1000 }, (_, i) => row(i));

test('the list renders only the rows that fit, and follows the selection to the end', async (t) => {
  const m = mount(many);
  t.after(() => m.app.unmount());
  await m.settled();
  const lines = m.frame().split('\n');
  assert.equal(lines.length, 23, 'exactly the height given');
  assert.ok(lines.some((l) => l.startsWith('torrent-0000')));
  assert.ok(!m.frame().includes('torrent-0100'));
  assert.equal(lines.filter((l) => l.startsWith('torrent-')).length, 23 - 3, 'view bar, header and status bar around the rows');
  assert.match(lines[0]!, /all 1000/);
  await m.press('G');
  assert.ok(m.frame().includes('torrent-0999'));
  assert.ok(!m.frame().includes('torrent-0000'));
  await m.press('g', 'j', 'j');
  assert.ok(m.app.lastFrame()!.includes('torrent-0000'));
});

test('the detail tabs: info, peers, files tree, trackers, pieces heatmap with legend', async (t) => {
  const m = mount(many.slice(0, 3), { width: 100, height: 30, settings: { colours: 'none' } });
  t.after(() => m.app.unmount());
  await m.press('\r');
  await settle(() => m.store.focused !== undefined && /Info hash/.test(m.frame()));
  assert.equal(m.store.focused, many[0]!.infoHash, "the store is asked for this torrent's detail");
  assert.match(m.frame(), /Info hash\s+0{40}/);
  assert.match(m.frame(), /Comment\s+a comment/);
  await m.press('2');
  assert.match(m.frame(), /10\.0\.0\.7:51413\s+Transmission 4\.0\.5\s+DU\s+50%/);
  await m.press('3');
  assert.match(m.frame(), /album\//);
  assert.match(m.frame(), /^\s+ {2}cd1\/$/m);
  assert.match(m.frame(), /skip\s+0%.*cover\.jpg/);
  await m.press('4');
  // The times are relative to when the detail was made: a loaded machine can draw it a few seconds later.
  assert.match(m.frame(), /│ http:\/\/tracker\.ex\S*… │ working │\s+17 │\s+4 │\s+99 │\s+- │\s+1m\d\ds ago │/);
  await m.press('\t');
  // The heatmap and its legend can land in separate frames under load.
  await settle(() => /peers with it/.test(m.frame()));
  assert.match(m.frame(), /40 pieces, have 12, downloading 1; 1 cell = 1 piece/);
  // 40 pieces fit as double-width cells; without colour a missing piece shows how many peers have it.
  const glyphs = '████████2·22████2222▒2222222222222222222';
  assert.ok(
    m
      .frame()
      .split('\n')
      .includes([...glyphs].map((g) => g + g).join('')),
    m.frame(),
  );
  assert.match(m.frame(), /█ have ▌ part ▒ downloading  missing, peers with it: · 0  1-9  \+ 10 or more/);
  await m.press('\x1b');
  assert.match(m.frame(), /^Name/m);
});

test('in the Files tab, + and - change the priority of the file under the cursor', async (t) => {
  const m = mount(many.slice(0, 1), { width: 100, height: 30 });
  t.after(() => m.app.unmount());
  await m.press('\r', '3', 'j', '-');
  assert.deepEqual(m.calls, ['file 1 -1']);
});

test('help lists the keys from the keymap and closes with Esc', async (t) => {
  const m = mount(many.slice(0, 1), { width: 160, height: 50, settings: { keymapPreset: 'rtorrent' } });
  t.after(() => m.app.unmount());
  await m.press('?');
  assert.match(m.frame(), /Keys/);
  assert.match(m.frame(), /Ctrl-S Ctrl-D Space\s+start \/ pause/);
  assert.match(m.frame(), /Backspace Del a\s+add/);
  await m.press('\x1b');
  assert.doesNotMatch(m.frame(), /start \/ pause/);
});

test('the live filter narrows the list as you type; Esc clears it', async (t) => {
  const m = mount(many.slice(0, 30));
  t.after(() => m.app.unmount());
  await m.press('/', '1', '2');
  assert.match(m.frame(), /Filter \(name, state:seeding, #label\): 12/);
  const names = m
    .frame()
    .split('\n')
    .filter((l) => l.startsWith('torrent-'));
  assert.deepEqual(
    names.map((l) => l.split(' ')[0]),
    ['torrent-0012'],
  );
  await m.press('\r');
  assert.match(m.frame(), /filter "12"/);
  await m.press('\x1b');
  assert.ok(m.frame().includes('torrent-0000'));
});

test('remove asks, names what X deletes, and acts only on y', async (t) => {
  const m = mount(many.slice(0, 3));
  t.after(() => m.app.unmount());
  await m.press('j', 'X');
  assert.match(m.frame(), /AND DELETE \/downloads\/torrent-1\?/);
  await m.press('n');
  assert.deepEqual(m.calls, []);
  await m.press('x');
  assert.match(m.frame(), /data stays in/);
  await m.press('y');
  assert.deepEqual(m.calls, [`remove ${many[1]!.infoHash} false`]);
});

test('the add prompt completes with Tab and submits; n shows the new magnet', async (t) => {
  const m = mount(many.slice(0, 1));
  t.after(() => m.app.unmount());
  await m.press('a', '/', 't', 'm', 'p', '\t');
  assert.match(m.frame(), /Add \(path.*\/tmpcompleted\//);
  await m.press('\r');
  assert.deepEqual(m.calls, ['add /tmpcompleted/']);
  await m.press('n', 'x', '\r');
  await m.settled();
  assert.match(m.frame(), /magnet:\?xt=urn:btih:abc/);
  // The one torrent seeds: quitting asks first.
  await m.press('q');
  assert.match(m.frame(), /quit and stop 1 active torrent\? \(y\/n\)/);
  await m.press('y');
  assert.equal(m.quits(), 1);
});

test('status bar: rates, limits, connections, DHT nodes, port and free disk', async (t) => {
  const m = mount(many.slice(0, 1));
  t.after(() => m.app.unmount());
  await m.settled();
  assert.match(m.frame(), /↓ 1\.21 KiB\/s \[∞\]\s+↑ 0 B\/s \[64 KiB\/s\]\s+conn 3\s+dht 153\s+port 6881\s+free 5 GiB/);
});

test('keys that arrive in one chunk (fast typing, typed text plus Enter) are taken one by one', async (t) => {
  const m = mount(many.slice(0, 30));
  t.after(() => m.app.unmount());
  await m.press('jjj', 'x');
  assert.match(m.frame(), /Remove "torrent-0003"/);
  await m.press('n');
  await m.press('/12\r');
  assert.match(m.frame(), /filter "12"/);
  assert.doesNotMatch(m.frame(), /Filter \(/, 'the prompt closed on the Enter inside the chunk');
});

test('Esc and a key read together (Alt+key) count as Esc, then the key', async (t) => {
  const m = mount(many.slice(0, 3), { width: 100, height: 30 });
  t.after(() => m.app.unmount());
  await m.press('\r');
  await settle(() => /Info hash/.test(m.frame()));
  assert.match(m.frame(), /Info hash/);
  await m.press('\x1bj', 'x');
  assert.match(m.frame(), /Remove "torrent-0001"/, 'back in the list, moved down one');
});

test('the settings screen edits a setting through a prompt and saves it', async (t) => {
  const m = mount(many.slice(0, 1), { width: 100, height: 30 });
  t.after(() => m.app.unmount());
  await m.press('S');
  assert.match(m.frame(), /Settings/);
  assert.match(m.frame(), /Key preset\s+default/);
  await m.press('j', 'j', 'j', 'j', 'j', '\r');
  assert.match(m.frame(), /Value: default/);
  await m.press('\x7f'.repeat(7));
  await m.press('rtorrent\r');
  assert.match(m.frame(), /Key preset\s+rtorrent/);
  await m.press('j', 'j', 'j', 'j', 'j', '\r');
  assert.match(m.frame(), /Value: on/);
  await m.press('\x7f\x7f', 'maybe\r');
  assert.match(m.frame(), /DHT \(next start\)\s+on/, 'nonsense is refused');
  assert.match(m.frame(), /! DHT \(next start\): choose one of on, off\nValue: maybe/, 'the prompt stays open, saying why');
  await m.press('\x15', 'off\r');
  assert.match(m.frame(), /DHT \(next start\)\s+off/);
  assert.equal(m.settings.dht, false);
  await m.press('\x1b', '?');
  assert.match(m.frame(), /Ctrl-S/, 'the new preset is in force');
});

test('q asks first when torrents download or seed (y, q again, or n); quits at once when nothing runs', async (t) => {
  const active = mount([row(1, { state: 'downloading' }), row(2, { state: 'seeding' }), row(4, { state: 'paused' })]);
  t.after(() => active.app.unmount());
  await active.settled();
  await active.press('q');
  assert.match(active.frame(), /quit and stop 2 active torrents\? \(y\/n\) — `btui daemon` would keep seeding/);
  assert.equal(active.quits(), 0);
  await active.press('n');
  assert.doesNotMatch(active.frame(), /quit and stop/);
  assert.equal(active.quits(), 0);
  await active.press('q', 'q');
  assert.equal(active.quits(), 1, 'q twice quits');
  await active.press('q', 'Y');
  assert.equal(active.quits(), 2);
  await active.press('qq');
  assert.equal(active.quits(), 3, 'q twice in one chunk (scripts send it so)');

  const idle = mount([row(4, { state: 'paused' }), row(5, { state: 'error' })]);
  t.after(() => idle.app.unmount());
  await idle.settled();
  await idle.press('q');
  assert.equal(idle.quits(), 1, 'nothing active: no question');
});

test('the recovery screen: shown over the list until answered; other keys do nothing; y or n answers once', async (t) => {
  for (const key of ['y', 'n']) {
    const answers: boolean[] = [];
    const recovery: RecoveryQuestion = {
      title: 'The saved session could not be used',
      text: '/state/session.json is not valid JSON: unexpected "g" at line 1, column 1.\nIt was set aside, unchanged, as /state/session.json.bad-2026.',
      question: 'rebuild the list from the 3 saved .torrent files? (y/n)',
      answer: (yes) => void answers.push(yes),
    };
    const m = mount([], { recovery });
    t.after(() => m.app.unmount());
    await m.settled();
    assert.match(m.frame(), /The saved session could not be used/);
    assert.match(m.frame(), /set aside, unchanged, as \/state\/session\.json\.bad-2026/);
    assert.match(m.frame(), /rebuild the list from the 3 saved \.torrent files\? \(y\/n\)/);
    await m.press('q', 'a', 'x');
    assert.equal(m.quits(), 0);
    assert.deepEqual(answers, []);
    assert.match(m.frame(), /rebuild the list/);
    await m.press(key);
    assert.deepEqual(answers, [key === 'y']);
    assert.doesNotMatch(m.frame(), /rebuild the list/);
    assert.match(m.frame(), /No torrents yet/);
    await m.press(key);
    assert.equal(answers.length, 1);
  }
});

test('the settings and help screens move with the keymap, not with hard-coded keys', async (t) => {
  const m = mount(many.slice(0, 1), { width: 100, height: 40, settings: { keys: { down: ['J'], up: ['K'] } } });
  t.after(() => m.app.unmount());
  await m.press('S', 'j', '\r');
  assert.match(m.frame(), /Value: /);
  assert.doesNotMatch(m.frame(), /Value: 6881/, 'j is no longer "down": Enter edits the first setting');
  await m.press('\x1b', '\x1b', 'S', 'J', '\r');
  assert.match(m.frame(), /Value: 6881/, 'J is "down" now: Enter edits the second setting');
  await m.press('\x1b', '\x1b', 'S', 'J', 'K', '\r');
  assert.match(m.frame(), /Value: /);
  assert.doesNotMatch(m.frame(), /Value: 6881/, 'K is "up"');
});

test('a settings value is read back by its field, and a refused one says why', async () => {
  const { EDITABLE_SETTINGS, parseSettingInput } = await import('../../source/settings.js');
  const field = (key: string) => EDITABLE_SETTINGS.find((f) => f.key === key)!;
  assert.deepEqual(parseSettingInput(field('port'), ' 6882 '), { value: 6882 });
  assert.deepEqual(parseSettingInput(field('port'), 'abc'), { error: "Listen port (next start): 'abc' is not a number" });
  assert.deepEqual(parseSettingInput(field('port'), ''), { error: "Listen port (next start): '' is not a number" });
  assert.deepEqual(parseSettingInput(field('dht'), 'off'), { value: false });
  assert.match(String((parseSettingInput(field('dht'), 'maybe') as { error: string }).error), /choose one of on, off/);
  assert.deepEqual(parseSettingInput(field('colours'), '16'), { value: '16' });
  assert.deepEqual(parseSettingInput(field('watchDirectory'), ' /w '), { value: '/w' });
});

test('the Labels column: shown when wide, the first column dropped when narrow', async (t) => {
  const rows = [row(1, { labels: ['linux', 'iso'] }), row(2)];
  const wide = mount(rows, { width: 140 });
  t.after(() => wide.app.unmount());
  await wide.settled();
  assert.match(wide.frame(), /^Name.*ETA\s+Labels\s*$/m);
  assert.match(wide.frame(), /^torrent-0001 .*linux,iso\s*$/m);
  const narrow = mount(rows, { width: 110 });
  t.after(() => narrow.app.unmount());
  await narrow.settled();
  assert.doesNotMatch(narrow.frame(), /Labels|linux,iso/);
  assert.match(narrow.frame(), /^Name.*ETA\s*$/m, 'every other column still there');
});

test('a view per label in use, after the built-in ones, with counts; v and V cycle through them', async (t) => {
  const rows = [row(1, { labels: ['music'] }), row(2, { labels: ['linux', 'music'] }), row(3), row(4, { labels: ['Books'] })];
  const m = mount(rows, { width: 140 });
  t.after(() => m.app.unmount());
  await m.settled();
  assert.match(m.frame().split('\n')[0]!, / all 4 .* error 0  #Books 1  #linux 1  #music 2 /);
  const names = () =>
    m
      .frame()
      .split('\n')
      .filter((l) => l.startsWith('torrent-'))
      .map((l) => l.split(' ')[0]);
  await m.press('V');
  assert.deepEqual(names(), ['torrent-0001', 'torrent-0002'], 'V from "all" goes to the last view: #music');
  await m.press('V');
  assert.deepEqual(names(), ['torrent-0002']);
  await m.press('v', 'v');
  assert.deepEqual(names(), ['torrent-0001', 'torrent-0002', 'torrent-0003', 'torrent-0004'], 'v after the last label view is "all" again');
  await m.press('v', 'v', 'v', 'v', 'v', 'v', 'v');
  assert.deepEqual(names(), ['torrent-0004']);
  assert.match(m.frame().split('\n')[0]!, /#Books 1/);
});

test("L opens a prompt with the torrent's labels; Enter sets them, empty clears them", async (t) => {
  const rows = [row(1), row(2, { labels: ['linux', 'iso'] })];
  const m = mount(rows, { width: 100 });
  t.after(() => m.app.unmount());
  await m.press('j', 'L');
  assert.match(m.frame(), /Labels \(comma-separated; empty clears\): linux, iso/);
  await m.press('\x15', 'music,  flac , music\r');
  assert.deepEqual(m.calls, [`labels ${rows[1]!.infoHash} ["music","flac"]`]);
  await m.press('L', '\x15', '\r');
  assert.deepEqual(m.calls.slice(1), [`labels ${rows[1]!.infoHash} []`]);
  await m.press('L', '\x1b');
  assert.equal(m.calls.length, 2, 'Esc changes nothing');
});

test("M opens a prompt with the torrent's directory; Tab completes; Enter moves", async (t) => {
  const rows = [row(1, { directory: '/downloads' })];
  const m = mount(rows, { width: 100 });
  t.after(() => m.app.unmount());
  await m.press('M');
  assert.match(m.frame(), /Move data to \(Tab completes\): \/downloads/);
  await m.press('/', 'n', '\t');
  assert.match(m.frame(), /Move data to \(Tab completes\): \/downloads\/ncompleted\//);
  await m.press('\r');
  assert.deepEqual(m.calls, [`move ${rows[0]!.infoHash} /downloads/ncompleted/`]);
});

test('R, T, D, U: seed goals and limits of a torrent, from what users type; a refused value says why and changes nothing', async (t) => {
  const rows = [
    row(1, { seedRatioMode: 'single', seedRatioLimit: 1.5, seedIdleMode: 'unlimited', downloadLimit: 1024 * 1024, uploadLimit: 0 }),
  ];
  const h = rows[0]!.infoHash;
  const m = mount(rows, { width: 100 });
  t.after(() => m.app.unmount());
  await m.press('R');
  assert.match(m.frame(), /Seed ratio goal \(2, 1\.5, global, unlimited\): 1\.5/);
  await m.press('\x15', '2\r', 'T');
  assert.match(m.frame(), /Seed idle goal \(90m, 2h, global, unlimited\): unlimited/);
  await m.press('\x15', '90m\r', 'T', '\x15', '2h\r', 'D');
  assert.match(m.frame(), /Download limit \(KiB\/s, 512K, 1M; 0 = none\): 1M/);
  await m.press('\x15', '512\r', 'U');
  assert.match(m.frame(), /Upload limit .*: 0/);
  await m.press('\x15', '1.5M\r', 'R', '\x15', 'global\r');
  assert.deepEqual(m.calls, [
    `goals ${h} {"seedRatioMode":"single","seedRatioLimit":2}`,
    `goals ${h} {"seedIdleMode":"single","seedIdleLimit":90}`,
    `goals ${h} {"seedIdleMode":"single","seedIdleLimit":120}`,
    `limits ${h} {"download":524288}`,
    `limits ${h} {"upload":1572864}`,
    `goals ${h} {"seedRatioMode":"global"}`,
  ]);
  const before = m.calls.length;
  await m.press('R', '\x15', 'lots\r');
  assert.match(m.frame(), /! seed ratio goal: 'lots' is not a ratio .*\nSeed ratio goal \(.*\): lots/, 'open, with the reason above it');
  await m.press('\x1b', 'T', '\x15', '10 parsecs\r', '\x1b', 'D', '\x15', '-5\r', '\x1b', 'U', '\x15', '0.5\r', '\x1b', 'R', '\x15', '0\r');
  assert.equal(m.calls.length, before, 'nothing refused reaches the service');
  assert.match(m.frame(), /Seed ratio goal \(/, 'still open after a refusal');
  await m.press('\x1b');
  assert.doesNotMatch(m.frame(), /Seed ratio goal \(/, 'Esc closes it');
  assert.deepEqual(m.store.logged, [
    "warn seed ratio goal: 'lots' is not a ratio (a number like 2 or 1.5, global, or unlimited); unchanged",
    "warn seed idle goal: '10 parsecs' is not a time (like 90m, 2h, 1h30m, 1d; a bare number is minutes; or global, unlimited); unchanged",
    "warn download limit: '-5' is not a rate (KiB/s like 512, or 512K, 1M, 1.5M; 0 or unlimited for none); unchanged",
    "warn upload limit: '0.5' is under 1 KiB/s (0 or unlimited for none); unchanged",
    "warn seed ratio goal: '0' would stop seeding at once (type unlimited for no goal); unchanged",
  ]);
});

test('the Info tab shows labels, seed goals (the global ones named as such) and limits', async (t) => {
  const rows = [
    row(1, {
      labels: ['linux', 'iso'],
      seedRatioMode: 'single',
      seedRatioLimit: 2,
      seedIdleMode: 'global',
      downloadLimit: 512 * 1024,
      uploadLimit: 0,
    }),
  ];
  const m = mount(rows, { width: 100, height: 30 });
  t.after(() => m.app.unmount());
  await m.press('\r');
  await settle(() => /Labels\s+linux/.test(m.frame()));
  assert.match(m.frame(), /Labels\s+linux, iso/);
  assert.match(m.frame(), /Seed goals\s+ratio 2, idle global \(none\)/);
  assert.match(m.frame(), /Limits\s+↓ 512 KiB\/s {2}↑ unlimited/);
  const tall = mount(rows, { width: 100, height: 80 });
  t.after(() => tall.app.unmount());
  await tall.press('?');
  for (const line of [
    /L\s+labels of the torrent/,
    /M\s+move the data/,
    /R\s+seed ratio goal/,
    /T\s+seed idle-time goal/,
    /D\s+download limit of the torrent/,
    /U\s+upload limit of the torrent/,
  ])
    assert.match(tall.frame(), line);
});

test('prompts edit like a shell line: arrows, Home/End, Ctrl-A/E/W/U/K, Backspace and Delete at the cursor, a paste, Ctrl-C cancels', async (t) => {
  const m = mount(many.slice(0, 1));
  t.after(() => m.app.unmount());
  const line = () =>
    m
      .frame()
      .split('\n')
      .find((l) => l.startsWith('Add ('))!;
  await m.press('a', 'ubuntu.torrent');
  assert.match(line(), /: ubuntu\.torrent\s*$/, 'a pasted chunk goes in whole');
  await m.press('\x1b[D', '\x1b[D', '\x1b[D', '\x1b[D', '\x1b[D', '\x1b[D', '\x1b[D', '\x1b[D', '-24');
  assert.match(line(), /: ubuntu-24\.torrent/, 'typed at the cursor after Left');
  await m.press('\x01', '~/', '\x05', 'x');
  assert.match(line(), /: ~\/ubuntu-24\.torrentx/, 'Ctrl-A, Ctrl-E');
  await m.press('\x7f', '\x1b[H', '\x1b[3~', '\x1b[3~');
  assert.match(line(), /: ubuntu-24\.torrent$/, 'Backspace before the cursor, Delete under it, Home');
  await m.press('\x1b[F', ' b', '\x17');
  assert.match(line(), /: ubuntu-24\.torrent\s*$/, 'End, Ctrl-W deletes the word before');
  await m.press(...Array<string>(9).fill('\x1b[D'), '\x0b');
  assert.match(line(), /: ubuntu-24\s*$/, 'Ctrl-K deletes to the end');
  await m.press('\x1b[D', '\x1b[D', '\x1b[D', '\x1b[C', '\x15');
  assert.match(line(), /: 24\s*$/, 'Right, then Ctrl-U deletes to the start');
  await m.press('\x15abc def\x17\x7fX');
  assert.match(line(), /: abcX24\s*$/, 'control keys read together with text in one chunk, each in turn');
  await m.press('\x03');
  assert.doesNotMatch(m.frame(), /Add \(/, 'Ctrl-C cancels');
  assert.equal(m.quits(), 0, 'and does not quit');
  assert.deepEqual(m.calls, []);
  await m.press('a', 'xy', '\x1b[D', '\r');
  assert.deepEqual(m.calls, ['add xy'], 'Enter takes the whole line wherever the cursor is');
});

test('a failed add keeps the prompt open with the reason; fixed, it closes', async (t) => {
  const m = mount(many.slice(0, 1));
  t.after(() => m.app.unmount());
  m.commands.add = async (text) => {
    m.calls.push(`add ${text}`);
    return text === '/tmp' ? { error: 'cannot add /tmp: is a directory, not a file' } : { hash: 'ab' };
  };
  await m.press('a', '/tmp', '\r');
  await settle(() => /! cannot add/.test(m.frame()));
  assert.match(m.frame(), /! cannot add \/tmp: is a directory, not a file\nAdd \(.*\): \/tmp/);
  await m.press('/x.torrent');
  assert.doesNotMatch(m.frame(), /! cannot add/, 'editing clears the reason');
  await m.press('\r');
  await settle(() => !/Add \(/.test(m.frame()));
  assert.doesNotMatch(m.frame(), /Add \(/);
  assert.deepEqual(m.calls, ['add /tmp', 'add /tmp/x.torrent']);
});

test('failures show in a message bar, not only in the log; a key dismisses it; background warnings stay in the log', async (t) => {
  const m = mount(many.slice(0, 2));
  t.after(() => m.app.unmount());
  m.store.push('warn', 'torrent-0000: tracker http://t/announce: timed out', Date.now() - 60_000);
  await m.settled();
  assert.doesNotMatch(m.frame(), /! /, 'a warning nobody asked for stays in the log');
  await m.press('j');
  m.store.push('warn', 'torrent-0001 has no metadata yet');
  await m.settled();
  assert.match(m.frame(), /! torrent-0001 has no metadata yet/, 'a warning answering a key');
  await m.press('k');
  assert.doesNotMatch(m.frame(), /! /);
  m.store.push('error', 'cannot move torrent-0000 to /full: disk full; it stays where it was');
  await m.settled();
  assert.match(m.frame(), /! cannot move torrent-0000 to \/full: disk full; it stays where it was\n.*↓/, 'just above the status bar');
  await m.press('j');
  assert.doesNotMatch(m.frame(), /! cannot move/);
});

test('settings limits in the units of the CLI: shown as rates, typed as KiB/s or 1M, a refused value says why', async (t) => {
  const m = mount(many.slice(0, 1), { width: 100, height: 30 });
  t.after(() => m.app.unmount());
  await m.press('S');
  assert.match(m.frame(), /Download limit \(KiB\/s; 0 = none\)\s+unlimited/);
  await m.press('j', 'j', '\r');
  assert.match(m.frame(), /Value: 0/);
  await m.press('\x15', '1M\r');
  assert.equal(m.settings.downloadLimit, 1024 * 1024);
  assert.match(m.frame(), /Download limit \(KiB\/s; 0 = none\)\s+1 MiB\/s/);
  await m.press('\r');
  assert.match(m.frame(), /Value: 1M/, 'opens in the form it is typed');
  await m.press('\x15', '512\r');
  assert.equal(m.settings.downloadLimit, 512 * 1024, 'a bare number is KiB/s, as --download-limit');
  await m.press('j', '\r', '\x15', 'fast\r');
  await settle(() => /! upload limit/.test(m.frame()));
  assert.match(m.frame(), /! upload limit: 'fast' is not a rate/);
  assert.equal(m.settings.uploadLimit, 0);
  await m.press('\x1b', 'k', 'k', '\r', '\x15', '99999\r');
  await settle(() => /! Listen port/.test(m.frame()));
  assert.match(m.frame(), /! Listen port \(next start\): '99999' is not a whole number from 0 to 65535/);
});

test('a magnet awaiting metadata: Size "?" in the list, and the detail says the other tabs come with the metadata', async (t) => {
  const magnet = row(7, { state: 'metadata', size: 0, magnet: 'magnet:?xt=urn:btih:07&dn=awaited', name: 'awaited' });
  const m = mount([magnet, row(8)], { width: 100 });
  t.after(() => m.app.unmount());
  await m.settled();
  assert.match(m.frame(), /awaited\s+metadata\s+\S+\s+\?\s/, 'not "0 B"');
  await m.press('\r', '3');
  await settle(() => /Magnet/.test(m.frame()));
  assert.match(m.frame(), /the other tabs once the metadata arrives/);
  assert.match(m.frame(), /Magnet\s+magnet:\?xt=urn:btih:07&dn=awaited/, 'Info, not an empty Files tab');
  await m.press('\x1b', 'j', '\r');
  await settle(() => /track1\.flac/.test(m.frame()));
  assert.match(m.frame(), /track1\.flac/, 'an ordinary torrent opens on the tab chosen');
});

test('the filter prompt takes state: and #label words, and the view counts follow the filter', async (t) => {
  const rows = [row(1, { labels: ['linux'] }), row(2, { labels: ['linux'] }), row(3, { labels: ['video'] })];
  const m = mount(rows, { width: 120 });
  t.after(() => m.app.unmount());
  await m.press('/', '#linux state:seeding');
  await settle(() => /all 0/.test(m.frame()) || /all 1/.test(m.frame()));
  // row(3) seeds (i % 3 === 0) but is labelled video; rows 1 and 2 download.
  assert.match(m.frame(), / all 0 /);
  await m.press('\x17');
  assert.match(m.frame(), / all 2 {2}downloading 2 {2}seeding 0 /, 'counts of the rows under the filter');
  assert.match(m.frame(), /torrent-0001/);
  assert.doesNotMatch(m.frame(), /torrent-0003/);
});

test('t marks torrents; Space, r, x, L then act on every marked one; Esc unmarks', async (t) => {
  const rows = [row(1), row(2), row(4), row(5)];
  const [a, , c] = rows.map((r) => r.infoHash);
  const m = mount(rows, { width: 100 });
  t.after(() => m.app.unmount());
  await m.press('t', 'j', 't');
  await settle(() => /2 marked/.test(m.frame()));
  assert.match(m.frame(), /^\* torrent-0001/m);
  assert.match(m.frame(), /^torrent-0002/m, 'skipped over, not marked');
  assert.match(m.frame(), /^\* torrent-0004/m);
  await m.press(' ', 'r');
  assert.deepEqual(m.calls, [`toggle ${a}`, `toggle ${c}`, `recheck ${a}`, `recheck ${c}`]);
  await m.press('L', '\x15', 'linux\r');
  assert.deepEqual(m.calls.slice(4), [`labels ${a} ["linux"]`, `labels ${c} ["linux"]`]);
  await m.press('x');
  assert.match(m.frame(), /Remove 2 marked torrents from the session \(their data stays\)\? \(y\/N\)/);
  await m.press('y');
  assert.deepEqual(m.calls.slice(6), [`remove ${a} false`, `remove ${c} false`]);
  assert.doesNotMatch(m.frame(), /marked/, 'marks cleared by the removal');
  await m.press('t', '\x1b');
  assert.doesNotMatch(m.frame(), /marked|^\* /m, 'Esc unmarks');
  const before = m.calls.length;
  await m.press(' ');
  assert.equal(m.calls.length, before + 1, 'unmarked: the selected one only');
});

test('c shows the magnet whole on its own screen and sends it to the clipboard with OSC 52', async (t) => {
  const m = mount([row(1)], { width: 80 });
  t.after(() => m.app.unmount());
  const magnet = `magnet:?xt=urn:btih:${row(1).infoHash}&dn=${'long-name-'.repeat(12)}&tr=http%3A%2F%2Ftracker.example%2Fannounce`;
  // In the test renderer a write to the terminal is a frame of its own: look through them all.
  const frames = () => m.app.stdout.frames.map(strip);
  await m.press('c');
  await settle(() => frames().some((f) => /Magnet \(copied/.test(f)));
  const screen = frames().findLast((f) => /Magnet \(copied/.test(f))!;
  assert.ok(screen.split('\n').slice(2).join('').includes(magnet), 'the whole link, over several lines');
  const osc = `\x1b]52;c;${Buffer.from(magnet).toString('base64')}\x07`;
  await settle(() => m.app.stdout.frames.some((f) => f.includes(osc)));
  assert.ok(
    m.app.stdout.frames.some((f) => f.includes(osc)),
    'OSC 52 with the link',
  );
});

test('the view and sort are saved in the settings and come back on the next start; unknown names fall back', async (t) => {
  const m = mount([row(1, { labels: ['linux'] }), row(2)], { width: 120 });
  t.after(() => m.app.unmount());
  await m.press('V', 'o', 'o', 'O');
  await settle(() => m.settings.listDescending === true);
  assert.deepEqual([m.settings.listView, m.settings.listSort, m.settings.listDescending], ['label:linux', 'state', true]);
  m.app.unmount();
  const again = mount([row(1, { labels: ['linux'] }), row(2)], {
    width: 120,
    settings: { listView: 'label:linux', listSort: 'state', listDescending: true },
  });
  t.after(() => again.app.unmount());
  await m.settled();
  assert.match(again.frame(), /#linux 1 .*sort state▼/);
  assert.doesNotMatch(again.frame(), /torrent-0002/, 'the #linux view');
  const { restoredList } = await import('../../source/ui/ui-state.js');
  assert.deepEqual(restoredList({ listView: 'nonsense', listSort: 'colour', listDescending: true }), {
    view: 'all',
    sort: 'added',
    descending: true,
  });
});

test('the demo says on its first screen what to try; the first key hides it and still acts', async (t) => {
  const m = mount([row(1)], { demo: true });
  t.after(() => m.app.unmount());
  await m.settled();
  assert.match(m.frame(), /try Enter \(detail\), 5 \(heatmap\), t \(mark\), \/ \(filter\), c \(magnet\), \? \(help\)\n/);
  await m.press('\r');
  await settle(() => /Info hash/.test(m.frame()));
  assert.doesNotMatch(m.frame(), /try Enter/, 'gone with the first key');
  await m.press('\x1b');
  assert.match(m.frame(), /^Name\s+State/m, 'which still did what it does: Enter opened, Esc goes back');
  const plain = mount([row(1)]);
  t.after(() => plain.app.unmount());
  await plain.settled();
  assert.doesNotMatch(plain.frame(), /try Enter/, 'not outside the demo');
});

test('the settings screen sets the default seed goals (for torrents on "global"); "global" itself is refused there', async (t) => {
  const m = mount([row(1)], { width: 100, height: 30 });
  t.after(() => m.app.unmount());
  await m.press('S');
  assert.match(m.frame(), /Seed ratio goal \(global default\)\s+unlimited\n.*Seed idle goal \(global default\)\s+unlimited/);
  await m.press('k', 'k', '\r');
  assert.match(m.frame(), /Seed ratio goal for every torrent on "global" .*: unlimited/);
  await m.press('\x15', '1.5\r', 'j', '\r', '\x15', 'global\r');
  await settle(() => /! seed idle goal: type a time or unlimited/.test(m.frame()));
  assert.match(m.frame(), /! seed idle goal: type a time or unlimited/);
  await m.press('\x15', '2h\r', 'k', '\r', '\x15', 'unlimited\r');
  assert.deepEqual(
    m.calls,
    ['global goals {"ratio":1.5}', 'global goals {"idleMinutes":120}', 'global goals {"ratio":null}'],
    'j wraps to the first row',
  );
});

test('in the Files tab, > and < change the priority of every file in the folder of the file under the cursor', async (t) => {
  const m = mount(many.slice(0, 1), { width: 100, height: 30 });
  t.after(() => m.app.unmount());
  await m.press('\r', '3');
  await settle(() => /track1\.flac/.test(m.frame()));
  await m.press('<');
  assert.deepEqual(m.calls, ['file 0 -1', 'file 1 -1'], 'album/cd1/: both tracks, not the cover');
  await m.press('j', 'j', '>');
  assert.deepEqual(m.calls.slice(2), ['file 0 1', 'file 1 1', 'file 2 1'], 'album/: everything under it');
  await m.press('\x1b', '<');
  assert.equal(m.calls.length, 5, 'only in the Files tab');
});

test("A switches turtle mode on the selected row's host; the status bar shows its limits and says so; the help lists the key", async (t) => {
  const m = mount(many.slice(0, 2), { height: 80, settings: { colours: 'none' } });
  t.after(() => m.app.unmount());
  m.commands.toggleAltSpeed = (key) => {
    m.calls.push(`turtle ${key}`);
    const on = !m.store.snapshot.global.altSpeedEnabled;
    m.store.setGlobal({ altSpeedEnabled: on, altDownloadLimit: 51_200, altUploadLimit: 0 });
  };
  await m.settled();
  const status = () => m.frame().split('\n').at(-1)!;
  assert.match(status(), /↑ 0 B\/s \[64 KiB\/s\]\s+conn/);
  assert.doesNotMatch(status(), /turtle/);
  await m.press('A');
  await settle(() => /turtle/.test(status()));
  assert.deepEqual(m.calls, [`turtle ${many[0]!.infoHash}`]);
  assert.match(status(), /↓ [^[]+\[50 KiB\/s\]\s+↑ 0 B\/s \[∞\]\s+turtle\s+conn/);
  await m.press('A');
  await settle(() => !/turtle/.test(status()));
  assert.match(status(), /\[64 KiB\/s\]/, 'the usual limits again');
  await m.press('?');
  assert.match(m.frame(), /A\s+turtle mode on \/ off/);
});

test('the settings screen edits the turtle limits and schedule in one line; a bad time is refused with the reason', async (t) => {
  const m = mount(many.slice(0, 1), { height: 40, settings: { colours: 'none' } });
  t.after(() => m.app.unmount());
  await m.press('S');
  assert.match(m.frame(), /Turtle download limit \(KiB\/s\)\s+50 KiB\/s/);
  assert.match(m.frame(), /Turtle schedule\s+off \(09:00-17:00 every day\)/);
  const lines = m.frame().split('\n');
  const steps = lines.findIndex((l) => l.includes('Turtle schedule')) - lines.findIndex((l) => l.includes('Download directory'));
  for (let i = 0; i < steps; i++) await m.press('j');
  await m.press('\r');
  assert.match(m.frame(), /Value: off/);
  await m.press('\x15', '22:00-25:00\r');
  assert.match(m.frame(), /'25:00' is not a time of day/);
  await m.press('\x15', '22:00-6:30 sat,sun\r');
  assert.match(m.frame(), /Turtle schedule\s+22:00-06:30 weekends/);
  assert.deepEqual(
    [m.settings.altSpeedScheduled, m.settings.altSpeedBegin, m.settings.altSpeedEnd, m.settings.altSpeedDays],
    [true, 1320, 390, 65],
  );
  await m.press('\r', '\x15', 'off\r');
  assert.match(m.frame(), /Turtle schedule\s+off \(22:00-06:30 weekends\)/, 'off keeps the window for next time');
});

test('a tall terminal splits: the list above, the detail of the selected row below; at 80x24 the detail takes the screen', async (t) => {
  const tall = mount(many.slice(0, 20), { width: 120, height: 45, settings: { colours: 'none' } });
  t.after(() => tall.app.unmount());
  await settle(() => tall.store.focused === many[0]!.infoHash && /Info hash\s+0{40}/.test(tall.frame()));
  const lines = () => tall.frame().split('\n');
  assert.match(lines()[1]!, /^Name\s+State/, 'the list header under the view bar');
  assert.ok(lines().filter((l) => l.startsWith('torrent-')).length >= 8, 'list rows');
  assert.match(tall.frame(), /Enter here, 1-5 switch/, 'keys go to the list until Enter');
  await tall.press('j');
  await settle(() => tall.store.focused === many[1]!.infoHash && /Info hash\s+0+1\b/.test(tall.frame()));
  assert.equal(tall.store.focused, many[1]!.infoHash, 'the detail follows the selection');
  await tall.press('3');
  await settle(() => /track1\.flac/.test(tall.frame()));
  assert.match(tall.frame(), /^Name\s+State/m, 'the list stays in view with the detail focused');
  assert.match(tall.frame(), /Tab\/1-5 switch, Esc back/);
  assert.match(lines()[0]!, /^btui\s+all 20/, 'the view bar stays');
  await tall.press('\x1b');
  await settle(() => /Enter here/.test(tall.frame()));

  const small = mount(many.slice(0, 20), { width: 80, height: 24, settings: { colours: 'none' } });
  t.after(() => small.app.unmount());
  await small.settled();
  assert.equal(small.store.focused, undefined, 'no detail fetched for the list alone');
  assert.doesNotMatch(small.frame(), /Info hash/);
  await small.press('\r');
  await settle(() => /Info hash/.test(small.frame()));
  assert.doesNotMatch(small.frame(), /^Name\s+State/m, 'full-screen detail');
  assert.match(small.frame(), /‹ detail/);
});

test('the speed graph: under Info where there is room, block bars newest on the right, readable without colour', async (t) => {
  const m = mount(many.slice(0, 5), { width: 100, height: 45, settings: { colours: 'none' } });
  t.after(() => m.app.unmount());
  await settle(() => /Info hash/.test(m.frame()));
  assert.match(m.frame(), /Speed: no traffic seen yet/);
  const down = Array.from({ length: 60 }, (_, i) => (i < 50 ? 0 : (i - 49) * 100_000));
  m.store.snapshot = { ...m.store.snapshot, speeds: { detail: { down, up: down.map(() => 0), intervalMs: 2000 } } };
  m.store.setGlobal({});
  await settle(() => /peak/.test(m.frame()));
  const lines = m.frame().split('\n');
  const title = lines.findIndex((l) => l.startsWith('↓ '));
  assert.match(lines[title]!, /^↓ 977 KiB\/s {2}peak 977 KiB\/s {2}\(last 2m00s\)/);
  assert.match(lines[title + 1]!, / {40}.*▁?▂?.*█$/, 'the newest sample, the peak, fills the top row at the right');
  assert.match(lines[title + 1]!, /^ +/, 'older idle samples blank');
  const upTitle = lines.findIndex((l) => l.startsWith('↑ 0 B/s  peak'));
  assert.ok(upTitle > title, 'upload under download');
  assert.equal(lines[upTitle + 1]!.trim(), '', 'no upload: no bars');
});

test('at 80x24 the settings screen scrolls: the last setting comes into view with the cursor, the title counts', async (t) => {
  const m = mount(many.slice(0, 1), { settings: { colours: 'none' } });
  t.after(() => m.app.unmount());
  await m.press('S');
  assert.match(m.frame(), /Download directory/);
  assert.doesNotMatch(m.frame(), /Seed idle goal/, 'more settings than lines at 80x24');
  assert.match(m.frame(), /Settings .* 1\/\d+/);
  await m.press('k');
  assert.match(m.frame(), /Seed idle goal \(global default\)/, 'up from the first wraps to the last, which is shown');
  assert.doesNotMatch(m.frame(), /Download directory/);
  const lines = m.frame().split('\n');
  assert.ok(lines.length <= 23, `the screen keeps its height: ${lines.length} lines`);
  await m.press('j');
  assert.match(m.frame(), /Download directory/);
});
