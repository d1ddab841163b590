/**
 * Builds a v1 Metainfo from in-memory files, with real SHA-1 piece hashes and a real
 * info-hash. For tests and in-process seeding; paths are taken as given (not sanitised).
 */
import { createHash } from 'node:crypto';
import { dict, encode, type BDict, type BValue } from '../codec/bencode.js';
import type { Metainfo, TorrentFileEntry } from '../metainfo/metainfo.js';

export interface MemoryFile {
  /** Relative to the torrent's root directory, as in the info dict (the Metainfo gets [name, ...path]). */
  path: string[];
  /** Contents; for a padding file only `length` is used (its bytes are zeros). */
  data?: Uint8Array;
  length?: number;
  padding?: boolean;
}

export interface FromFilesOptions {
  name: string;
  pieceLength: number;
  files: MemoryFile[];
  /** Single-file layout (info `length` instead of `files`); needs exactly one file. */
  single?: boolean;
  announce?: string;
}

export function metainfoFromFiles(options: FromFilesOptions): { meta: Metainfo; data: Buffer } {
  const { name, pieceLength } = options;
  if (options.single && options.files.length !== 1) throw new RangeError('a single-file torrent has one file');
  const chunks: Uint8Array[] = [];
  const files: TorrentFileEntry[] = [];
  let offset = 0;
  for (const f of options.files) {
    const length = f.padding ? (f.length ?? 0) : (f.data?.length ?? f.length ?? 0);
    const bytes = f.padding || !f.data ? new Uint8Array(length) : f.data;
    chunks.push(bytes);
    files.push({ path: options.single ? [name] : [name, ...f.path], length, offset, padding: f.padding ?? false });
    offset += length;
  }
  const data = Buffer.concat(chunks);
  const pieceCount = Math.ceil(data.length / pieceLength);
  const pieces = Buffer.alloc(pieceCount * 20);
  for (let i = 0; i < pieceCount; i++) {
    createHash('sha1')
      .update(data.subarray(i * pieceLength, (i + 1) * pieceLength))
      .digest()
      .copy(pieces, i * 20);
  }
  const info: BDict = dict({ name, 'piece length': pieceLength, pieces });
  if (options.single) {
    info.set('length', data.length);
  } else {
    info.set(
      'files',
      files.map(
        (f): BValue =>
          dict({
            length: f.length,
            path: f.path.slice(1).map((c) => Buffer.from(c, 'utf8')),
            attr: f.padding ? 'p' : undefined,
          }),
      ),
    );
  }
  const infoBytes = encode(info);
  const infoHashBuffer = createHash('sha1').update(infoBytes).digest();
  const raw = dict({ announce: options.announce, info });
  const meta: Metainfo = {
    infoHash: infoHashBuffer.toString('hex'),
    infoHashBuffer,
    version: 1,
    name,
    length: data.length,
    pieceLength,
    pieceCount,
    pieces,
    private: false,
    files,
    announce: options.announce ? [[options.announce]] : [],
    urlList: [],
    infoBytes,
    raw,
    contentLength: files.reduce((n, f) => n + (f.padding ? 0 : f.length), 0),
  };
  return { meta, data };
}
