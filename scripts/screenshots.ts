// npm run screenshots: runs `btui --demo` in tmux, captures screens with their colours,
// turns them into HTML and has headless Chromium photograph them into screenshots/*.png.
// Needs tmux and chromium (Debian: apt-get install -y tmux chromium).
import './isolated-user-dirs.js';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ansiToHtml } from './ansi-html.js';
import { ensureBuilt, testHome, Tmux } from '../test/tui/tmux.js';
import { encodeTorrentFile } from '../source/engine/metainfo/encode-torrent-file.js';
import { metainfoFromFiles } from '../source/engine/storage/metainfo-from-files.js';
import { startBtuiDaemon } from '../test/helpers/btui-daemon.js';
import { startTransmissionDaemon } from '../test/helpers/transmission-daemon.js';
import { RpcClient } from '../source/remote/rpc-client.js';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'screenshots');
const chromium = ['chromium', 'chromium-browser', 'google-chrome'].find((c) => spawnSync('sh', ['-c', `command -v ${c}`]).status === 0);
if (!chromium) {
  console.error('screenshots: chromium not found (apt-get install -y chromium)');
  process.exit(1);
}
if (spawnSync('sh', ['-c', 'command -v tmux']).status !== 0) {
  console.error('screenshots: tmux not found (apt-get install -y tmux)');
  process.exit(1);
}

const CHAR_WIDTH = 8.43;
const LINE_HEIGHT = 17;

