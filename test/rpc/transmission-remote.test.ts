// The real transmission-remote (Debian's transmission-cli) against btui's RPC over the fake
// backend, and btui's answers compared, type by type, with a real transmission-daemon's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { needs, tempDir, until } from '../helpers/tools.js';
import { rpc, send, startServer } from './http-client.js';
import { hashOf } from './fake-backend.js';

const run = promisify(execFile);

async function remote(port: number, ...args: string[]): Promise<string> {
  const { stdout, stderr } = await run('transmission-remote', [`127.0.0.1:${port}`, ...args], { timeout: 15_000 });
  assert.doesNotMatch(stdout + stderr, /Unexpected response|Error|error:/i, `${args.join(' ')}: ${stdout}${stderr}`);
  return stdout;
}

function makeTorrentFile(dir: string): { file: string; data: string } {
  const data = join(dir, 'payload');
  mkdirSync(data);
  writeFileSync(join(data, 'a.bin'), Buffer.alloc(100_000, 7));
  writeFileSync(join(data, 'b.txt'), 'hello\n');
  const file = join(dir, 'payload.torrent');
  return { file, data };
}

async function create(dir: string): Promise<string> {
  const { file, data } = makeTorrentFile(dir);
  await run('transmission-create', ['-o', file, '-t', 'http://127.0.0.1:1/announce', '-c', 'a comment', data], { timeout: 15_000 });
  return file;
}

test('transmission-remote drives btui: list, info, stop, start, verify, add, move, remove', async (t) => {
  if (!needs(t, { commands: ['transmission-remote', 'transmission-create'] })) return;
  const dir = tempDir(t, 'btui-rpc-');
  const { server, port, backend } = await startServer();
  t.after(() => server.close());

  const list = await remote(port, '-l');
  const lines = list.trim().split('\n');
  assert.match(lines[0]!, /^\s*ID\s+Done\s+Have\s+ETA\s+Up\s+Down\s+Ratio\s+Status\s+Name/);
  assert.equal(lines.length, 5, 'header, three torrents, sum');
  assert.match(lines[1]!, /^\s*1\s+100%.*Seeding\s+Torrent 1$/);
  assert.match(lines[2]!, /^\s*2\s+\d+%.*Stopped\s+Torrent 2$/);
  assert.match(lines[4]!, /^Sum:/);

  const info = await remote(port, '-t', '1', '-i');
  assert.match(info, /Name: Torrent 1/);
  assert.match(info, new RegExp(`Hash: ${hashOf(1)}`));
  assert.match(info, /Location: \/downloads/);
  assert.match(info, /Percent Done: 100%/);
  assert.match(info, /Comment: a comment/);
  assert.match(info, /Magnet: magnet:\?xt=urn:btih:/);
  assert.match(info, /Labels: /);

  await remote(port, '-t', '1', '-S');
  assert.deepEqual(backend.callsOf('stopTorrents'), [[[hashOf(1)]]]);
  await remote(port, '-t', '1', '-s');
  assert.deepEqual(backend.callsOf('startTorrents'), [[[hashOf(1)], false]]);
  await remote(port, '-t', '1', '-v');
  assert.deepEqual(backend.callsOf('verifyTorrents'), [[[hashOf(1)]]]);

  const files = await remote(port, '-t', '1', '-f');
  assert.match(files, /Torrent 1 \(2 files\)/);
  assert.match(files, /Torrent 1\/a\.mkv/);
  assert.match(files, /High\s+Yes/);
  assert.match(files, /Normal\s+No/);
  const trackers = await remote(port, '-t', '1', '-it');
  assert.match(trackers, /Tracker 0: http:\/\/tracker\.example\.org:6969\n\s+Active in tier 0/);
  assert.match(trackers, /Tracker 1: udp:\/\/backup\.example\.net:1337/);
  const peers = await remote(port, '-t', '1', '-ip');
  assert.match(peers, /10\.0\.0\.2/);
  const session = await remote(port, '-si');
  assert.match(session, /RPC version: 17/);
  assert.match(session, /Daemon version: 4\.0\.6 \(btui 0\.1\.0\)/);
  const stats = await remote(port, '-st');
  assert.match(stats, /CURRENT SESSION/);

  const torrentFile = await create(dir);
  const added = await remote(port, '-a', torrentFile);
  assert.match(added, /success/);
  const [request] = backend.callsOf('addTorrent')[0] as [{ source: { kind: string; bytes: Uint8Array } }];
  assert.equal(request.source.kind, 'metainfo');
  assert.deepEqual(Buffer.from(request.source.bytes), readFileSync(torrentFile));
  assert.equal(backend.torrents.length, 4);

  await remote(port, '-t', '1', '--move', '/srv/moved');
  assert.deepEqual(backend.callsOf('setLocation'), [[[hashOf(1)], '/srv/moved', true]]);
  await remote(port, '-t', '1', '-r');
  assert.deepEqual(backend.callsOf('removeTorrents'), [[[hashOf(1)], false]]);
  assert.equal(
    backend.torrents.some((x) => x.id === 1),
    false,
  );
});

