/**
 * How a torrent's concatenated bytes are cut into pieces: the size of one piece, and the
 * pieces a file's bytes touch. Pure arithmetic on the metainfo's geometry.
 */
import type { Metainfo, TorrentFileEntry } from './types.js';

export type PieceGeometry = Pick<Metainfo, 'length' | 'pieceLength' | 'pieceCount'>;

/** Bytes in piece `index`; RangeError outside 0..pieceCount-1. */
export function pieceSize(meta: PieceGeometry, index: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= meta.pieceCount) {
    throw new RangeError(`piece ${index} out of range (0..${meta.pieceCount - 1})`);
  }
  return pieceSizeUnchecked(meta.length, meta.pieceLength, meta.pieceCount, index);
}

/**
 * Bytes in piece `index` of `length` bytes cut in `pieceCount` pieces of `pieceLength`: every
 * piece is whole but the last. The index is not checked (the picker asks once per block).
 */
export function pieceSizeUnchecked(length: number, pieceLength: number, pieceCount: number, index: number): number {
  if (index < pieceCount - 1) return pieceLength;
  return length - pieceLength * (pieceCount - 1);
}

/** First and last (inclusive) piece touching a file; undefined for a zero-length file. */
export function filePieces(
  file: Pick<TorrentFileEntry, 'offset' | 'length'>,
  pieceLength: number,
): { first: number; last: number } | undefined {
  if (file.length === 0) return undefined;
  return {
    first: Math.floor(file.offset / pieceLength),
    last: Math.floor((file.offset + file.length - 1) / pieceLength),
  };
}
