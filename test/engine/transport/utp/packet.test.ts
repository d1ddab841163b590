import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePacket, encodePacket, isUtpDatagram, PacketType } from '../../../../source/engine/transport/utp/packet.js';
import { seqAdd, seqDiff, seqLess } from '../../../../source/engine/transport/utp/seq.js';
import { UtpSocket } from '../../../../source/engine/transport/utp/utp-socket.js';
import { rng } from '../../../helpers/seeded-random.js';

const base = { connectionId: 0xbeef, timestamp: 0xfffffff0, timestampDiff: 1234, windowSize: 1 << 20, seq: 65535, ack: 7 };

test('a DATA packet round-trips through the 20-byte header', () => {
  const payload = Buffer.from('hello uTP');
  const bytes = encodePacket({ ...base, type: PacketType.Data, payload });
  assert.equal(bytes.length, 20 + payload.length);
  assert.equal(bytes[0], 0x01); // type 0, version 1
  const p = decodePacket(bytes)!;
  assert.deepEqual({ ...p, payload: Buffer.from(p.payload) }, { ...base, type: PacketType.Data, sack: undefined, payload });
});

test('the header bytes are where BEP 29 puts them', () => {
  const bytes = encodePacket({ ...base, type: PacketType.Syn, payload: Buffer.alloc(0) });
  assert.equal(bytes.toString('hex'), '4100beeffffffff0000004d200100000ffff0007');
});

test('a selective ACK extension is written after the header and read back', () => {
  const sack = Uint8Array.from([0b00000101, 0, 0, 0x80]);
  const bytes = encodePacket({ ...base, type: PacketType.State, sack, payload: Buffer.alloc(0) });
  assert.equal(bytes[1], 1); // first extension: selective ACK
  assert.equal(bytes.length, 20 + 2 + 4);
  const p = decodePacket(bytes)!;
  assert.deepEqual([...p.sack!], [...sack]);
  assert.equal(p.payload.length, 0);
});

test('unknown extensions are skipped; malformed packets and DHT messages are refused', () => {
  const header = encodePacket({ ...base, type: PacketType.Data, payload: Buffer.alloc(0) });
  header[1] = 9; // an unknown extension, 3 bytes long, then the payload
  const withUnknown = Buffer.concat([header, Buffer.from([0, 3, 1, 2, 3]), Buffer.from('xy')]);
  assert.equal(decodePacket(withUnknown)!.payload.toString(), 'xy');
  assert.equal(decodePacket(withUnknown.subarray(0, 23)), undefined, 'extension runs past the end');
  // libtorrent sends selective ACKs whose length is no multiple of 4 (BEP 29 asks for one): read as they are.
  const oddSack = Buffer.concat([header, Buffer.from([0, 3, 1, 2, 3])]);
  oddSack[1] = 1;
  assert.deepEqual([...decodePacket(oddSack)!.sack!], [1, 2, 3]);
  const v2 = Buffer.from(header);
  v2[0] = 0x02;
  assert.equal(decodePacket(v2), undefined);
  const type5 = Buffer.from(header);
  type5[0] = 0x51;
  assert.equal(decodePacket(type5), undefined);
  assert.equal(isUtpDatagram(Buffer.from('d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe')), false);
  assert.equal(isUtpDatagram(header.subarray(0, 19)), false);
});

test('sequence numbers wrap at 16 bits', () => {
  assert.equal(seqAdd(65535, 1), 0);
  assert.equal(seqAdd(0, -1), 65535);
  assert.equal(seqDiff(2, 65534), 4);
  assert.equal(seqDiff(65534, 2), -4);
  assert.ok(seqLess(65530, 3));
  assert.ok(!seqLess(3, 65530));
});

test('random datagrams never throw: the decoder refuses or reads them, and a socket opens no connection without a SYN', () => {
  const random = rng(29);
  const socket = new UtpSocket({ send: () => undefined, onConnection: () => assert.fail('no SYN was sent') });
  try {
    for (let i = 0; i < 20_000; i++) {
      const bytes = Buffer.alloc(Math.floor(random() * 64));
      for (let j = 0; j < bytes.length; j++) bytes[j] = Math.floor(random() * 256);
      // Half of them look like uTP (version 1, a type other than SYN) so the extension walk is exercised.
      if (bytes.length > 0 && i % 2 === 0) bytes[0] = (Math.floor(random() * 4) << 4) | 1;
      const p = decodePacket(bytes);
      if (p) assert.ok(p.payload.length <= bytes.length - 20);
      socket.receive(bytes, '10.0.0.9', 4000);
    }
    assert.equal(socket.connectionCount, 0);
  } finally {
    socket.close();
  }
});