test('transmission-remote with --auth: right credentials list, wrong ones are refused', async (t) => {
  if (!needs(t, { commands: ['transmission-remote'] })) return;
  const { server, port } = await startServer({ auth: { username: 'sonarr', password: 'pa ss:word' } });
  t.after(() => server.close());
  const ok = await run('transmission-remote', [`127.0.0.1:${port}`, '-n', 'sonarr:pa ss:word', '-l'], { timeout: 15_000 });
  assert.match(ok.stdout, /Torrent 3/);
  const bad = await run('transmission-remote', [`127.0.0.1:${port}`, '-n', 'sonarr:wrong', '-l'], { timeout: 15_000 }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
  );
  assert.notEqual(bad.code, 0);
  assert.match(bad.out, /401|Unauthorized/);
  assert.doesNotMatch(bad.out, /Torrent 3/);
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

test("answers match a real transmission-daemon's types and HTTP details", { timeout: 60_000 }, async (t) => {
  if (!needs(t, { commands: ['transmission-daemon', 'transmission-create'] })) return;
  const dir = tempDir(t, 'btui-rpc-daemon-');
  const torrentFile = await create(dir);
  const [rpcPort, peerPort] = [await freePort(), await freePort()];
  const conf = join(dir, 'conf');
  mkdirSync(conf);
  const daemon = spawn(
    'transmission-daemon',
    [
      '-f',
      '-g',
      conf,
      '-p',
      String(rpcPort),
      '-r',
      '127.0.0.1',
      '-w',
      dir,
      '-P',
      String(peerPort),
      '-O',
      '--no-dht',
      '--no-lpd',
      '--no-auth',
      '--no-portmap',
    ],
    { stdio: 'ignore' },
  );
  t.after(() => {
    if (daemon.pid !== undefined && daemon.exitCode === null) process.kill(daemon.pid, 'SIGTERM');
  });
  let up = false;
  const poll = setInterval(() => {
    send(rpcPort, { method: 'GET' }).then(
      (r) => (up = r.status === 409),
      () => {},
    );
  }, 100);
  try {
    await until('transmission-daemon to answer', () => up, 20_000);
  } finally {
    clearInterval(poll);
  }
  const { server, port } = await startServer();
  t.after(() => server.close());

  // 409 and 421: same statuses and headers.
  for (const p of [rpcPort, port]) {
    const conflict = await send(p, { body: '{"method":"session-get"}' });
    assert.equal(conflict.status, 409);
    assert.match(conflict.headers['x-transmission-session-id'] as string, /^[A-Za-z0-9]{48}$/);
    assert.match(conflict.text, /^<h1>409: Conflict<\/h1>/);
    const misdirected = await send(p, { method: 'GET', headers: { Host: 'rebind.example.com' } });
    assert.equal(misdirected.status, 421);
    assert.match(misdirected.text, /^<h1>421: Misdirected Request<\/h1>/);
  }

  // session-get: every key the daemon has that btui also has carries the same JSON type.
  const theirs = (await rpc(rpcPort, { method: 'session-get' })).arguments;
  const ours = (await rpc(port, { method: 'session-get' })).arguments;
  const shared = Object.keys(theirs).filter((k) => k in ours);
  assert.ok(shared.length >= 45, `only ${shared.length} shared session keys`);
  for (const k of shared) assert.equal(typeOf(ours[k]), typeOf(theirs[k]), `session-get ${k}`);
  const missing = Object.keys(theirs).filter((k) => !(k in ours));
  assert.deepEqual(missing, [], 'session-get keys transmission-daemon 3.00 has and btui lacks');
  assert.deepEqual(Object.keys(ours['units'] as object).sort(), Object.keys(theirs['units'] as object).sort());

  // torrent-get: the fields transmission-remote -i, -l, -f, Sonarr and Flood read, same types.
  const metainfo = readFileSync(torrentFile).toString('base64');
  const add = await rpc(rpcPort, { method: 'torrent-add', arguments: { metainfo } });
  assert.equal(add.result, 'success');
  const fields = [
    'activityDate',
    'addedDate',
    'bandwidthPriority',
    'comment',
    'corruptEver',
    'creator',
    'dateCreated',
    'desiredAvailable',
    'doneDate',
    'downloadDir',
    'downloadedEver',
    'downloadLimit',
    'downloadLimited',
    'editDate',
    'error',
    'errorString',
    'eta',
    'etaIdle',
    'file-count',
    'files',
    'fileStats',
    'hashString',
    'haveUnchecked',
    'haveValid',
    'honorsSessionLimits',
    'id',
    'isFinished',
    'isPrivate',
    'isStalled',
    'labels',
    'leftUntilDone',
    'magnetLink',
    'manualAnnounceTime',
    'maxConnectedPeers',
    'metadataPercentComplete',
    'name',
    'peer-limit',
    'peers',
    'peersConnected',
    'peersFrom',
    'peersGettingFromUs',
    'peersSendingToUs',
    'percentDone',
    'pieces',
    'pieceCount',
    'pieceSize',
    'priorities',
    'primary-mime-type',
    'queuePosition',
    'rateDownload',
    'rateUpload',
    'recheckProgress',
    'secondsDownloading',
    'secondsSeeding',
    'seedIdleLimit',
    'seedIdleMode',
    'seedRatioLimit',
    'seedRatioMode',
    'sizeWhenDone',
    'startDate',
    'status',
    'totalSize',
    'trackers',
    'trackerStats',
    'uploadedEver',
    'uploadLimit',
    'uploadLimited',
    'uploadRatio',
    'wanted',
    'webseeds',
    'webseedsSendingToUs',
  ];
  const [real] = (await rpc(rpcPort, { method: 'torrent-get', arguments: { ids: [1], fields } })).arguments['torrents'] as Record<
    string,
    unknown
  >[];
  const [mine] = (await rpc(port, { method: 'torrent-get', arguments: { ids: [1], fields } })).arguments['torrents'] as Record<
    string,
    unknown
  >[];
  // Fields 3.00 does not have (it answers them with junk or not at all): 4.0's primary-mime-type.
  const newer = new Set(['primary-mime-type']);
  const differ = fields.filter((f) => f in real! && !newer.has(f) && typeOf(mine![f]) !== typeOf(real![f]));
  assert.deepEqual(
    differ.map((f) => `${f}: ${typeOf(mine![f])} vs ${typeOf(real![f])}`),
    [],
  );
  const nested = (k: string) => [Object.keys((real![k] as object[])[0]!).sort(), Object.keys((mine![k] as object[])[0]!).sort()] as const;
  for (const k of ['files', 'fileStats']) {
    const [a, b] = nested(k);
    assert.deepEqual(b, a, `${k} keys`);
  }
  const [trackerKeys3, trackerKeysOurs] = nested('trackerStats');
  assert.deepEqual(
    trackerKeys3.filter((k) => !trackerKeysOurs.includes(k)),
    [],
    'trackerStats keys',
  );
  assert.deepEqual(real!['wanted'], [1, 1], '0/1 in 3.00 too');
  assert.equal(typeOf((real!['priorities'] as unknown[])[0]), typeOf((mine!['priorities'] as unknown[])[0]));
});
