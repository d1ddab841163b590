import type { Bitfield } from '../codec/bitfield.js';
import type { Metainfo } from '../metainfo/metainfo.js';
import { filePieces } from '../metainfo/piece-layout.js';

/** Each piece gets the highest priority of the files it touches (1 when none are given); padding and empty files count for nothing. */
export function piecePriorities(
  meta: Pick<Metainfo, 'pieceCount' | 'pieceLength' | 'files'>,
  filePriorities: Uint8Array | undefined,
): Uint8Array {
  const result = new Uint8Array(meta.pieceCount);
  meta.files.forEach((f, i) => {
    if (f.length === 0 || f.padding) return;
    const p = filePriorities ? (filePriorities[i] ?? 1) : 1;
    const span = filePieces(f, meta.pieceLength);
    if (!span) return;
    for (let k = span.first; k <= span.last; k++) result[k] = Math.max(result[k]!, p);
  });
  return result;
}

/** Bytes in the pieces we lack (for trackers' `left`). */
export function bytesLeft(have: Bitfield, pieceCount: number, pieceSize: (index: number) => number): number {
  if (have.isComplete()) return 0;
  let left = 0;
  for (let i = 0; i < pieceCount; i++) if (!have.get(i)) left += pieceSize(i);
  return left;
}
