/** BEP 9 ut_metadata messages: a bencoded dictionary, followed by the piece's bytes for `data`. */
import { BencodeError, decodeDetailed, encode, isDict, isInt, type BDict } from '../codec/bencode.js';

export const METADATA_PIECE_SIZE = 16 * 1024;
/** Larger metadata is refused: real info dicts are well under this (a 10,000-file torrent is ~1 MiB). */
export const MAX_METADATA_SIZE = 16 * 1024 * 1024;

export type MetadataMessage =
  | { type: 'request'; piece: number }
  | { type: 'data'; piece: number; totalSize: number; data: Buffer }
  | { type: 'reject'; piece: number };

const TYPE_IDS = { request: 0, data: 1, reject: 2 } as const;

export function encodeMetadataMessage(m: MetadataMessage): Buffer {
  const d: BDict = new Map([
    ['msg_type', TYPE_IDS[m.type]],
    ['piece', m.piece],
  ]);
  if (m.type === 'data') {
    d.set('total_size', m.totalSize);
    return Buffer.concat([encode(d), m.data]);
  }
  return encode(d);
}

/** Returns undefined for anything malformed or of an unknown type (BEP 9: ignore those). */
export function decodeMetadataMessage(payload: Buffer): MetadataMessage | undefined {
  let decoded;
  try {
    decoded = decodeDetailed(payload, { allowTrailing: true, maxDepth: 4 });
  } catch (error) {
    if (error instanceof BencodeError) return undefined;
    throw error;
  }
  const d = decoded.value;
  if (!isDict(d)) return undefined;
  const type = smallInt(d.get('msg_type'));
  const piece = smallInt(d.get('piece'));
  if (type === undefined || piece === undefined) return undefined;
  const trailing = payload.subarray(decoded.end);
  if (type === 0 || type === 2) return trailing.length === 0 ? { type: type === 0 ? 'request' : 'reject', piece } : undefined;
  if (type !== 1) return undefined;
  const totalSize = smallInt(d.get('total_size'));
  if (totalSize === undefined) return undefined;
  return { type: 'data', piece, totalSize, data: trailing };
}

function smallInt(v: unknown): number | undefined {
  if (!isInt(v as never)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

export function metadataPieceCount(size: number): number {
  return Math.ceil(size / METADATA_PIECE_SIZE);
}

export function metadataPieceLength(size: number, piece: number): number {
  return Math.min(METADATA_PIECE_SIZE, size - piece * METADATA_PIECE_SIZE);
}
