/**
 * Promise: nothing listens beyond what the settings say (the TCP listen port, and the DHT's
 * UDP port when the DHT is on), and nothing is served that is not part of a torrent.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { encode } from '../../source/engine/codec/bencode.js';
import { Session } from '../../source/engine/session/session.js';
import { CLI } from '../helpers/cli.js';
import { tempDir } from '../helpers/tools.js';
import { randomTorrent, writeTorrentFiles } from '../helpers/swarm.js';
import { listeningSockets, type SocketInfo } from './proc-sockets.js';
import { MSG, RawPeer, request } from './raw-peer.js';

async function socketsOf(t: TestContext, args: string[]): Promise<SocketInfo[]> {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, BTUI_HOME: tempDir(t) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  // Ready once it has printed something (a progress line or a magnet).
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('close', (code) => reject(new Error(`exited with ${code}`)));
  });
  await new Promise((r) => setTimeout(r, 300));
  const sockets = listeningSockets(child.pid!);
  child.kill('SIGKILL');
  return sockets;
}

test(
  'exposure: btui download and serve listen only on the configured port (TCP, and UDP for the DHT when on)',
  { timeout: 60_000 },
  async (t) => {
    const { meta } = randomTorrent({ sizes: [50_000] });
    const dir = tempDir(t);
    const torrentPath = join(dir, 'x.torrent');
    writeFileSync(torrentPath, encode(meta.raw));
    const file = join(dir, 'served.bin');
    writeFileSync(file, randomBytes(10_000));
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const cases: [string, string[], string[]][] = [
      [
        'download --no-dht',
        ['download', '-t', torrentPath, '-o', dir, '--host', '127.0.0.1', '--port', String(port), '--no-dht', '--json'],
        [`tcp 127.0.0.1:${port}`],
      ],
      [
        'download with DHT',
        ['download', '-t', torrentPath, '-o', dir, '--host', '127.0.0.1', '--port', String(port + 1), '--json'],
        [`tcp 127.0.0.1:${port + 1}`, `udp 127.0.0.1:${port + 1}`],
      ],
      [
        'serve --no-dht',
        ['serve', '-f', file, '--host', '127.0.0.1', '--port', String(port + 2), '--no-dht'],
        [`tcp 127.0.0.1:${port + 2}`],
      ],
    ];
    for (const [name, args, expected] of cases) {
      const got = (await socketsOf(t, args)).map((s) => `${s.proto} ${s.address}:${s.port}`).sort();
      t.diagnostic(`${name}: ${got.join(', ')}`);
      assert.deepEqual(got, expected.sort(), name);
    }
  },
);

test(
  'exposure: a peer gets exactly the torrent data, nothing beside it, and out-of-range requests get nothing',
  { timeout: 30_000 },
  async (t) => {
    const { meta, data } = randomTorrent({ sizes: [100_000, 30_001], pieceLength: 32 * 1024 });
    const dir = tempDir(t);
    writeTorrentFiles(dir, meta, data);
    const secret = randomBytes(64 * 1024);
    writeFileSync(join(dir, 'secret.bin'), secret);
    writeFileSync(join(dir, meta.name, 'extra.bin'), secret);
    const session = new Session({ host: '127.0.0.1', port: 0 });
    await session.listen();
    t.after(() => session.close());
    await session.add(meta, { directory: dir, seedMode: true }).start();

    // An honest request for every block: each answer is the torrent's bytes.
    const peer = await RawPeer.connect(session.port, '127.0.0.40');
    t.after(() => peer.destroy());
    peer.handshake(meta.infoHashBuffer);
    peer.send(MSG.interested);
    await new Promise<void>((resolve) => (peer.onMessage = (id) => id === MSG.unchoke && resolve()));
    const blocks: [number, number, number][] = [];
    for (let i = 0; i < meta.pieceCount; i++) {
      const size = Math.min(meta.pieceLength, meta.length - i * meta.pieceLength);
      for (let b = 0; b < size; b += 16384) blocks.push([i, b, Math.min(16384, size - b)]);
    }
    const got = new Map<string, Buffer>();
    await new Promise<void>((resolve) => {
      peer.onMessage = (id, payload) => {
        if (id !== MSG.piece) return;
        got.set(`${payload.readUInt32BE(0)}:${payload.readUInt32BE(4)}`, payload.subarray(8));
        if (got.size === blocks.length) resolve();
      };
      for (const [i, b, n] of blocks) peer.send(MSG.request, request(i, b, n));
    });
    for (const [i, b, n] of blocks)
      assert.ok(got.get(`${i}:${b}`)!.equals(data.subarray(i * meta.pieceLength + b, i * meta.pieceLength + b + n)));

    // Then past the end: the last piece's tail, a piece that does not exist, an offset past 2^31.
    const last = meta.pieceCount - 1;
    const lastSize = meta.length - last * meta.pieceLength;
    for (const bad of [
      request(last, lastSize, 16384),
      request(last, lastSize - 100, 16384),
      request(meta.pieceCount, 0, 16384),
      request(0, 0x80000000, 16384),
    ]) {
      const attacker = await RawPeer.connect(session.port, '127.0.0.41');
      t.after(() => attacker.destroy());
      attacker.handshake(meta.infoHashBuffer);
      attacker.send(MSG.interested);
      await new Promise<void>((resolve) => (attacker.onMessage = (id) => id === MSG.unchoke && resolve()));
      attacker.send(MSG.request, bad);
      assert.ok(await attacker.closedWithin(5000), 'an out-of-range request closes the connection');
      assert.ok(!attacker.messages.some(([id]) => id === MSG.piece), 'and sends no data');
    }
    const all = Buffer.concat([...got.values()]);
    const needle = secret.subarray(0, 32);
    assert.equal(all.indexOf(needle), -1, 'no byte of the neighbouring files');
    assert.equal(
      createHash('sha1')
        .update(Buffer.concat(blocks.map(([i, b]) => got.get(`${i}:${b}`)!)))
        .digest('hex'),
      createHash('sha1').update(data).digest('hex'),
    );
  },
);
