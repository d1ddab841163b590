/**
 * Peer wire messages (BEP 3, BEP 6 fast extension, BEP 10 extended): a pure codec.
 * On the wire every message is `<length u32 BE><id u8><payload>`; length 0 is a keep-alive.
 */

export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

export type Message =
  | { type: 'keep-alive' }
  | { type: 'choke' }
  | { type: 'unchoke' }
  | { type: 'interested' }
  | { type: 'not-interested' }
  | { type: 'have'; index: number }
  | { type: 'bitfield'; bitfield: Uint8Array }
  | { type: 'request'; index: number; begin: number; length: number }
  | { type: 'piece'; index: number; begin: number; block: Buffer }
  | { type: 'cancel'; index: number; begin: number; length: number }
  | { type: 'port'; port: number }
  | { type: 'suggest'; index: number }
  | { type: 'have-all' }
  | { type: 'have-none' }
  | { type: 'reject'; index: number; begin: number; length: number }
  | { type: 'allowed-fast'; index: number }
  | { type: 'extended'; id: number; payload: Buffer };

export type MessageType = Message['type'];

export const MessageId = {
  choke: 0,
  unchoke: 1,
  interested: 2,
  'not-interested': 3,
  have: 4,
  bitfield: 5,
  request: 6,
  piece: 7,
  cancel: 8,
  port: 9,
  suggest: 0x0d,
  'have-all': 0x0e,
  'have-none': 0x0f,
  reject: 0x10,
  'allowed-fast': 0x11,
  extended: 20,
} as const satisfies Record<Exclude<MessageType, 'keep-alive'>, number>;

/** Message types defined by BEP 6; only legal when both sides set the fast bit. */
export const FAST_TYPES: ReadonlySet<MessageType> = new Set(['suggest', 'have-all', 'have-none', 'reject', 'allowed-fast']);

/** Bytes before the block in a piece message: length prefix, id, index, begin. */
export const PIECE_HEADER_LENGTH = 13;

function checkU32(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`${name} must be a u32, got ${v}`);
}

function simple(id: number): Buffer {
  const b = Buffer.allocUnsafe(5);
  b.writeUInt32BE(1, 0);
  b[4] = id;
  return b;
}

function withIndex(id: number, index: number): Buffer {
  checkU32('index', index);
  const b = Buffer.allocUnsafe(9);
  b.writeUInt32BE(5, 0);
  b[4] = id;
  b.writeUInt32BE(index, 5);
  return b;
}

function withTriple(id: number, index: number, begin: number, length: number): Buffer {
  const b = Buffer.allocUnsafe(17);
  writeTriple(b, 0, id, index, begin, length);
  return b;
}

function writeTriple(b: Buffer, at: number, id: number, index: number, begin: number, length: number): void {
  checkU32('index', index);
  checkU32('begin', begin);
  checkU32('length', length);
  b.writeUInt32BE(13, at);
  b[at + 4] = id;
  b.writeUInt32BE(index, at + 5);
  b.writeUInt32BE(begin, at + 9);
  b.writeUInt32BE(length, at + 13);
}

/** Many request messages in one buffer: one write instead of one per request. */
export function encodeRequests(requests: readonly { index: number; begin: number; length: number }[]): Buffer {
  const b = Buffer.allocUnsafe(17 * requests.length);
  requests.forEach((r, i) => writeTriple(b, 17 * i, MessageId.request, r.index, r.begin, r.length));
  return b;
}

/** The 13-byte prefix of a piece message carrying `blockLength` bytes. */
export function encodePieceHeader(index: number, begin: number, blockLength: number): Buffer {
  checkU32('index', index);
  checkU32('begin', begin);
  const b = Buffer.allocUnsafe(PIECE_HEADER_LENGTH);
  b.writeUInt32BE(9 + blockLength, 0);
  b[4] = MessageId.piece;
  b.writeUInt32BE(index, 5);
  b.writeUInt32BE(begin, 9);
  return b;
}

/**
 * The bytes before the payload of a message whose payload is sent as a separate buffer
 * (bitfield, extended): length prefix, id and, for extended, the extension id.
 */
export function encodePayloadHeader(id: number, payloadLength: number, extendedId?: number): Buffer {
  const ext = extendedId === undefined ? 0 : 1;
  const b = Buffer.allocUnsafe(5 + ext);
  b.writeUInt32BE(1 + ext + payloadLength, 0);
  b[4] = id;
  if (ext) b[5] = extendedId!;
  return b;
}

