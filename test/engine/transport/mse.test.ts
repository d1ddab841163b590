/** MSE/PE: the pieces (RC4, DH), the handshake state machines, and both ends through the Connector. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { createHash, randomBytes } from 'node:crypto';
import { Connector } from '../../../source/engine/transport/connector.js';
import { createRc4 } from '../../../source/engine/transport/mse/rc4.js';
import { DH_PRIME, isAcceptable, makeKeyPair } from '../../../source/engine/transport/mse/dh.js';
import { MseError, MseInitiator, MseResponder, req2Hash } from '../../../source/engine/transport/mse/handshake.js';
import { CRYPTO_PLAINTEXT, CRYPTO_RC4, cryptoSelect, type EncryptionMode } from '../../../source/engine/transport/mse/policy.js';
import type { PeerWire } from '../../../source/engine/wire/peer-wire.js';
import type { Message } from '../../../source/engine/wire/messages.js';
import { makePeerId } from '../../../source/engine/wire/peer-id.js';
import { randomTorrent, startSession, writeTorrentFiles } from '../../helpers/swarm.js';
import { tempDir } from '../../helpers/tools.js';

const HASH_A = Buffer.alloc(20, 0xa1);
const HASH_B = Buffer.alloc(20, 0xb2);

test('DH: both ends agree on S; 0, 1, P-1, P and short values are refused', () => {
  const a = makeKeyPair();
  const b = makeKeyPair();
  assert.equal(a.publicKey.length, 96);
  assert.ok(a.secret(b.publicKey).equals(b.secret(a.publicKey)));
  const big = (v: bigint) => Buffer.from(v.toString(16).padStart(192, '0'), 'hex');
  const p = BigInt('0x' + DH_PRIME.toString('hex'));
  for (const bad of [big(0n), big(1n), big(p - 1n), big(p), Buffer.alloc(95, 1)]) {
    assert.equal(isAcceptable(bad), false);
    assert.throws(() => a.secret(bad));
  }
  assert.equal(isAcceptable(big(2n)), true);
});

/** Runs two state machines against each other, in small pieces; returns both results. */
function pair(provide: number, mode: EncryptionMode, skeys: Buffer[], skey: Buffer, ia = Buffer.from('hello'), chunk = 7) {
  const toB: Buffer[] = [];
  const toA: Buffer[] = [];
  const a = new MseInitiator({ skey, provide, initialPayload: ia }, (b) => toB.push(b));
  const b = new MseResponder({ infoHashFor: (h) => skeys.find((k) => req2Hash(k).equals(h)), select: (p) => cryptoSelect(mode, p) }, (x) =>
    toA.push(x),
  );
  a.start();
  const pump = (queue: Buffer[], to: MseInitiator | MseResponder) => {
    const all = Buffer.concat(queue.splice(0));
    for (let i = 0; i < all.length && !to.done; i += chunk) to.receive(all.subarray(i, i + chunk));
  };
  for (let round = 0; round < 10 && !(a.done && b.done); round++) {
    pump(toB, b);
    pump(toA, a);
  }
  return { a: a.result, b: b.result };
}

test('handshake: RC4 picked, the IA arrives decrypted, both RC4 states line up, SKEY routes to the right torrent', () => {
  const { a, b } = pair(CRYPTO_RC4 | CRYPTO_PLAINTEXT, 'require', [HASH_A, HASH_B], HASH_B);
  assert.ok(a && b);
  assert.equal(a.method, CRYPTO_RC4);
  assert.equal(b.method, CRYPTO_RC4);
  assert.ok(b.infoHash!.equals(HASH_B));
  assert.equal(b.initial.toString(), 'hello');
  const msg = randomBytes(300);
  assert.ok(b.decrypt!.update(a.encrypt!.update(Buffer.from(msg))).equals(msg));
  assert.ok(a.decrypt!.update(b.encrypt!.update(Buffer.from(msg))).equals(msg));
});

