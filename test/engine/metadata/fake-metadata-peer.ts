/** A scripted peer on 127.0.0.1 that speaks just enough BEP 9 to test a fetcher against. */
import net from 'node:net';
import type { TestContext } from 'node:test';
import { PeerWire } from '../../../source/engine/wire/peer-wire.js';
import { makePeerId } from '../../../source/engine/wire/peer-id.js';
import {
  decodeMetadataMessage,
  encodeMetadataMessage,
  METADATA_PIECE_SIZE,
} from '../../../source/engine/extensions/ut-metadata-messages.js';

export interface FakeBehaviour {
  /** Advertised metadata_size (default: the real size). */
  metadataSize?: number;
  /** Answer for a piece request; default: the true bytes. */
  answer?: (piece: number, truth: Buffer) => { data: Buffer; totalSize?: number } | 'reject' | 'silence';
}

export async function startFakePeer(
  t: TestContext,
  info: Buffer,
  behaviour: FakeBehaviour = {},
): Promise<{ port: number; requests: number[] }> {
  const requests: number[] = [];
  const REMOTE_ID = 7;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const wire = new PeerWire(socket, {
      peerId: makePeerId(),
      extensions: { m: { ut_metadata: REMOTE_ID }, metadata_size: behaviour.metadataSize ?? info.length },
    });
    wire.on('handshake', (h) => wire.sendHandshake(h.infoHash));
    wire.on('message', (m) => {
      if (m.type !== 'extended' || m.id !== REMOTE_ID) return;
      const request = decodeMetadataMessage(m.payload);
      if (request?.type !== 'request') return;
      requests.push(request.piece);
      const theirId = wire.remoteExtensions?.m.ut_metadata ?? 0;
      const truth = info.subarray(request.piece * METADATA_PIECE_SIZE, (request.piece + 1) * METADATA_PIECE_SIZE);
      const answer = behaviour.answer?.(request.piece, truth) ?? { data: truth };
      if (answer === 'silence') return;
      const payload =
        answer === 'reject'
          ? encodeMetadataMessage({ type: 'reject', piece: request.piece })
          : encodeMetadataMessage({ type: 'data', piece: request.piece, totalSize: answer.totalSize ?? info.length, data: answer.data });
      wire.send({ type: 'extended', id: theirId, payload });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as net.AddressInfo).port, requests };
}
