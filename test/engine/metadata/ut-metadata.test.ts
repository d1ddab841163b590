import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { ExtensionPeer } from '../../../source/engine/extensions/extension-api.js';
import { utMetadataExtension } from '../../../source/engine/extensions/ut-metadata.js';
import {
  decodeMetadataMessage,
  encodeMetadataMessage,
  type MetadataMessage,
} from '../../../source/engine/extensions/ut-metadata-messages.js';

function fakePeer(sent: MetadataMessage[]): ExtensionPeer {
  return {
    id: '127.0.0.1:1',
    host: '127.0.0.1',
    port: 1,
    remote: { m: { ut_metadata: 3 } },
    send: (payload) => sent.push(decodeMetadataMessage(payload)!),
    disconnect: () => undefined,
  };
}

const request = (piece: number) => encodeMetadataMessage({ type: 'request', piece });

test('serves 16 KiB pieces with total_size, the last one short, and metadata_size in the handshake', () => {
  const info = randomBytes(40_000);
  const ext = utMetadataExtension(() => info);
  assert.deepEqual(ext.handshakeFields?.(), { metadata_size: 40_000 });
  const sent: MetadataMessage[] = [];
  const peer = fakePeer(sent);
  for (const piece of [0, 1, 2, 3]) ext.onMessage(peer, request(piece));
  assert.deepEqual(
    sent.map((m) => m.type),
    ['data', 'data', 'data', 'reject'],
  );
  const data = sent.slice(0, 3) as Extract<MetadataMessage, { type: 'data' }>[];
  assert.deepEqual(
    data.map((m) => [m.piece, m.totalSize, m.data.length]),
    [
      [0, 40_000, 16_384],
      [1, 40_000, 16_384],
      [2, 40_000, 7232],
    ],
  );
  assert.ok(Buffer.concat(data.map((m) => m.data)).equals(info));
});

test("rejects while it has no metadata, ignores garbage, and bounds one peer's request rate", () => {
  let info: Buffer | undefined;
  const ext = utMetadataExtension(() => info, { burst: 5, requestsPerSecond: 0.001 });
  assert.deepEqual(ext.handshakeFields?.(), {});
  const sent: MetadataMessage[] = [];
  const peer = fakePeer(sent);
  ext.onMessage(peer, request(0));
  assert.deepEqual(sent, [{ type: 'reject', piece: 0 }]);
  for (const junk of ['', 'd8:msg_typei0ee', 'li1ee', 'd8:msg_typei9e5:piecei0ee', 'd8:msg_type1:x5:piecei0ee'])
    ext.onMessage(peer, Buffer.from(junk));
  assert.equal(sent.length, 1);
  info = randomBytes(1000);
  sent.length = 0;
  for (let i = 0; i < 10; i++) ext.onMessage(peer, request(0));
  assert.equal(sent.filter((m) => m.type === 'data').length, 5, 'a burst of 5');
  assert.equal(sent.filter((m) => m.type === 'reject').length, 5);
});
