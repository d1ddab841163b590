/** The BEP 3 handshake: <19><"BitTorrent protocol"><8 reserved><20 info-hash><20 peer id>. */
import { ProtocolError } from './messages.js';

export const PROTOCOL = Buffer.from('\x13BitTorrent protocol', 'latin1');
export const HANDSHAKE_LENGTH = 68;

export interface Handshake {
  infoHash: Buffer;
  peerId: Buffer;
  /** BEP 10 extension protocol (reserved byte 5, 0x10). */
  extended: boolean;
  /** BEP 6 fast extension (reserved byte 7, 0x04). */
  fast: boolean;
  /** BEP 5 DHT port message (reserved byte 7, 0x01). */
  dht: boolean;
  reserved: Buffer;
}

export function encodeHandshake(
  infoHash: Buffer,
  peerId: Buffer,
  opts: { extended?: boolean; fast?: boolean; dht?: boolean } = {},
): Buffer {
  if (infoHash.length !== 20) throw new RangeError(`info-hash must be 20 bytes, got ${infoHash.length}`);
  if (peerId.length !== 20) throw new RangeError(`peer id must be 20 bytes, got ${peerId.length}`);
  const b = Buffer.alloc(HANDSHAKE_LENGTH);
  PROTOCOL.copy(b, 0);
  if (opts.extended) b[25] |= 0x10;
  if (opts.fast) b[27] |= 0x04;
  if (opts.dht) b[27] |= 0x01;
  infoHash.copy(b, 28);
  peerId.copy(b, 48);
  return b;
}

/** Index of the first byte of `buf` that cannot start a handshake, or -1 if all may. */
export function badHandshakePrefix(buf: Uint8Array): number {
  const n = Math.min(buf.length, PROTOCOL.length);
  for (let i = 0; i < n; i++) if (buf[i] !== PROTOCOL[i]) return i;
  return -1;
}

export function decodeHandshake(buf: Buffer): Handshake {
  if (buf.length < HANDSHAKE_LENGTH) throw new ProtocolError(`handshake must be ${HANDSHAKE_LENGTH} bytes, got ${buf.length}`);
  if (badHandshakePrefix(buf) !== -1) throw new ProtocolError('not a BitTorrent handshake');
  // Copies, so that keeping the handshake does not pin a whole receive buffer.
  const reserved = Buffer.from(buf.subarray(20, 28));
  return {
    infoHash: Buffer.from(buf.subarray(28, 48)),
    peerId: Buffer.from(buf.subarray(48, 68)),
    extended: (reserved[5]! & 0x10) !== 0,
    fast: (reserved[7]! & 0x04) !== 0,
    dht: (reserved[7]! & 0x01) !== 0,
    reserved,
  };
}
