/**
 * Promise: scripted hostile peers are disconnected or banned, memory stays bounded, and
 * the download completes correctly from the honest peer meanwhile.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Session } from '../../source/engine/session/session.js';
import { DH_PRIME, makeKeyPair } from '../../source/engine/transport/mse/dh.js';
import { tempDir } from '../helpers/tools.js';
import { randomTorrent, waitForDone, writeTorrentFiles } from '../helpers/swarm.js';
import { MSG, piece, RawPeer, request } from './raw-peer.js';

test(
  'hostile peers: each attack is cut off or banned and the download completes from the honest seeder',
  { timeout: 90_000 },
  async (t) => {
    const { meta, data } = randomTorrent({ sizes: [3_000_000, 1_000_001], pieceLength: 64 * 1024 });
    const seedDir = tempDir(t);
    writeTorrentFiles(seedDir, meta, data);
    const seeder = new Session({ host: '127.0.0.1', port: 0 });
    const leecher = new Session({ host: '127.0.0.1', port: 0, handshakeTimeoutMs: 2000, idleTimeoutMs: 6000 });
    const peers: RawPeer[] = [];
    t.after(async () => {
      for (const p of peers) p.destroy();
      await Promise.all([seeder.close(), leecher.close()]);
    });
    await seeder.listen();
    await leecher.listen();
    await seeder.add(meta, { directory: seedDir, seedMode: true }).start();
    // Slow enough that the attacks run while the download does.
    seeder.setLimits({ upload: 1024 * 1024 });

    const out = tempDir(t);
    const torrent = leecher.add(meta, { directory: out });
    const warnings: string[] = [];
    torrent.on('warning', (w: string) => warnings.push(w));
    const done = waitForDone(torrent, 80_000);
    await new Promise((r) => torrent.once('state', r));
    while (torrent.state === 'checking') await new Promise((r) => setTimeout(r, 20));
    torrent.addPeers([{ host: '127.0.0.1', port: seeder.port }]);
    const rssBefore = process.memoryUsage().rss;

    let address = 10;
    const connect = async () => {
      const p = await RawPeer.connect(leecher.port, `127.0.0.${address++}`);
      peers.push(p);
      return p;
    };
    const hash = meta.infoHashBuffer;
    const pieceCount = meta.pieceCount;
    const attacks: Record<string, () => Promise<RawPeer>> = {
      'oversized length prefix': async () => {
        const p = await connect();
        p.handshake(hash);
        p.write(Buffer.from([0xff, 0xff, 0xff, 0xf0, 7]));
        return p;
      },
      'a message before the handshake': async () => {
        const p = await connect();
        p.send(MSG.bitfield, Buffer.alloc(Math.ceil(pieceCount / 8), 0xff));
        return p;
      },
      'a bitfield of the wrong size': async () => {
        const p = await connect();
        p.handshake(hash);
        p.send(MSG.bitfield, Buffer.alloc(Math.ceil(pieceCount / 8) + 7, 0xff));
        return p;
      },
      'a have for a piece that does not exist': async () => {
        const p = await connect();
        p.handshake(hash);
        const index = Buffer.alloc(4);
        index.writeUInt32BE(pieceCount + 5);
        p.send(MSG.have, index);
        return p;
      },
      'a request beyond the torrent': async () => {
        const p = await connect();
        p.handshake(hash);
        p.send(MSG.interested);
        p.send(MSG.request, request(pieceCount + 100, 0, 16384));
        return p;
      },
      'a request for 16 MiB': async () => {
        const p = await connect();
        p.handshake(hash);
        p.send(MSG.request, request(0, 0, 16 * 1024 * 1024));
        return p;
      },
      'endless requests for pieces we do not have, never reading the rejects': async () => {
        const p = await connect();
        p.socket.pause();
        p.handshake(hash);
        p.send(MSG.interested);
        const burst = Buffer.concat(
          Array.from({ length: 2000 }, (_, i) => {
            const m = Buffer.alloc(17);
            m.writeUInt32BE(13, 0);
            m[4] = MSG.request;
            request(i % (pieceCount - 1), 0, 16384).copy(m, 5);
            return m;
          }),
        );
        for (let round = 0; round < 200 && !p.isClosed; round++) {
          p.write(burst);
          await new Promise((r) => setImmediate(r));
        }
        return p;
      },
      'blocks we did not request': async () => {
        const p = await connect();
        p.handshake(hash);
        const block = randomBytes(16384);
        for (let i = 0; i < 1200 && !p.isClosed; i++) {
          p.send(MSG.piece, piece(i % pieceCount, 0, block));
          if (i % 100 === 0) await new Promise((r) => setImmediate(r));
        }
        return p;
      },
      'data that fails the hash check': async () => {
        const p = await connect();
        p.handshake(hash);
        p.send(MSG.haveAll);
        p.send(MSG.unchoke);
        p.onMessage = (id, payload) => {
          if (id !== MSG.request) return;
          p.send(MSG.piece, piece(payload.readUInt32BE(0), payload.readUInt32BE(4), randomBytes(payload.readUInt32BE(8))));
        };
        return p;
      },
      'nothing at all (slow loris)': async () => connect(),
      'a handshake one byte a second': async () => {
        const p = await connect();
        const bytes = Buffer.concat([Buffer.from('\x13BitTorrent protocol'), Buffer.alloc(8), hash, p.peerId]);
        let i = 0;
        const timer = setInterval(() => (i < bytes.length ? p.write(bytes.subarray(i, ++i)) : clearInterval(timer)), 1000);
        void p.closed.then(() => clearInterval(timer));
        return p;
      },
    };

    const started = Date.now();
    const running = Object.entries(attacks).map(async ([name, attack]) => {
      const p = await attack();
      const closed = await p.closedWithin(15_000);
      return { name, p, closed, seconds: ((p.closedAt ?? Date.now()) - started) / 1000 };
    });
    const results = await Promise.all(running);
    for (const r of results) {
      t.diagnostic(`${r.name}: ${r.closed ? `disconnected after ${r.seconds.toFixed(1)} s` : 'STILL CONNECTED'}`);
      assert.ok(r.closed, `${r.name}: still connected`);
    }
    // The one that must not be served: no piece message went to anyone asking for what we lack.
    for (const r of results) assert.ok(!r.p.messages.some(([id]) => id === MSG.piece), `${r.name}: was sent piece data`);

    // Banned peers stay banned: the same peer id is turned away at once.
    const banned = results.filter((r) => /hash|did not request/.test(r.name));
    for (const r of banned) {
      assert.ok(
        warnings.some((w) => w.includes('banned') && w.includes(`${r.p.host}:`)),
        `${r.name}: not banned (${warnings.join('; ')})`,
      );
      const again = await RawPeer.connect(leecher.port, r.p.host);
      peers.push(again);
      const id = r.p.peerId;
      again.write(Buffer.concat([Buffer.from('\x13BitTorrent protocol'), Buffer.from([0, 0, 0, 0, 0, 0x10, 0, 4]), hash, id]));
      assert.ok(await again.closedWithin(3000), `${r.name}: banned peer id let back in`);
      assert.ok(
        !again.messages.some(([m]) => m === MSG.bitfield || m === MSG.haveAll || m === MSG.unchoke),
        `${r.name}: banned peer id was talked to`,
      );
    }

    await done;
    for (const f of meta.files)
      assert.ok(readFileSync(join(out, ...f.path)).equals(data.subarray(f.offset, f.offset + f.length)), `${f.path.join('/')} intact`);
    const grownMb = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    t.diagnostic(
      `RSS grew ${grownMb.toFixed(0)} MB during the attacks; ${torrent.stats().hashFailures} hash failures, ${torrent.stats().wasted} bytes wasted`,
    );
    assert.ok(grownMb < 200, `RSS grew ${grownMb.toFixed(0)} MB`);
    assert.equal(torrent.stats().state, 'seeding');
  },
);

test(
  'hostile peers: endless requests for pieces we lack, from a peer that never reads, cannot grow our send buffer',
  { timeout: 30_000 },
  async (t) => {
    const { meta } = randomTorrent({ sizes: [2_000_000], pieceLength: 64 * 1024 });
    const session = new Session({ host: '127.0.0.1', port: 0 });
    let peer: RawPeer | undefined;
    t.after(async () => {
      peer?.destroy();
      await session.close();
    });
    await session.listen();
    const torrent = session.add(meta, { directory: tempDir(t) });
    while (torrent.state !== 'downloading') await new Promise((r) => setTimeout(r, 20));
    peer = await RawPeer.connect(session.port, '127.0.0.30');
    peer.socket.pause();
    peer.handshake(meta.infoHashBuffer);
    peer.send(MSG.interested);
    const burst = Buffer.concat(
      Array.from({ length: 5000 }, (_, i) => {
        const m = Buffer.alloc(17);
        m.writeUInt32BE(13, 0);
        m[4] = MSG.request;
        request(i % (meta.pieceCount - 1), 0, 16384).copy(m, 5);
        return m;
      }),
    );
    let sent = 0;
    const started = Date.now();
    while (!peer.isClosed && Date.now() - started < 20_000) {
      peer.write(burst);
      sent += 5000;
      await new Promise((r) => setTimeout(r, 1));
    }
    t.diagnostic(`${sent} requests sent before the engine hung up`);
    assert.ok(peer.isClosed, `still connected after ${sent} requests`);
  },
);

test(
  'hostile peers: bad MSE/PE handshakes (bad DH values, no sync marker, a stall, plaintext where encryption is required) are closed, and an encrypted download still completes',
  { timeout: 30_000 },
  async (t) => {
    const { meta, data } = randomTorrent({ sizes: [1_500_000], pieceLength: 64 * 1024 });
    const seedDir = tempDir(t);
    writeTorrentFiles(seedDir, meta, data);
    const seeder = new Session({ host: '127.0.0.1', port: 0, handshakeTimeoutMs: 1500, encryption: 'require' });
    const leecher = new Session({ host: '127.0.0.1', port: 0, encryption: 'require' });
    const peers: RawPeer[] = [];
    t.after(async () => {
      for (const p of peers) p.destroy();
      await Promise.all([seeder.close(), leecher.close()]);
    });
    await seeder.listen();
    await leecher.listen();
    await seeder.add(meta, { directory: seedDir, seedMode: true }).start();

    const prime = BigInt('0x' + DH_PRIME.toString('hex'));
    const y = (v: bigint) => Buffer.from(v.toString(16).padStart(192, '0'), 'hex');
    const attacks: [string, Buffer][] = [
      ['Y = 0', y(0n)],
      ['Y = 1', y(1n)],
      ['Y = P - 1', y(prime - 1n)],
      ['Y = P', y(prime)],
      ['no HASH(req1, S) within 512 bytes', Buffer.concat([makeKeyPair().publicKey, randomBytes(2000)])],
      ['stalls after its public key', makeKeyPair().publicKey],
      ['stalls after 10 bytes', randomBytes(10)],
      [
        'a plaintext handshake to a session that requires encryption',
        Buffer.concat([Buffer.from('\x13BitTorrent protocol'), Buffer.alloc(48)]),
      ],
    ];
    for (const [i, [what, bytes]] of attacks.entries()) {
      const peer = await RawPeer.connect(seeder.port, `127.0.0.${40 + i}`);
      peers.push(peer);
      const started = Date.now();
      peer.write(bytes);
      await Promise.race([peer.closed, new Promise((r) => setTimeout(r, 5000))]);
      assert.ok(peer.isClosed, `${what}: still open`);
      t.diagnostic(`${what}: closed after ${Date.now() - started} ms`);
    }

    const out = tempDir(t);
    const torrent = leecher.add(meta, { directory: out });
    const done = waitForDone(torrent, 20_000);
    await torrent.start();
    torrent.addPeers([{ host: '127.0.0.1', port: seeder.port, explicit: true }]);
    await done;
    assert.ok(readFileSync(join(out, meta.files[0]!.path.join('/'))).equals(data));
  },
);