test('handshake: prefer picks plaintext when both are offered (as libtorrent does), RC4 when only RC4 is', () => {
  assert.equal(pair(CRYPTO_RC4 | CRYPTO_PLAINTEXT, 'prefer', [HASH_A], HASH_A).b?.method, CRYPTO_PLAINTEXT);
  assert.equal(pair(CRYPTO_RC4, 'prefer', [HASH_A], HASH_A).b?.method, CRYPTO_RC4);
});

test('handshake: a plaintext-only offer is taken in prefer mode and refused in require mode', () => {
  const { a, b } = pair(CRYPTO_PLAINTEXT, 'prefer', [HASH_A], HASH_A);
  assert.equal(a?.method, CRYPTO_PLAINTEXT);
  assert.equal(b?.method, CRYPTO_PLAINTEXT);
  assert.equal(b?.initial.toString(), 'hello');
  assert.throws(() => pair(CRYPTO_PLAINTEXT, 'require', [HASH_A], HASH_A), MseError);
});

test('handshake: an unknown SKEY is refused', () => {
  assert.throws(() => pair(CRYPTO_RC4, 'prefer', [HASH_A], HASH_B), /no torrent/);
});

test('handshake: bad Y values, no sync marker within 512 bytes and oversized pads throw MseError', () => {
  const responder = () => new MseResponder({ infoHashFor: () => HASH_A, select: () => CRYPTO_RC4 }, () => undefined);
  const p = BigInt('0x' + DH_PRIME.toString('hex'));
  for (const y of [0n, 1n, p - 1n, p + 5n]) {
    assert.throws(() => responder().receive(Buffer.from(y.toString(16).padStart(192, '0'), 'hex')), MseError);
  }
  // A good Y, then 600 bytes that never contain HASH('req1', S).
  const r = responder();
  assert.throws(() => r.receive(Buffer.concat([makeKeyPair().publicKey, randomBytes(600)])), /within 512/);
  // The initiator waiting for B's VC: 700 bytes after Yb without it.
  const a = new MseInitiator({ skey: HASH_A, provide: CRYPTO_RC4 }, () => undefined);
  assert.throws(() => a.receive(Buffer.concat([makeKeyPair().publicKey, randomBytes(700)])), /within 512/);
});

test('handshake: a PadC over 512 bytes is refused', () => {
  // A hand-made third message: right hashes, keys and VC, but len(PadC) = 1000.
  const keys = makeKeyPair();
  const sent: Buffer[] = [];
  const b = new MseResponder({ infoHashFor: () => HASH_A, select: () => CRYPTO_RC4 }, (x) => sent.push(x));
  b.receive(keys.publicKey);
  const s = keys.secret(sent[0]!.subarray(0, 96));
  const sha1 = (...parts: (string | Buffer)[]) => parts.reduce((h, p) => h.update(p), createHash('sha1')).digest();
  const req23 = Buffer.from(sha1('req2', HASH_A).map((x, i) => x ^ sha1('req3', s)[i]!));
  const head = Buffer.alloc(14);
  head.writeUInt32BE(CRYPTO_RC4, 8);
  head.writeUInt16BE(1000, 12);
  const enc = createRc4(sha1('keyA', s, HASH_A)).update(head);
  assert.throws(() => b.receive(Buffer.concat([sha1('req1', s), req23, enc])), /PadC of 1000/);
});

async function listen(t: import('node:test').TestContext, onSocket: (socket: net.Socket) => void): Promise<number> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return (server.address() as net.AddressInfo).port;
}

interface Accepted {
  wire: PeerWire;
  infoHash: Buffer;
}

