// PeerWire against a real libtorrent seeder: handshake bits, BEP 10 handshake, fast
// extension have-all, unchoke, and blocks that match the file on disk.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { startLibtorrentPeer } from '../../helpers/libtorrent-peer.js';
import { makeDataDir, mktorrent } from '../../helpers/torrent-files.js';
import { needs, tempDir } from '../../helpers/tools.js';
import type { ExtensionHandshake } from '../../../source/engine/wire/extension.js';
import type { Handshake } from '../../../source/engine/wire/handshake.js';
import type { Message } from '../../../source/engine/wire/messages.js';
import { clientFromPeerId, makePeerId } from '../../../source/engine/wire/peer-id.js';
import { PeerWire } from '../../../source/engine/wire/peer-wire.js';

test('PeerWire talks to a libtorrent seeder and gets correct blocks', { timeout: 60_000 }, async (t) => {
  if (!needs(t, { libtorrent: true, commands: ['mktorrent'] })) return;
  const dir = tempDir(t);
  const files = makeDataDir(join(dir, 'data'), [200_000]);
  const data = [...files.values()][0]!;
  const torrentPath = join(dir, 'data.torrent');
  const infoHash = Buffer.from(mktorrent(join(dir, 'data'), torrentPath, { pieceLengthLog2: 16 }), 'hex');
  const seeder = await startLibtorrentPeer(t, { torrentPath, savePath: dir, mode: 'seed', listenHost: '127.0.0.2' });
  await seeder.waitFor('seeding', 20_000);
  // libtorrent resets connections that arrive in the first moments after the torrent is added.
  await new Promise((r) => setTimeout(r, 1000));

  const socket = net.connect(seeder.port, seeder.host);
  t.after(() => socket.destroy());
  const wire = new PeerWire(socket, { infoHash, peerId: makePeerId(), extensions: { m: { ut_metadata: 3 }, v: 'btui test' } });
  // Everything libtorrent sends first may arrive in one chunk, so listen before it does.
  const closed = new Promise<Error | undefined>((resolve) => wire.once('close', resolve));
  const failOnClose = closed.then((e) => Promise.reject(e ?? new Error(`closed early; libtorrent: ${seeder.log()}`)));
  const handshake = once(wire, 'handshake') as Promise<[Handshake]>;
  const extensions = once(wire, 'extended-handshake') as Promise<[ExtensionHandshake]>;
  const messages: Message[] = [];
  let interested = false;
  let peerChoking = true;
  let markUnchoked = (): void => {};
  const unchoked = new Promise<void>((resolve) => (markUnchoked = resolve));
  wire.on('message', (m) => {
    messages.push(m);
    if (m.type === 'choke' || m.type === 'unchoke') peerChoking = m.type === 'choke';
    if (interested && !peerChoking) markUnchoked();
  });

  const [h] = await Promise.race([handshake, failOnClose]);
  assert.ok(h.infoHash.equals(infoHash));
  assert.equal(h.extended, true);
  assert.equal(h.fast, true);
  assert.match(clientFromPeerId(h.peerId), /^libtorrent 2\./);

  wire.send({ type: 'have-none' });
  wire.send({ type: 'interested' });
  interested = true;
  if (!peerChoking) markUnchoked();
  const [ext] = await Promise.race([extensions, failOnClose]);
  assert.ok((ext.m.ut_metadata ?? 0) > 0, JSON.stringify(ext));
  assert.ok((ext.metadata_size ?? 0) > 0);
  await Promise.race([unchoked, failOnClose]);
  assert.ok(
    messages.some((m) => m.type === 'have-all' || m.type === 'bitfield'),
    messages.map((m) => m.type).join(),
  );

  // The last piece is short: 200,000 - 3 * 65,536 = 3,392 bytes.
  const wanted = [
    { index: 0, begin: 0, length: 16384 },
    { index: 0, begin: 49152, length: 16384 },
    { index: 2, begin: 16384, length: 16384 },
    { index: 3, begin: 0, length: 3392 },
  ];
  const blocks = new Map<string, Buffer>();
  const allBlocks = new Promise<void>((resolve) =>
    wire.on('message', (m) => {
      if (m.type !== 'piece') return;
      blocks.set(`${m.index}:${m.begin}`, Buffer.from(m.block));
      if (blocks.size === wanted.length) resolve();
    }),
  );
  for (const r of wanted) wire.send({ type: 'request', ...r });
  await Promise.race([allBlocks, failOnClose]);
  for (const r of wanted) {
    const offset = r.index * 65536 + r.begin;
    assert.ok(blocks.get(`${r.index}:${r.begin}`)!.equals(data.subarray(offset, offset + r.length)), `${r.index}:${r.begin}`);
  }
  assert.equal(wire.downloadRate.total, 16384 * 3 + 3392);
  assert.equal(wire.destroyed, false);
  wire.destroy();
  await closed;
});
