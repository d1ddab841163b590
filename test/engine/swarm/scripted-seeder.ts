/**
 * A scripted seeder on 127.0.0.1 over PeerWire: it serves a torrent's data the way a real
 * client's queue does (requests pile up and are answered a moment later), and can say a
 * `reqq`, reject what is beyond it (as Transmission does: "reqq is full"), or reject chosen
 * blocks a number of times. It counts what it saw.
 */
import net from 'node:net';
import type { TestContext } from 'node:test';
import type { Metainfo } from '../../../source/engine/metainfo/metainfo.js';
import { makePeerId } from '../../../source/engine/wire/peer-id.js';
import { PeerWire } from '../../../source/engine/wire/peer-wire.js';
import {
  decodeMetadataMessage,
  encodeMetadataMessage,
  METADATA_PIECE_SIZE,
} from '../../../source/engine/extensions/ut-metadata-messages.js';

const UT_METADATA_ID = 3;

export interface SeederBehaviour {
  /** Said in the extension handshake; absent: no reqq key at all. */
  reqq?: number;
  /** Reject requests that arrive while this many are queued (Transmission's "reqq is full"). */
  rejectBeyond?: number;
  /** `${index}:${begin}` -> how many times to reject that block before serving it. */
  rejectTimes?: Map<string, number>;
  /** Serve the info dictionary over ut_metadata (BEP 9) too. */
  metadata?: boolean;
  /** How long requests wait before they are answered (a far peer); default 2 ms. */
  latencyMs?: number;
  /** A stalled peer: it unchokes and takes requests, and never sends a block. */
  silent?: boolean;
}

export interface ScriptedSeeder {
  port: number;
  /** Connections it accepted. */
  connections: number;
  /** The most requests queued at once (asked for, not yet answered). */
  maxOutstanding: number;
  requests: number;
  rejects: number;
  /** When each rejection was sent, and when the same block was asked for next. */
  rejectedAt: Map<string, number[]>;
  requestedAt: Map<string, number[]>;
}

export async function startScriptedSeeder(
  t: TestContext,
  meta: Metainfo,
  data: Buffer,
  behaviour: SeederBehaviour = {},
  port = 0,
): Promise<ScriptedSeeder> {
  const stats: ScriptedSeeder = {
    port: 0,
    connections: 0,
    maxOutstanding: 0,
    requests: 0,
    rejects: 0,
    rejectedAt: new Map(),
    requestedAt: new Map(),
  };
  const rejectTimes = new Map(behaviour.rejectTimes ?? []);
  const sockets = new Set<net.Socket>();
  const note = (map: Map<string, number[]>, key: string) => {
    const list = map.get(key) ?? [];
    list.push(Date.now());
    map.set(key, list);
  };
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const extensions = {
      m: (behaviour.metadata ? { ut_metadata: UT_METADATA_ID } : {}) as Record<string, number>,
      v: 'scripted',
      ...(behaviour.metadata ? { metadata_size: meta.infoBytes.length } : {}),
      ...(behaviour.reqq !== undefined ? { reqq: behaviour.reqq } : {}),
    };
    const wire = new PeerWire(socket, { peerId: makePeerId(), extensions });
    // BitTorrent connections: a plaintext peer, it refuses the encrypted attempt that comes first in `prefer` mode.
    wire.once('handshake', () => stats.connections++);
    const queue: { index: number; begin: number; length: number }[] = [];
    let scheduled = false;
    const serve = () => {
      scheduled = false;
      for (const r of queue.splice(0)) {
        const at = r.index * meta.pieceLength + r.begin;
        wire.send({ type: 'piece', index: r.index, begin: r.begin, block: data.subarray(at, at + r.length) });
      }
    };
    wire.on('handshake', (h) => {
      wire.sendHandshake(h.infoHash);
      wire.send({ type: 'have-all' });
    });
    wire.on('message', (m) => {
      if (m.type === 'interested') wire.send({ type: 'unchoke' });
      if (m.type === 'extended' && m.id === UT_METADATA_ID && behaviour.metadata) {
        const asked = decodeMetadataMessage(m.payload);
        if (asked?.type !== 'request') return;
        const info = meta.infoBytes;
        const piece = info.subarray(asked.piece * METADATA_PIECE_SIZE, (asked.piece + 1) * METADATA_PIECE_SIZE);
        const payload = encodeMetadataMessage({ type: 'data', piece: asked.piece, totalSize: info.length, data: piece });
        wire.send({ type: 'extended', id: wire.remoteExtensions?.m.ut_metadata ?? 0, payload });
      }
      if (m.type === 'cancel') {
        const i = queue.findIndex((r) => r.index === m.index && r.begin === m.begin);
        if (i >= 0) queue.splice(i, 1);
      }
      if (m.type !== 'request') return;
      stats.requests++;
      const key = `${m.index}:${m.begin}`;
      note(stats.requestedAt, key);
      const times = rejectTimes.get(key) ?? 0;
      if (times > 0 || (behaviour.rejectBeyond !== undefined && queue.length >= behaviour.rejectBeyond)) {
        if (times > 0) rejectTimes.set(key, times - 1);
        stats.rejects++;
        note(stats.rejectedAt, key);
        wire.send({ type: 'reject', index: m.index, begin: m.begin, length: m.length });
        return;
      }
      queue.push({ index: m.index, begin: m.begin, length: m.length });
      stats.maxOutstanding = Math.max(stats.maxOutstanding, queue.length);
      if (!scheduled && !behaviour.silent) {
        scheduled = true;
        setTimeout(serve, behaviour.latencyMs ?? 2);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  stats.port = (server.address() as net.AddressInfo).port;
  return stats;
}