/** A listening Connector in `mode` that knows torrents A and B; resolves each connection's wire once handshaken. */
async function acceptor(t: import('node:test').TestContext, mode: EncryptionMode) {
  const connector = new Connector({ peerId: makePeerId(), encryption: mode });
  const accepted: Accepted[] = [];
  let closedBeforeWire = 0;
  const waiters: ((a: Accepted) => void)[] = [];
  const port = await listen(t, (socket) => {
    let had = false;
    connector.accept(
      { stream: socket },
      { handshakeTimeoutMs: 1500 },
      {
        infoHashFor: (h) => [HASH_A, HASH_B].find((k) => req2Hash(k).equals(h)),
        handshake: (wire, h) => {
          had = true;
          wire.sendHandshake(h.infoHash);
          const a = { wire, infoHash: h.infoHash };
          accepted.push(a);
          waiters.shift()?.(a);
        },
        closed: () => {
          if (!had) closedBeforeWire++;
        },
      },
    );
  });
  return {
    port,
    accepted,
    closedBeforeWire: () => closedBeforeWire,
    next: () => new Promise<Accepted>((resolve) => waiters.push(resolve)),
  };
}

/** The wire under each dialled wire: the socket itself, or a CipherStream over it. */
const streamUnder = new WeakMap<PeerWire, Duplex>();

function dial(
  mode: EncryptionMode,
  port: number,
  infoHash: Buffer,
  connector = new Connector({ peerId: makePeerId(), encryption: mode }),
): Promise<PeerWire | undefined> {
  return new Promise((resolve) =>
    connector.connect('127.0.0.1', port, 3000, {
      settings: () => ({ infoHash, handshakeTimeoutMs: 3000 }),
      handshake: (wire, _h, stream) => {
        streamUnder.set(wire, stream);
        resolve(wire);
      },
      failed: () => resolve(undefined),
    }),
  );
}

for (const [ours, theirs] of [
  ['require', 'prefer'],
  ['prefer', 'require'],
] as const) {
  test(`connector: ${ours} to ${theirs} is RC4 both ways; a 1 MiB piece and a message arrive intact; SKEY picks the torrent`, async (t) => {
    await exchange(t, ours, theirs, true);
  });
}

test('connector: prefer to prefer speaks MSE/PE and then plaintext; a 1 MiB piece and a message arrive intact', async (t) => {
  await exchange(t, 'prefer', 'prefer', false);
});

async function exchange(t: import('node:test').TestContext, ours: EncryptionMode, theirs: EncryptionMode, rc4: boolean): Promise<void> {
  const remote = await acceptor(t, theirs);
  const incoming = remote.next();
  const wire = await dial(ours, remote.port, HASH_B);
  assert.ok(wire, 'connected');
  t.after(() => wire.destroy());
  const accepted = await incoming;
  assert.ok(accepted.infoHash.equals(HASH_B));
  assert.equal(wire.encrypted, rc4);
  assert.equal(accepted.wire.encrypted, rc4);
  assert.equal(remote.closedBeforeWire(), 0, 'no plaintext fallback');
  // Plaintext after the handshake: the wire writes to the socket itself, with no cipher stream between.
  assert.equal(streamUnder.get(wire) instanceof net.Socket, !rc4);
  const block = randomBytes(1024 * 1024);
  const got = new Promise<Message>((resolve) => accepted.wire.on('message', (m) => m.type === 'piece' && resolve(m)));
  wire.send({ type: 'piece', index: 3, begin: 0, block });
  const m = await got;
  assert.ok(m.type === 'piece' && m.block.equals(block));
  const back = new Promise<Message>((resolve) => wire.on('message', resolve));
  accepted.wire.send({ type: 'have', index: 42 });
  assert.deepEqual(await back, { type: 'have', index: 42 });
}

test('connector: two torrents on one listener: each encrypted connection lands on its own torrent', async (t) => {
  const remote = await acceptor(t, 'require');
  for (const hash of [HASH_A, HASH_B, HASH_A]) {
    const incoming = remote.next();
    const wire = await dial('require', remote.port, hash);
    assert.ok(wire);
    t.after(() => wire.destroy());
    assert.ok((await incoming).infoHash.equals(hash));
  }
});