export function encodeMessage(m: Message): Buffer {
  switch (m.type) {
    case 'keep-alive':
      return Buffer.alloc(4);
    case 'choke':
    case 'unchoke':
    case 'interested':
    case 'not-interested':
    case 'have-all':
    case 'have-none':
      return simple(MessageId[m.type]);
    case 'have':
    case 'suggest':
    case 'allowed-fast':
      return withIndex(MessageId[m.type], m.index);
    case 'request':
    case 'cancel':
    case 'reject':
      return withTriple(MessageId[m.type], m.index, m.begin, m.length);
    case 'bitfield':
      return Buffer.concat([encodePayloadHeader(MessageId.bitfield, m.bitfield.length), m.bitfield]);
    case 'piece':
      return Buffer.concat([encodePieceHeader(m.index, m.begin, m.block.length), m.block]);
    case 'port': {
      if (!Number.isInteger(m.port) || m.port < 0 || m.port > 0xffff) throw new RangeError(`bad port ${m.port}`);
      const b = Buffer.allocUnsafe(7);
      b.writeUInt32BE(3, 0);
      b[4] = MessageId.port;
      b.writeUInt16BE(m.port, 5);
      return b;
    }
    case 'extended':
      if (!Number.isInteger(m.id) || m.id < 0 || m.id > 255) throw new RangeError(`bad extended message id ${m.id}`);
      return Buffer.concat([encodePayloadHeader(MessageId.extended, m.payload.length, m.id), m.payload]);
  }
}

function expectLength(name: string, body: Buffer, length: number): void {
  if (body.length !== length) throw new ProtocolError(`${name} message must be ${length} bytes, got ${body.length}`);
}

/**
 * Decodes one message body (the bytes after the length prefix), or returns null for an
 * unknown id (the protocol says to ignore those). Payloads are views into `body`, not copies.
 */
export function tryDecodeMessage(body: Buffer): Message | null {
  if (body.length === 0) return { type: 'keep-alive' };
  switch (body[0]) {
    case MessageId.choke:
      expectLength('choke', body, 1);
      return { type: 'choke' };
    case MessageId.unchoke:
      expectLength('unchoke', body, 1);
      return { type: 'unchoke' };
    case MessageId.interested:
      expectLength('interested', body, 1);
      return { type: 'interested' };
    case MessageId['not-interested']:
      expectLength('not-interested', body, 1);
      return { type: 'not-interested' };
    case MessageId['have-all']:
      expectLength('have-all', body, 1);
      return { type: 'have-all' };
    case MessageId['have-none']:
      expectLength('have-none', body, 1);
      return { type: 'have-none' };
    case MessageId.have:
      expectLength('have', body, 5);
      return { type: 'have', index: body.readUInt32BE(1) };
    case MessageId.suggest:
      expectLength('suggest', body, 5);
      return { type: 'suggest', index: body.readUInt32BE(1) };
    case MessageId['allowed-fast']:
      expectLength('allowed-fast', body, 5);
      return { type: 'allowed-fast', index: body.readUInt32BE(1) };
    case MessageId.request:
      expectLength('request', body, 13);
      return { type: 'request', index: body.readUInt32BE(1), begin: body.readUInt32BE(5), length: body.readUInt32BE(9) };
    case MessageId.cancel:
      expectLength('cancel', body, 13);
      return { type: 'cancel', index: body.readUInt32BE(1), begin: body.readUInt32BE(5), length: body.readUInt32BE(9) };
    case MessageId.reject:
      expectLength('reject', body, 13);
      return { type: 'reject', index: body.readUInt32BE(1), begin: body.readUInt32BE(5), length: body.readUInt32BE(9) };
    case MessageId.bitfield:
      return { type: 'bitfield', bitfield: body.subarray(1) };
    case MessageId.piece:
      if (body.length < 9) throw new ProtocolError(`piece message too short (${body.length} bytes)`);
      return { type: 'piece', index: body.readUInt32BE(1), begin: body.readUInt32BE(5), block: body.subarray(9) };
    case MessageId.port:
      expectLength('port', body, 3);
      return { type: 'port', port: body.readUInt16BE(1) };
    case MessageId.extended:
      if (body.length < 2) throw new ProtocolError('extended message without an extension id');
      return { type: 'extended', id: body[1]!, payload: body.subarray(2) };
    default:
      return null;
  }
}

/** Like tryDecodeMessage, but an unknown id is a ProtocolError too. */
export function decodeMessage(body: Buffer): Message {
  const m = tryDecodeMessage(body);
  if (m === null) throw new ProtocolError(`unknown message id ${body[0]}`);
  return m;
}
