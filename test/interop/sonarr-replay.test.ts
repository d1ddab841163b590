/**
 * Sonarr's Transmission download client, replayed against the real `btui daemon` binary.
 *
 * The requests below follow what Sonarr's client (src/NzbDrone.Core/Download/Clients/Transmission/
 * in the Sonarr repository, read in December 2026) sends, in its order and with its shapes:
 *
 *  - a GET of /transmission/rpc first, expecting 409 and X-Transmission-Session-Id (it refuses
 *    anything else), then POSTs carrying that id, Host "localhost:PORT" (its default host);
 *  - "Test": session-get without arguments; the version is the first run of digits and dots not
 *    inside parentheses and must be >= 2.40 (>= 4.0 turns labels on); rpc-version read as a string;
 *    then torrent-get with its field list;
 *  - a grab: session-get for download-dir, torrent-add {metainfo (base64), paused: false,
 *    download-dir: <download-dir>/<category>, labels: [category]}, torrent-set with the indexer's
 *    seed ratio and seed time (ids: [the info-hash in upper case, as its torrent reader prints it];
 *    seedRatioLimit written as a C# double, 1.0), queue-move-top;
 *  - every poll: torrent-get with its 21 fields, no ids; each torrent mapped to a queue item by
 *    the rules its GetItems applies (labels or category folder; errorString; status; isFinished;
 *    eta; seed limits);
 *  - after import: torrent-get for the one hash, torrent-set {labels} (the post-import category);
 *  - removal: torrent-remove {ids: [hash in lower case], delete-local-data: false}.
 *
 * The torrent downloads from a real libtorrent seeder found through a real opentracker.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { CLI } from '../helpers/cli.js';
import { freePort, startOpentracker } from '../helpers/opentracker.js';
import { startLibtorrentPeer } from '../helpers/libtorrent-peer.js';
import { mktorrent, setAnnounce } from '../helpers/torrent-files.js';
import { needs, tempDir, until } from '../helpers/tools.js';

/** The fields Sonarr's GetTorrentStatus asks for, in its order. */
const SONARR_FIELDS = [
  'id',
  'hashString',
  'name',
  'downloadDir',
  'totalSize',
  'leftUntilDone',
  'isFinished',
  'eta',
  'status',
  'secondsDownloading',
  'secondsSeeding',
  'errorString',
  'uploadedEver',
  'downloadedEver',
  'seedRatioLimit',
  'seedRatioMode',
  'seedIdleLimit',
  'seedIdleMode',
  'fileCount',
  'file-count',
  'labels',
];
const CATEGORY = 'tv-sonarr';
const IMPORTED_CATEGORY = 'sonarr-imported';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(port: number, method: 'GET' | 'POST', headers: Record<string, string>, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: '/transmission/rpc',
        // Sonarr's default host is "localhost"; its HTTP client sends that as Host.
        headers: { Host: `localhost:${port}`, Accept: 'application/json', ...headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

type Json = Record<string, unknown>;

/** The transport as Sonarr's TransmissionProxy behaves: session id from a GET's 409, one retry on 409. */
class SonarrProxy {
  private sessionId?: string;
  readonly calls: string[] = [];

  constructor(private readonly port: number) {}

  private async authenticate(): Promise<void> {
    const reply = await request(this.port, 'GET', {});
    // Sonarr accepts only 409 here (301 and 403 are errors, anything else an authentication failure).
    assert.equal(reply.status, 409, `the GET for a session id: ${reply.status} ${reply.body}`);
    const id = reply.headers['x-transmission-session-id'];
    assert.equal(typeof id, 'string', 'X-Transmission-Session-Id on the 409');
    this.sessionId = id as string;
  }

  /** `rawArguments`: the arguments as JSON text, for numbers Sonarr writes as C# doubles (1.0). */
  async call(method: string, args?: Json, rawArguments?: string): Promise<Json> {
    if (!this.sessionId) await this.authenticate();
    const argumentsText = rawArguments ?? (args === undefined ? undefined : JSON.stringify(args));
    const body = `{"method":${JSON.stringify(method)}${argumentsText === undefined ? '' : `,"arguments":${argumentsText}`}}`;
    const post = () =>
      request(this.port, 'POST', { 'Content-Type': 'application/json', 'X-Transmission-Session-Id': this.sessionId! }, body);
    this.calls.push(method);
    let reply = await post();
    if (reply.status === 409) {
      await this.authenticate();
      reply = await post();
    }
    assert.notEqual(reply.status, 401);
    assert.equal(reply.status, 200, `${method}: ${reply.status} ${reply.body}`);
    const parsed = JSON.parse(reply.body) as { result: string; arguments: Json };
    assert.equal(parsed.result, 'success', `${method}: ${parsed.result}`);
    return parsed.arguments;
  }
}

/** Sonarr's version rule: the first run of digits and dots that is not inside parentheses. */
function sonarrVersion(raw: string): number[] {
  const match = /(?<!\(|[\d.]+)[\d.]+(?!\)|[\d.]+)/.exec(raw);
  assert.ok(match, `no version in ${JSON.stringify(raw)}`);
  return match[0].split('.').map(Number);
}

function atLeast(version: number[], major: number, minor: number): boolean {
  const [a = 0, b = 0] = version;
  return a > major || (a === major && b >= minor);
}

interface SonarrTorrent {
  id: number;
  hashString: string;
  name: string;
  downloadDir: string;
  totalSize: number;
  leftUntilDone: number;
  isFinished: boolean;
  eta: number;
  status: number;
  secondsDownloading: number;
  secondsSeeding: number;
  errorString: string;
  uploadedEver: number;
  downloadedEver: number;
  seedRatioLimit: number;
  seedRatioMode: number;
  seedIdleLimit: number;
  seedIdleMode: number;
  fileCount: number;
  'file-count': number;
  labels: string[];
}

const isInteger = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v);

/** What Sonarr's JSON deserialiser needs: each field present with the C# type it binds to. */
function assertSonarrTypes(t: Json): asserts t is Json & SonarrTorrent {
  assert.deepEqual(Object.keys(t).sort(), [...SONARR_FIELDS].sort(), 'every field Sonarr asks for, and no other');
  for (const f of ['id', 'status', 'seedRatioMode', 'seedIdleMode', 'fileCount', 'file-count'])
    assert.ok(isInteger(t[f]), `${f} is an int: ${String(t[f])}`);
  for (const f of [
    'totalSize',
    'leftUntilDone',
    'eta',
    'secondsDownloading',
    'secondsSeeding',
    'uploadedEver',
    'downloadedEver',
    'seedIdleLimit',
  ]) {
    assert.ok(isInteger(t[f]), `${f} is a long: ${String(t[f])}`);
  }
  assert.equal(typeof t.seedRatioLimit, 'number');
  for (const f of ['hashString', 'name', 'downloadDir', 'errorString']) assert.equal(typeof t[f], 'string', `${f} is a string`);
  assert.equal(typeof t.isFinished, 'boolean');
  assert.ok(Array.isArray(t.labels) && (t.labels as unknown[]).every((l) => typeof l === 'string'), 'labels: an array of strings');
  assert.match(t.hashString as string, /^[0-9a-f]{40}$/);
  assert.ok((t.status as number) >= 0 && (t.status as number) <= 6, `status ${String(t.status)}`);
  assert.ok((t.leftUntilDone as number) >= 0 && (t.leftUntilDone as number) <= (t.totalSize as number));
  assert.ok((t.eta as number) >= -2, `eta ${String(t.eta)}: a number of seconds, -1 (not available) or -2 (unknown)`);
}

/** Sonarr's queue item for a torrent (GetItems), or undefined when it would not count it as its own. */
function sonarrItem(t: SonarrTorrent, supportsLabels: boolean, category: string) {
  if (supportsLabels && t.labels.length > 0) {
    if (!t.labels.some((l) => l.toLowerCase() === category.toLowerCase())) return undefined;
  } else if (!t.downloadDir.split(/[\\/]/).includes(category)) return undefined;
  let status: 'warning' | 'queued' | 'completed' | 'downloading';
  if (t.errorString.trim() !== '') status = 'warning';
  else if (t.totalSize === 0) status = 'queued';
  else if (t.leftUntilDone === 0 && (t.status === 0 || t.status === 5 || t.status === 6)) status = 'completed';
  else if (t.isFinished && t.status !== 1 && t.status !== 2) status = 'completed';
  else if (t.status === 3) status = 'queued';
  else status = 'downloading';
  const seedRatio = t.downloadedEver <= 0 ? 0 : t.uploadedEver / t.downloadedEver;
  // HasReachedSeedLimit, for torrents whose limits are their own (mode 1), as Sonarr sets them.
  const stopped = t.status === 0;
  const reachedSeedLimit =
    (t.seedRatioMode === 1 && stopped && seedRatio >= t.seedRatioLimit) ||
    (t.seedIdleMode === 1 && (stopped || t.status === 6) && t.secondsSeeding > t.seedIdleLimit * 60);
  return {
    downloadId: t.hashString.toUpperCase(),
    title: t.name,
    outputPath: join(t.downloadDir, t.name.replace(/:/g, '_')),
    totalSize: t.totalSize,
    remainingSize: t.leftUntilDone,
    remainingSeconds: t.eta >= 0 ? t.eta : undefined,
    status,
    canBeRemoved: reachedSeedLimit,
    canMoveFiles: reachedSeedLimit && stopped,
  };
}

test(
  "Sonarr's Transmission client, call for call: test, grab into its category, seed limits, queue polling to completion, post-import label, removal keeping the data",
  { timeout: 180_000 },
  async (t) => {
    if (!needs(t, { commands: ['opentracker', 'mktorrent'], libtorrent: true })) return;
    const seedDir = tempDir(t);
    const name = 'Show.S01E02.1080p.mkv';
    const data = randomBytes(8 * 1024 * 1024 + 1234);
    writeFileSync(join(seedDir, name), data);
    const torrentPath = join(tempDir(t), 'episode.torrent');
    const infoHash = mktorrent(join(seedDir, name), torrentPath, { pieceLengthLog2: 18 });
    const tracker = await startOpentracker(t, [infoHash]);
    setAnnounce(torrentPath, [tracker.httpAnnounce]);
    // Slow enough (about 4 s) that some polls see it downloading.
    const seeder = await startLibtorrentPeer(t, {
      torrentPath,
      savePath: seedDir,
      mode: 'seed',
      listenHost: '127.0.0.2',
      uploadLimit: 2 * 1024 * 1024,
    });
    await seeder.waitForTrackerReply(15_000);

    const home = tempDir(t);
    const downloads = tempDir(t);
    const rpcPort = await freePort();
    const daemon = spawn(
      process.execPath,
      [CLI, 'daemon', '--port', '0', '--no-dht', '--rpc-port', String(rpcPort), '--download-dir', downloads],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, BTUI_HOME: home },
      },
    );
    t.after(() => daemon.kill('SIGKILL'));
    let log = '';
    daemon.stderr!.on('data', (b: Buffer) => (log += b.toString()));
    await until('the daemon serves its RPC', () => log.includes('RPC at'), 15_000);
    const sonarr = new SonarrProxy(rpcPort);

    // --- "Test" in Sonarr's download client settings: ValidateVersion, then TestGetTorrents.
    const config = await sonarr.call('session-get');
    assert.equal(typeof config.version, 'string');
    const version = sonarrVersion(config.version as string);
    assert.ok(atLeast(version, 2, 40), `Sonarr needs 2.40; it would read ${version.join('.')}`);
    const supportsLabels = atLeast(version, 4, 0);
    assert.ok(supportsLabels, 'Sonarr sends and reads labels from 4.0');
    assert.ok(isInteger(config['rpc-version']) && String(config['rpc-version']) === '17', 'rpc-version, read as a string: "17"');
    assert.equal(config['download-dir'], downloads);
    assert.equal(typeof config.seedRatioLimit, 'number');
    assert.equal(typeof config.seedRatioLimited, 'boolean');
    assert.ok(isInteger(config['idle-seeding-limit']));
    assert.equal(typeof config['idle-seeding-limit-enabled'], 'boolean');
    assert.deepEqual((await sonarr.call('torrent-get', { fields: SONARR_FIELDS })).torrents, []);

    // --- GetStatus: the output root folder Sonarr shows.
    const root = `${(await sonarr.call('session-get'))['download-dir'] as string}/${CATEGORY}`;

    // --- A grab: AddFromTorrentFile, then the seed configuration, then queue-move-top.
    const torrentBytes = readFileSync(torrentPath);
    const dir = `${((await sonarr.call('session-get'))['download-dir'] as string).replace(/\/+$/, '')}/${CATEGORY}`;
    assert.equal(dir, root);
    const added = await sonarr.call('torrent-add', {
      metainfo: torrentBytes.toString('base64'),
      paused: false,
      'download-dir': dir,
      labels: [CATEGORY],
    });
    assert.equal((added['torrent-added'] as Json | undefined)?.hashString, infoHash, 'torrent-added names the hash Sonarr computed');
    const upper = infoHash.toUpperCase();
    // Indexer seed ratio 1.0 and seed time 1440 minutes, written as Newtonsoft writes a double and an int.
    await sonarr.call(
      'torrent-set',
      undefined,
      `{"ids":[${JSON.stringify(upper)}],"seedRatioLimit":1.0,"seedRatioMode":1,"seedIdleLimit":1440,"seedIdleMode":1}`,
    );
    await sonarr.call('queue-move-top', { ids: [upper] });

    // --- The queue: poll as Sonarr's GetItems does until the item is completed.
    const seen = new Set<string>();
    let last: SonarrTorrent | undefined;
    let sawEstimate = false;
    const deadline = Date.now() + 90_000;
    for (;;) {
      const torrents = (await sonarr.call('torrent-get', { fields: SONARR_FIELDS })).torrents as Json[];
      assert.equal(torrents.length, 1);
      const torrent = torrents[0]!;
      assertSonarrTypes(torrent);
      last = torrent;
      assert.equal(torrent.hashString, infoHash);
      assert.equal(torrent.name, name);
      assert.equal(torrent.downloadDir, dir, 'downloadDir: the category folder');
      assert.deepEqual(torrent.labels, [CATEGORY]);
      assert.equal(torrent.errorString, '', 'no error: Sonarr would mark the item as a warning');
      assert.equal(torrent.totalSize, data.length);
      assert.equal(torrent.fileCount, 1);
      assert.equal(torrent['file-count'], 1);
      assert.equal(torrent.seedRatioLimit, 1);
      assert.equal(torrent.seedRatioMode, 1);
      assert.equal(torrent.seedIdleLimit, 1440);
      assert.equal(torrent.seedIdleMode, 1);
      const item = sonarrItem(torrent, supportsLabels, CATEGORY);
      assert.ok(item, 'Sonarr counts the torrent as its own (its label)');
      assert.equal(item.downloadId, upper);
      seen.add(item.status);
      if (torrent.eta >= 0) {
        // An estimate: only while downloading (no ratio goal is near), never more than one second per byte left.
        assert.equal(torrent.status, 4, `an eta of ${torrent.eta} s with status ${torrent.status}`);
        assert.ok(torrent.eta <= torrent.leftUntilDone);
        sawEstimate = true;
      }
      if (torrent.leftUntilDone > 0) {
        assert.ok([3, 4].includes(torrent.status), `incomplete: queued or downloading, not ${torrent.status}`);
        assert.equal(item.status, torrent.status === 3 ? 'queued' : 'downloading');
        assert.equal(torrent.isFinished, false);
        assert.equal(torrent.secondsSeeding, 0);
      }
      if (item.status === 'completed') {
        assert.equal(torrent.leftUntilDone, 0);
        assert.equal(torrent.status, 6, 'seeding once complete');
        assert.equal(torrent.isFinished, false, 'not finished: its seed goals (ratio 1.0, 1440 minutes idle) are not met');
        assert.ok(torrent.downloadedEver >= data.length, `downloadedEver ${torrent.downloadedEver}`);
        assert.ok(torrent.secondsSeeding < 60);
        assert.equal(item.canBeRemoved, false, 'Sonarr must not remove it before its seed goals');
        assert.ok(readFileSync(item.outputPath).equals(data), 'the output path Sonarr imports from holds the episode');
        break;
      }
      assert.ok(Date.now() < deadline, `not completed in time: ${JSON.stringify(torrent)}\n${seeder.log().slice(-500)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(seen.has('downloading'), `polls saw it downloading (saw ${[...seen].join(', ')})`);
    assert.ok(sawEstimate, 'while downloading from a seed, eta gave Sonarr a remaining time');

    // --- The indexer's ratio met (here: the goal lowered to 0, the same call): Transmission stops it and calls it finished.
    await sonarr.call('torrent-set', undefined, `{"ids":[${JSON.stringify(upper)}],"seedRatioLimit":0.0,"seedRatioMode":1}`);
    let finished: SonarrTorrent | undefined;
    for (let i = 0; i < 60; i++) {
      const [torrent] = (await sonarr.call('torrent-get', { fields: SONARR_FIELDS })).torrents as Json[];
      assertSonarrTypes(torrent!);
      if (torrent.status === 0) {
        finished = torrent;
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(finished, `stopped by its seed ratio within 15 s: ${JSON.stringify(last)}`);
    assert.equal(finished.isFinished, true, 'isFinished: its seed ratio was met');
    assert.equal(finished.eta, -1);
    const done = sonarrItem(finished, supportsLabels, CATEGORY)!;
    assert.equal(done.status, 'completed');
    assert.equal(done.canBeRemoved, true, 'ratio 0 >= 0 and stopped: Sonarr may remove it');
    assert.equal(done.canMoveFiles, true);

    // --- MarkItemAsImported: the post-import category replaces its own.
    const [one] = (await sonarr.call('torrent-get', { fields: SONARR_FIELDS, ids: [infoHash] })).torrents as SonarrTorrent[];
    assert.ok(one);
    const labels = new Set(one.labels);
    labels.add(IMPORTED_CATEGORY);
    labels.delete(CATEGORY);
    await sonarr.call('torrent-set', { ids: [infoHash], labels: [...labels] });
    const [relabelled] = (await sonarr.call('torrent-get', { fields: SONARR_FIELDS })).torrents as SonarrTorrent[];
    assert.deepEqual(relabelled!.labels, [IMPORTED_CATEGORY]);
    assert.equal(sonarrItem(relabelled!, supportsLabels, CATEGORY), undefined, "no longer in Sonarr's queue");

    // --- RemoveItem with deleteData false.
    await sonarr.call('torrent-remove', { ids: [infoHash], 'delete-local-data': false });
    assert.deepEqual((await sonarr.call('torrent-get', { fields: SONARR_FIELDS })).torrents, []);
    assert.ok(existsSync(join(dir, name)) && readFileSync(join(dir, name)).equals(data), 'the data stays for Sonarr to import');
    assert.deepEqual(sonarr.calls.slice(0, 7), [
      'session-get',
      'torrent-get',
      'session-get',
      'session-get',
      'torrent-add',
      'torrent-set',
      'queue-move-top',
    ]);

    daemon.kill('SIGTERM');
    await new Promise((r) => daemon.once('close', r));
    assert.doesNotMatch(log, /crashed|Error:/);
  },
);