test('connector: prefer falls back to plaintext against a plaintext-only peer, and dials it in plaintext from then on', async (t) => {
  const remote = await acceptor(t, 'plaintext');
  const incoming = remote.next();
  const connector = new Connector({ peerId: makePeerId(), encryption: 'prefer' });
  const wire = await dial('prefer', remote.port, HASH_A, connector);
  assert.ok(wire, 'connected after the fallback');
  t.after(() => wire.destroy());
  assert.equal(wire.encrypted, false);
  assert.equal((await incoming).wire.encrypted, false);
  assert.equal(remote.closedBeforeWire(), 1, 'the encrypted attempt was refused first');
  const again = await dial('prefer', remote.port, HASH_A, connector);
  assert.ok(again);
  again.destroy();
  assert.equal(remote.closedBeforeWire(), 1, 'no second encrypted attempt');
});

test('connector: require refuses plaintext both ways; plaintext and prefer take plaintext', async (t) => {
  const requiring = await acceptor(t, 'require');
  assert.equal(await dial('plaintext', requiring.port, HASH_A), undefined);
  const plain = await acceptor(t, 'plaintext');
  assert.equal(await dial('require', plain.port, HASH_A), undefined);
  const preferring = await acceptor(t, 'prefer');
  const wire = await dial('plaintext', preferring.port, HASH_A);
  assert.ok(wire);
  assert.equal(wire.encrypted, false);
  wire.destroy();
  assert.equal(requiring.accepted.length + plain.accepted.length, 0);
});

test('connector: a peer that stalls mid-handshake, or sends garbage, is closed cleanly', async (t) => {
  const remote = await acceptor(t, 'prefer');
  const p = BigInt('0x' + DH_PRIME.toString('hex'));
  const cases: [string, Buffer][] = [
    ['stall after half of Ya', randomBytes(48)],
    ['Y = 0', Buffer.alloc(96)],
    ['Y = 1', Buffer.from('01'.padStart(192, '0'), 'hex')],
    ['Y = P - 1', Buffer.from((p - 1n).toString(16), 'hex')],
    ['no req1 within 512 bytes', Buffer.concat([makeKeyPair().publicKey, randomBytes(1200)])],
    ['stall after Ya', makeKeyPair().publicKey],
  ];
  for (const [what, bytes] of cases) {
    const socket = net.connect(remote.port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.on('data', () => undefined);
    const started = Date.now();
    await new Promise((r) => socket.once('connect', r));
    socket.write(bytes);
    await new Promise((r) => socket.once('close', r));
    const took = Date.now() - started;
    assert.ok(took < 3000, `${what}: closed after ${took} ms`);
  }
  assert.equal(remote.accepted.length, 0);
});

test('a download limit holds over MSE/PE connections as over plaintext ones (throttling pauses the socket under the cipher)', async (t) => {
  const { meta, data } = randomTorrent({ sizes: [2_000_000] });
  const dir = tempDir(t);
  writeTorrentFiles(dir, meta, data);
  for (const mode of ['require', 'prefer'] as const) {
    const seeder = await startSession(t, { encryption: mode });
    await seeder.add(meta, { directory: dir, seedMode: true }).start();
    const leecher = await startSession(t, { encryption: mode, downloadLimit: 40_000 });
    const torrent = leecher.add(meta, { directory: tempDir(t) });
    await torrent.start();
    torrent.addPeers([{ host: '127.0.0.1', port: seeder.port }]);
    await new Promise((r) => setTimeout(r, 3000));
    // Unthrottled it would be all 2 MB; throttled, 120 KB plus the first burst (~450 KB in plaintext).
    const got = torrent.stats().downloaded;
    assert.ok(got < 700_000, `${mode}: ${got} bytes in 3 s at 40 KB/s`);
  }
});
