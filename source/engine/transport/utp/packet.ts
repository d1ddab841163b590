/**
 * BEP 29 packet codec: the 20-byte header, its extension chain (selective ACK is the one
 * we read and write; unknown ones are skipped), and the payload.
 *
 *   0: type << 4 | version   1: first extension   2: connection_id (u16)
 *   4: timestamp_microseconds (u32)   8: timestamp_difference_microseconds (u32)
 *  12: wnd_size (u32)   16: seq_nr (u16)   18: ack_nr (u16)
 */
export const enum PacketType {
  Data = 0,
  Fin = 1,
  State = 2,
  Reset = 3,
  Syn = 4,
}

export const UTP_VERSION = 1;
export const HEADER_BYTES = 20;
const EXTENSION_SACK = 1;

export interface UtpHeader {
  type: PacketType;
  connectionId: number;
  timestamp: number;
  timestampDiff: number;
  windowSize: number;
  seq: number;
  ack: number;
}

export interface UtpPacket extends UtpHeader {
  /** Selective ACK bitmask: bit i (LSB first within each byte) acknowledges ack + 2 + i. */
  sack?: Uint8Array;
  payload: Buffer;
}

/** Whether a datagram looks like uTP (as opposed to a DHT message, which starts with 'd'). */
export function isUtpDatagram(packet: Buffer): boolean {
  return packet.length >= HEADER_BYTES && (packet[0]! & 0x0f) === UTP_VERSION && packet[0]! >> 4 <= PacketType.Syn;
}

/** Undefined for anything malformed: a wrong version or type, or an extension running past the end. */
export function decodePacket(packet: Buffer): UtpPacket | undefined {
  if (!isUtpDatagram(packet)) return undefined;
  let sack: Uint8Array | undefined;
  let extension = packet[1]!;
  let offset = HEADER_BYTES;
  while (extension !== 0) {
    if (offset + 2 > packet.length) return undefined;
    const next = packet[offset]!;
    const length = packet[offset + 1]!;
    const start = offset + 2;
    if (start + length > packet.length) return undefined;
    // BEP 29 asks for a multiple of 4 bytes; any length is read (bits past the end are simply absent).
    if (extension === EXTENSION_SACK && length > 0) sack = packet.subarray(start, start + length);
    extension = next;
    offset = start + length;
  }
  return {
    type: packet[0]! >> 4,
    connectionId: packet.readUInt16BE(2),
    timestamp: packet.readUInt32BE(4),
    timestampDiff: packet.readUInt32BE(8),
    windowSize: packet.readUInt32BE(12),
    seq: packet.readUInt16BE(16),
    ack: packet.readUInt16BE(18),
    sack,
    payload: packet.subarray(offset),
  };
}

/** Bytes the header and a selective ACK of `sackBytes` take. */
export function headerLength(sackBytes = 0): number {
  return HEADER_BYTES + (sackBytes > 0 ? 2 + sackBytes : 0);
}

/**
 * Writes the header (and selective ACK) at the start of `out`, whose payload, if any, the
 * caller has placed at headerLength(sack.length). Returns `out`.
 */
export function writeHeader(out: Buffer, h: UtpHeader, sack?: Uint8Array): Buffer {
  out[0] = (h.type << 4) | UTP_VERSION;
  out[1] = sack && sack.length > 0 ? EXTENSION_SACK : 0;
  out.writeUInt16BE(h.connectionId & 0xffff, 2);
  out.writeUInt32BE(h.timestamp >>> 0, 4);
  out.writeUInt32BE(h.timestampDiff >>> 0, 8);
  out.writeUInt32BE(Math.min(h.windowSize, 0xffffffff) >>> 0, 12);
  out.writeUInt16BE(h.seq & 0xffff, 16);
  out.writeUInt16BE(h.ack & 0xffff, 18);
  if (sack && sack.length > 0) {
    out[20] = 0;
    out[21] = sack.length;
    out.set(sack, 22);
  }
  return out;
}

export function encodePacket(p: UtpPacket): Buffer {
  const length = headerLength(p.sack?.length ?? 0);
  const out = Buffer.allocUnsafe(length + p.payload.length);
  writeHeader(out, p, p.sack);
  p.payload.copy(out, length);
  return out;
}

/** Re-stamps a packet kept for retransmission: new timestamps, window and ack. */
export function restamp(out: Buffer, timestamp: number, timestampDiff: number, windowSize: number, ack: number): void {
  out.writeUInt32BE(timestamp >>> 0, 4);
  out.writeUInt32BE(timestampDiff >>> 0, 8);
  out.writeUInt32BE(Math.min(windowSize, 0xffffffff) >>> 0, 12);
  out.writeUInt16BE(ack & 0xffff, 18);
}
