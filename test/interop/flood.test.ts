/**
 * Flood 4.11.0, the web UI seedbox users put in front of Transmission, in front of the real
 * `btui daemon`: its Transmission service polls btui's RPC (session-get, session-stats, torrent-get
 * with its 23 fields every 2 s) and drives it (torrent-add with metainfo, torrent-start/-stop,
 * torrent-remove). The tests go through Flood's own HTTP API, as its web page does, and check
 * btui's state through the RPC and session.json; a real headless Chromium loads Flood's page.
 * Flood lives outside the repository (see test/helpers/flood.ts): without it these tests skip.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBtuiDaemon, type BtuiDaemon } from '../helpers/btui-daemon.js';
import { renderPage } from '../helpers/chromium.js';
import { needsFlood, startFlood, type Flood } from '../helpers/flood.js';
import { mktorrent } from '../helpers/torrent-files.js';
import { needs, tempDir } from '../helpers/tools.js';

interface FloodTorrent {
  hash: string;
  name: string;
  directory: string;
  sizeBytes: number;
  bytesDone: number;
  percentComplete: number;
  status: string[];
  tags: string[];
  message: string;
  eta: number;
  trackerURIs: string[];
}

async function floodList(flood: Flood): Promise<Record<string, FloodTorrent>> {
  const reply = await flood.api('GET', '/api/torrents');
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  return (reply.body as { torrents: Record<string, FloodTorrent> }).torrents;
}

/** Polls Flood's torrent list until `check` passes (Flood polls btui every 2 s). */
async function floodShows(
  flood: Flood,
  what: string,
  check: (list: Record<string, FloodTorrent>) => boolean,
  timeoutMs = 20_000,
): Promise<Record<string, FloodTorrent>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = await floodList(flood);
    if (check(list)) return list;
    if (Date.now() > deadline) throw new Error(`Flood never showed ${what}: ${JSON.stringify(list)}\n${flood.log().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function btuiTorrent(
  daemon: BtuiDaemon,
  hash: string,
): Promise<{ name: string; status: number; downloadDir: string; labels: string[] } | undefined> {
  const { torrents } = (await daemon.rpc('torrent-get', { ids: [hash], fields: ['name', 'status', 'downloadDir', 'labels'] })) as {
    torrents: { name: string; status: number; downloadDir: string; labels: string[] }[];
  };
  return torrents[0];
}

/** A complete torrent in btui (data on disk, added over the RPC with a label), and a second .torrent whose data nobody has. */
async function setUp(t: TestContext, bin: string) {
  const home = tempDir(t);
  const downloads = tempDir(t);
  const listedName = 'Listed.Show.S01E01.720p.mkv';
  writeFileSync(join(downloads, listedName), randomBytes(1024 * 1024 + 77));
  const listedTorrent = join(tempDir(t), 'listed.torrent');
  const listedHash = mktorrent(join(downloads, listedName), listedTorrent, { pieceLengthLog2: 16 });
  const elsewhere = tempDir(t);
  const addedName = 'Added.By.Flood.S02E03.mkv';
  writeFileSync(join(elsewhere, addedName), randomBytes(512 * 1024 + 5));
  const addedTorrent = join(elsewhere, 'added.torrent');
  const addedHash = mktorrent(join(elsewhere, addedName), addedTorrent, { pieceLengthLog2: 16 });

  const daemon = await startBtuiDaemon(t, { home, downloads });
  await daemon.rpc('torrent-add', { metainfo: readFileSync(listedTorrent).toString('base64'), 'download-dir': downloads, labels: ['tv'] });
  const flood = await startFlood(t, bin, daemon.rpcUrl);
  return { home, downloads, daemon, flood, listedName, listedHash, addedName, addedHash, addedTorrent };
}

test(
  'Flood 4.11.0 over btui daemon: lists its torrents, adds one by file, starts, stops and deletes it; btui follows each step',
  { timeout: 120_000 },
  async (t) => {
    const bin = needsFlood(t);
    if (!bin || !needs(t, { commands: ['mktorrent'] })) return;
    const { downloads, daemon, flood, listedName, listedHash, addedName, addedHash, addedTorrent } = await setUp(t, bin);
    const LISTED = listedHash.toUpperCase();
    const ADDED = addedHash.toUpperCase();

    // Flood lists what btui has: the complete torrent, once btui has checked it, seeding.
    const list = await floodShows(
      flood,
      'the listed torrent seeding',
      (l) => l[LISTED]?.status.includes('seeding') === true && l[LISTED]!.percentComplete === 100,
    );
    const listed = list[LISTED]!;
    assert.equal(listed.name, listedName);
    assert.equal(listed.directory, downloads);
    assert.equal(listed.sizeBytes, 1024 * 1024 + 77);
    assert.equal(listed.bytesDone, listed.sizeBytes);
    assert.deepEqual(listed.tags, ['tv'], 'btui labels are Flood tags');
    assert.equal(listed.message, '');
    assert.ok(listed.status.includes('complete'), listed.status.join(','));
    assert.ok(!listed.status.includes('error'), listed.status.join(','));
    // Flood reads the trackers field and keeps registrable domains only (an IP gives none).
    assert.deepEqual(listed.trackerURIs, []);

    // Add by file, not started, into a folder of Flood's choosing.
    const destination = join(downloads, 'flood');
    const added = await flood.api('POST', '/api/torrents/add-files', {
      files: [readFileSync(addedTorrent).toString('base64')],
      destination,
      start: false,
    });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.deepEqual(
      (added.body as string[]).map((h) => h.toLowerCase()),
      [addedHash],
      'Flood got the hash from torrent-add',
    );
    let inBtui = await btuiTorrent(daemon, addedHash);
    assert.ok(inBtui, 'btui has it');
    assert.equal(inBtui.name, addedName);
    assert.equal(inBtui.downloadDir, destination);
    assert.equal(inBtui.status, 0, 'added paused (start: false)');
    assert.equal(daemon.savedTorrents().find((s) => s.infoHash === addedHash)?.paused, true, 'saved paused');
    await floodShows(flood, 'the added torrent, stopped', (l) => l[ADDED]?.status.includes('stopped') === true);

    // Start: nobody has its data, so btui looks for peers (downloading, or waiting in its queue).
    assert.equal((await flood.api('POST', '/api/torrents/start', { hashes: [ADDED] })).status, 200);
    inBtui = await btuiTorrent(daemon, addedHash);
    assert.ok(inBtui && [3, 4].includes(inBtui.status), `started in btui: status ${inBtui?.status}`);
    assert.equal(daemon.savedTorrents().find((s) => s.infoHash === addedHash)?.paused, false, 'saved running');
    await floodShows(flood, 'the added torrent downloading', (l) => l[ADDED]?.status.includes('downloading') === true);

    // Stop.
    assert.equal((await flood.api('POST', '/api/torrents/stop', { hashes: [ADDED] })).status, 200);
    assert.equal((await btuiTorrent(daemon, addedHash))?.status, 0, 'stopped in btui once Flood had its answer');
    assert.equal(daemon.savedTorrents().find((s) => s.infoHash === addedHash)?.paused, true);
    await floodShows(flood, 'the added torrent stopped again', (l) => l[ADDED]?.status.includes('stopped') === true);

    // Delete (keeping data, Flood's default).
    assert.equal((await flood.api('POST', '/api/torrents/delete', { hashes: [ADDED], deleteData: false })).status, 200);
    assert.equal(await btuiTorrent(daemon, addedHash), undefined, 'gone from btui');
    assert.equal(
      daemon.savedTorrents().some((s) => s.infoHash === addedHash),
      false,
      'and from session.json',
    );
    const after = await floodShows(flood, 'the added torrent gone', (l) => l[ADDED] === undefined);
    assert.ok(after[LISTED], 'the other torrent stays');
    assert.equal((await btuiTorrent(daemon, listedHash))?.status, 6, 'and keeps seeding');

    assert.doesNotMatch(daemon.log(), /crashed|Error:/);
    assert.doesNotMatch(flood.log(), /Error|ECONNREFUSED/);
  },
);

test("a real headless Chromium loads Flood's page over btui daemon and shows btui's torrent by name", { timeout: 120_000 }, async (t) => {
  const bin = needsFlood(t);
  if (!bin || !needs(t, { commands: ['mktorrent', 'chromium'] })) return;
  const { flood, listedName, listedHash } = await setUp(t, bin);
  await floodShows(flood, 'the listed torrent', (l) => l[listedHash.toUpperCase()] !== undefined);
  const page = await renderPage(flood.url, { waitForText: listedName, timeoutMs: 60_000 });
  assert.ok(page.dom.includes(listedName), 'the name is in the DOM Chromium rendered');
  assert.match(page.dom, /<title>[^<]*Flood<\/title>/);
});
