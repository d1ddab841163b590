/** BEP 19: which URLs and byte ranges hold a range of the torrent's data. */
import type { Metainfo } from '../../metainfo/metainfo.js';
import { mapRange } from '../../storage/file-map.js';

export type RangePart =
  /** Bytes [start, start + length) of the file at `url`. */
  | { url: string; start: number; length: number }
  /** A BEP 47 padding file: zeros, not fetched. */
  | { zeros: number };

type Layout = Pick<Metainfo, 'name' | 'files'>;

export function isSingleFile(meta: Layout): boolean {
  return meta.files.length === 1 && meta.files[0]!.path.length === 1;
}

/**
 * The URL of one file: a single-file torrent's URL is the file itself (or, ending in '/', the
 * directory holding it); a multi-file torrent's files are under URL/name/path, each component
 * percent-encoded.
 */
export function fileUrl(base: string, meta: Layout, fileIndex: number): string {
  const file = meta.files[fileIndex]!;
  if (isSingleFile(meta)) return base.endsWith('/') ? base + encodeURIComponent(meta.name) : base;
  return (base.endsWith('/') ? base : `${base}/`) + file.path.map(encodeURIComponent).join('/');
}

/** The parts, in order, that make up `length` bytes of the torrent from `offset`. */
export function planRange(base: string, meta: Layout, offset: number, length: number): RangePart[] {
  return mapRange(meta.files, offset, length).map((slice) => {
    const file = meta.files[slice.fileIndex]!;
    if (file.padding) return { zeros: slice.length };
    return { url: fileUrl(base, meta, slice.fileIndex), start: slice.fileOffset, length: slice.length };
  });
}
