/**
 * Pure mapping between the torrent's concatenated byte space and its files.
 * No I/O here: storage decides what to do with padding and skipped files.
 */
import type { Metainfo, TorrentFileEntry } from '../metainfo/metainfo.js';
import { pieceSize } from '../metainfo/piece-layout.js';

export { filePieces, pieceSize } from '../metainfo/piece-layout.js';

export interface FileSlice {
  fileIndex: number;
  /** Where the slice starts inside the file. */
  fileOffset: number;
  length: number;
  /** Where the slice starts inside the requested range. */
  rangeOffset: number;
}

type FileSpan = Pick<TorrentFileEntry, 'offset' | 'length'>;

/** Index of the file holding byte `offset` (zero-length files never hold a byte), or -1. */
export function fileAt(files: readonly FileSpan[], offset: number): number {
  let lo = 0;
  let hi = files.length - 1;
  let found = -1;
  // Last file whose offset <= `offset`: in a contiguous layout that is the file holding the byte,
  // since zero-length files after it start at its end.
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (files[mid]!.offset <= offset) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  if (found < 0) return -1;
  for (let i = found; i < files.length; i++) {
    const f = files[i]!;
    if (f.offset > offset) return -1;
    if (offset < f.offset + f.length) return i;
  }
  return -1;
}

/** The file slices covering `length` bytes from `offset`; throws RangeError outside the data. */
export function mapRange(files: readonly FileSpan[], offset: number, length: number): FileSlice[] {
  if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0) {
    throw new RangeError(`bad range ${offset}+${length}`);
  }
  const slices: FileSlice[] = [];
  if (length === 0) return slices;
  let i = fileAt(files, offset);
  if (i < 0) throw new RangeError(`range ${offset}+${length} is outside the torrent data`);
  let pos = offset;
  const end = offset + length;
  while (pos < end) {
    const f = files[i];
    if (!f) throw new RangeError(`range ${offset}+${length} is outside the torrent data`);
    if (f.offset > pos) throw new RangeError(`file layout has a gap before file ${i}`);
    if (f.length > 0) {
      const fileOffset = pos - f.offset;
      const n = Math.min(f.length - fileOffset, end - pos);
      slices.push({ fileIndex: i, fileOffset, length: n, rangeOffset: pos - offset });
      pos += n;
    }
    i++;
  }
  return slices;
}

export function mapPiece(meta: Pick<Metainfo, 'files' | 'length' | 'pieceLength' | 'pieceCount'>, index: number): FileSlice[] {
  return mapRange(meta.files, index * meta.pieceLength, pieceSize(meta, index));
}
