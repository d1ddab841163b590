import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { dict, encode } from '../../source/engine/codec/bencode.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tools.js';

const HASH_A = '0123456789abcdef0123456789abcdef01234567';
const HASH_B = 'ee'.repeat(20);
// HASH_A in base32, as magnet links sometimes carry it.
const HASH_A_BASE32 = 'AERUKZ4JVPG66AJDIVTYTK6N54ASGRLH';

/** An HTTP tracker that knows HASH_A only; records the scrape queries it got. */
async function fakeHttpTracker(t: TestContext): Promise<{ announce: string; queries: string[] }> {
  const queries: string[] = [];
  const server = http.createServer((req, res) => {
    queries.push(req.url!);
    const files = new Map([[Buffer.from(HASH_A, 'hex').toString('latin1'), dict({ complete: 12, incomplete: 3, downloaded: 456 })]]);
    res.end(encode(new Map([['files', files]])));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  return { announce: `http://127.0.0.1:${(server.address() as AddressInfo).port}/announce`, queries };
}

function oneErrorLine(stderr: string, pattern: RegExp): void {
  assert.equal(stderr.split('\n').filter(Boolean).length, 1, stderr);
  assert.match(stderr, pattern);
  assert.doesNotMatch(stderr, /\s+at /);
}

test('human table: aligned columns, unreported hashes said so; base32 input accepted', async (t) => {
  const tracker = await fakeHttpTracker(t);
  const result = await runCli(['scrape', '-t', tracker.announce, '-i', `${HASH_A_BASE32},${HASH_B}`]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(
    result.stdout,
    [
      'info-hash                                 seeders  leechers  completed',
      `${HASH_A}       12         3        456`,
      `${HASH_B}  not reported by the tracker`,
      '',
    ].join('\n'),
  );
  assert.equal(tracker.queries.length, 1);
  assert.match(tracker.queries[0]!, /^\/scrape\?info_hash=%01%23Eg/);
});

test('--json gives one object per hash, null where the tracker said nothing; -i may repeat', async (t) => {
  const tracker = await fakeHttpTracker(t);
  const result = await runCli(['scrape', '-t', tracker.announce, '-i', HASH_B, '-i', HASH_A.toUpperCase(), '--json']);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), [
    { infoHash: HASH_B, seeders: null, leechers: null, completed: null },
    { infoHash: HASH_A, seeders: 12, leechers: 3, completed: 456 },
  ]);
});

test('a .torrent in place of -i: its hash, and its tracker when -t is absent', async (t) => {
  const tracker = await fakeHttpTracker(t);
  const dir = tempDir(t);
  const info = dict({ length: 5, name: Buffer.from('a.txt'), 'piece length': 16384, pieces: Buffer.alloc(20) });
  const torrentPath = join(dir, 'a.torrent');
  writeFileSync(torrentPath, encode(dict({ announce: Buffer.from(tracker.announce), info })));
  const result = await runCli(['scrape', '-i', torrentPath, '--json']);
  assert.equal(result.code, 0, result.stderr);
  const [row] = JSON.parse(result.stdout) as { infoHash: string }[];
  const { createHash } = await import('node:crypto');
  assert.equal(row!.infoHash, createHash('sha1').update(encode(info)).digest('hex'));
  assert.equal(tracker.queries.length, 1);
});

test('UDP tracker that never answers: one line after 3 tries, within --timeout', async (t) => {
  const silent = dgram.createSocket('udp4');
  let packets = 0;
  silent.on('message', () => packets++);
  await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
  t.after(() => silent.close());
  const url = `udp://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  const started = Date.now();
  const result = await runCli(['scrape', '-t', url, '-i', HASH_A, '--timeout', '0.7']);
  const elapsed = Date.now() - started;
  assert.equal(result.code, 1);
  assert.equal(result.stdout, '');
  oneErrorLine(result.stderr, new RegExp(`^btui: ${url}: no answer after 3 tries \\(tracker down\\?\\)\\n$`));
  assert.equal(packets, 3);
  assert.ok(elapsed < 5000, `took ${elapsed} ms`);
});

/** A port that was free a moment ago. */
async function closedPort(kind: 'udp' | 'tcp'): Promise<number> {
  if (kind === 'udp') {
    const probe = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(resolve));
    return port;
  }
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('nothing listening: a clear one-line error, quickly, for UDP and HTTP', async () => {
  for (const url of [`udp://127.0.0.1:${await closedPort('udp')}/announce`, `http://127.0.0.1:${await closedPort('tcp')}/announce`]) {
    const started = Date.now();
    const result = await runCli(['scrape', '-t', url, '-i', HASH_A, '--timeout', '2']);
    assert.equal(result.code, 1);
    oneErrorLine(result.stderr, new RegExp(`^btui: ${url}: (connection refused|no answer)`));
    assert.ok(Date.now() - started < 5000);
  }
});

test('usage errors are one line with exit code 2', async () => {
  const cases: [string[], RegExp][] = [
    [['scrape', '-t', 'udp://127.0.0.1:1'], /missing -i/],
    [['scrape', '-i', HASH_A], /missing -t/],
    [['scrape', '-t', 'udp://127.0.0.1:1', '-i', 'nothash'], /'nothash' is neither an info-hash .* nor a \.torrent file/],
    [['scrape', '-t', 'udp://127.0.0.1:1', '-i', HASH_A, '--timeout', 'soon'], /--timeout needs a positive number/],
    [['scrape', '-t', 'udp://127.0.0.1:1', '-i', HASH_A, '--bogus'], /unknown option --bogus/],
  ];
  for (const [args, pattern] of cases) {
    const result = await runCli(args);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    oneErrorLine(result.stderr, pattern);
  }
});

test('tracker-side problems exit 1 with the reason', async () => {
  const noScrape = await runCli(['scrape', '-t', 'http://127.0.0.1:1/tracker', '-i', HASH_A]);
  assert.equal(noScrape.code, 1);
  oneErrorLine(noScrape.stderr, /^btui: http:\/\/127\.0\.0\.1:1\/tracker: tracker does not support scrape\n$/);
  const wrongScheme = await runCli(['scrape', '-t', 'wss://t.test/announce', '-i', HASH_A]);
  assert.equal(wrongScheme.code, 1);
  oneErrorLine(wrongScheme.stderr, /unsupported tracker protocol 'wss:'/);
});

test('--help describes the options', async () => {
  const result = await runCli(['scrape', '--help']);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /btui scrape -t TRACKER_URL -i HASH/);
  assert.match(result.stdout, /--timeout SECONDS/);
});