function photograph(name: string, ansi: string, columns: number, rows: number, work: string, dir = out): void {
  const html = join(work, `${name}.html`);
  writeFileSync(html, ansiToHtml(ansi.replace(/\n$/, ''), name));
  const width = Math.ceil(columns * CHAR_WIDTH) + 24;
  const height = rows * LINE_HEIGHT + 24;
  const profile = mkdtempSync(join(work, 'profile-'));
  const png = join(dir, `${name}.png`);
  const result = spawnSync(
    chromium!,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--hide-scrollbars',
      `--user-data-dir=${profile}`,
      `--window-size=${width},${height}`,
      `--screenshot=${png}`,
      `file://${html}`,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (result.status !== 0) throw new Error(`chromium failed for ${name}: ${result.stderr}`);
  console.log(png.slice(root.length));
}

/** Seeding torrents of random data in `dir`, as base64 metainfo for torrent-add. */
function seeds(dir: string, names: string[]): string[] {
  return names.map((name, i) => {
    const data = randomBytes((i + 1) * 700_000);
    writeFileSync(join(dir, name), data);
    const { meta } = metainfoFromFiles({ name, pieceLength: 64 * 1024, files: [{ path: [name], data }], single: true });
    return Buffer.from(encodeTorrentFile(meta)).toString('base64');
  });
}

/** hosts.png: `btui --hosts` over a transmission-daemon and a btui daemon, side by side in one list. */
async function hostsShot(work: string): Promise<void> {
  if (spawnSync('sh', ['-c', 'command -v transmission-daemon']).status !== 0) {
    console.log('screenshots: transmission-daemon not found, hosts.png skipped');
    return;
  }
  const cleanups: (() => unknown)[] = [];
  const hook = { after: (fn: () => unknown) => void cleanups.push(fn) };
  const tmux = new Tmux();
  try {
    const trDir = mkdtempSync(join(work, 'tr-'));
    const btDir = mkdtempSync(join(work, 'bt-'));
    const tr = await startTransmissionDaemon(hook, { downloads: trDir });
    const bt = await startBtuiDaemon(hook, { home: mkdtempSync(join(work, 'bt-home-')), downloads: btDir });
    const trRpc = new RpcClient({ url: tr.rpcUrl });
    cleanups.push(() => trRpc.close());
    for (const metainfo of seeds(trDir, ['debian-12.8.0-amd64-netinst.iso', 'field-recordings-2025.flac.tar', 'lecture-notes.pdf']))
      await trRpc.call('torrent-add', { metainfo });
    for (const metainfo of seeds(btDir, ['archlinux-2026.12.01-x86_64.iso', 'openstreetmap-extract.pbf']))
      await bt.rpc('torrent-add', { metainfo });
    const [columns, rows] = [120, 16];
    const home = testHome(join(work, 'hosts'), {
      hosts: [
        { name: 'seedbox', url: tr.rpcUrl },
        { name: 'nas', url: bt.rpcUrl },
      ],
    });
    tmux.start(`${home} ${process.execPath} ${join(root, 'distribution', 'cli.js')} --hosts; sleep 30`, columns, rows);
    await tmux.waitFor((s) => (s.match(/seeding/g) ?? []).length >= 5 && /seedbox 3 .*nas 2 /.test(s), 'both hosts seeding', 60_000);
    await sleep(1000);
    photograph('hosts', tmux.capture(true), columns, rows, work);
  } finally {
    tmux.kill();
    for (const fn of cleanups.reverse()) await fn();
  }
}

/**
 * docs/tables/<stage>-<pane>-<size>.png: the table panes (Trackers, Files, Settings) at 80x24 and 160x45,
 * for comparing one rendering of them with another (BTUI_SHOTS=tables BTUI_SHOTS_STAGE=before|after).
 */
async function tableShots(work: string, stage: string): Promise<void> {
  const dir = join(root, 'docs', 'tables');
  mkdirSync(dir, { recursive: true });
  for (const [columns, rows] of [
    [80, 24],
    [160, 45],
  ] as const) {
    const tmux = new Tmux();
    const shot = (pane: string) => photograph(`${stage}-${pane}-${columns}x${rows}`, tmux.capture(true), columns, rows, work, dir);
    try {
      tmux.start(
        `${testHome(join(work, `tables-${columns}`))} BTUI_DEMO_RATE=700000 ${process.execPath} ${join(root, 'distribution', 'cli.js')} --demo; sleep 30`,
        columns,
        rows,
      );
      await tmux.waitFor((s) => /btui-demo-linux\S*\s+downloading/.test(s), `the demo torrents (${columns}x${rows})`, 60_000);
      tmux.keys('Enter', '4', 's');
      await tmux.waitFor((s) => /scraped \d+s ago|ago │\s+\S+ ago │/.test(s), 'Trackers after a scrape');
      await sleep(500);
      shot('trackers');
      tmux.keys('Escape', 'j');
      await sleep(300);
      tmux.keys('Enter', '3', 'j', 'j', '+');
      await tmux.waitFor((s) => /high\s/.test(s), 'Files');
      await sleep(500);
      shot('files');
      tmux.keys('Escape', 'S');
      await tmux.waitFor((s) => s.includes('Download directory'), 'Settings');
      shot('settings');
      tmux.keys('Escape');
      tmux.type('qq');
      await sleep(1000);
    } finally {
      tmux.kill();
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A tall terminal: the list above, the detail below with its speed graph; then turtle mode on. */
async function splitShot(work: string): Promise<void> {
  const tmux = new Tmux();
  const [columns, rows] = [120, 45];
  try {
    tmux.start(
      `${testHome(join(work, 'split'))} BTUI_DEMO_RATE=700000 ${process.execPath} ${join(root, 'distribution', 'cli.js')} --demo; sleep 30`,
      columns,
      rows,
    );
    await tmux.waitFor((s) => /btui-demo-linux\.iso\s+downloading/.test(s) && /Info hash/.test(s), 'the split layout', 90_000);
    // Samples every 2 s: let the graph fill a little.
    await sleep(20_000);
    tmux.keys('A');
    await tmux.waitFor((s) => /turtle\s+conn/.test(s), 'turtle mode in the status bar');
    await sleep(1000);
    photograph('split', tmux.capture(true), columns, rows, work);
    tmux.type('qq');
    await sleep(2000);
  } finally {
    tmux.kill();
  }
}

async function main(): Promise<void> {
  ensureBuilt();
  mkdirSync(out, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'btui-shots-'));
  if (process.env.BTUI_SHOTS === 'tables') {
    try {
      await tableShots(work, process.env.BTUI_SHOTS_STAGE ?? 'after');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    return;
  }
  // BTUI_SHOTS=hosts (or split): only the two-hosts (or the split layout's) screenshot.
  if (process.env.BTUI_SHOTS === 'hosts' || process.env.BTUI_SHOTS === 'split') {
    try {
      await (process.env.BTUI_SHOTS === 'hosts' ? hostsShot(work) : splitShot(work));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    return;
  }
  const tmux = new Tmux();
  try {
    const [columns, rows] = [120, 34];
    tmux.start(
      `${testHome(work)} BTUI_DEMO_RATE=700000 ${process.execPath} ${join(root, 'distribution', 'cli.js')} --demo; sleep 30`,
      columns,
      rows,
    );
    const shot = (name: string) => photograph(name, tmux.capture(true), columns, rows, work);
    await tmux.waitFor((s) => /btui-demo-linux\.iso\s+downloading/.test(s) && s.includes('Rare Dataset.tar'), 'the demo torrents', 60_000);
    await sleep(7000);
    shot('list');
    tmux.keys('Enter');
    await tmux.waitFor((s) => /Info hash/.test(s), 'Info');
    shot('detail-info');
    tmux.keys('2');
    await tmux.waitFor((s) => /127\.0\.0\.1:\d+\s+btui/.test(s), 'Peers');
    shot('detail-peers');
    tmux.keys('5');
    await tmux.waitFor((s) => s.includes('missing, peers with it'), 'Pieces');
    shot('detail-pieces');
    tmux.keys('4', 's');
    await tmux.waitFor((s) => /ago │\s+\S+ ago │/.test(s), 'Trackers');
    shot('detail-trackers');
    tmux.keys('Escape', 'j');
    await sleep(300);
    tmux.keys('Enter', '3', 'j', 'j', '+');
    await tmux.waitFor((s) => /high\s/.test(s), 'Files');
    shot('detail-files');
    // By name: the demo's magnet joins the list when its metadata arrives, so positions vary.
    tmux.keys('Escape', '/');
    tmux.type('Rare');
    tmux.keys('Enter', 'Enter', '5');
    await tmux.waitFor((s) => /Rare Dataset\.tar/.test(s) && s.includes('missing, peers with it'), 'the rare torrent heatmap');
    await sleep(500);
    shot('detail-pieces-rare');
    tmux.keys('Escape', 'Escape', '?');
    await tmux.waitFor((s) => /Keys/.test(s), 'help');
    shot('help');
    tmux.keys('Escape', 'l');
    await sleep(400);
    shot('log');
    // One chunk, q twice: the second answers the quit question (asked while torrents run).
    tmux.type('qq');
    await sleep(2000);
    tmux.kill();

    // The heatmap must also read at 80x24.
    const small = new Tmux();
    try {
      small.start(
        `${testHome(join(work, 'small'))} BTUI_DEMO_RATE=700000 ${process.execPath} ${join(root, 'distribution', 'cli.js')} --demo; sleep 30`,
        80,
        24,
      );
      await small.waitFor((s) => /btui-demo-linux\S*\s+downloading/.test(s), 'the demo torrents (80x24)');
      await sleep(4000);
      photograph('list-80x24', small.capture(true), 80, 24, work);
      small.keys('Enter', '5');
      await small.waitFor((s) => s.includes('missing, peers'), 'Pieces at 80x24');
      photograph('detail-pieces-80x24', small.capture(true), 80, 24, work);
      // One chunk, q twice: the second answers the quit question (asked while torrents run).
      small.type('qq');
      await sleep(2000);
    } finally {
      small.kill();
    }
    await splitShot(work);
    await hostsShot(work);
  } finally {
    tmux.kill();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
