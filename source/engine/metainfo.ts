// CONTRACT (filled in by the metainfo work): types other modules rely on.
import type { BDict } from './bencode.js';

export interface TorrentFileEntry {
  /** Path components, already made safe for the file system (no '..', no absolute, no empty). */
  path: string[];
  length: number;
  /** Byte offset of the file within the torrent's concatenated data (v1 layout). */
  offset: number;
  /** BEP 47 padding file: counted in offsets, never written to disk. */
  padding: boolean;
}

export interface Metainfo {
  /** v1 info-hash (SHA-1 of the info dict), 40 hex chars; for a v2-only torrent, the truncated v2 hash. */
  infoHash: string;
  infoHashBuffer: Buffer;
  /** v2 info-hash (SHA-256), 64 hex chars, for v2 and hybrid torrents. */
  infoHashV2?: string;
  version: 1 | 2 | 'hybrid';
  name: string;
  length: number;
  pieceLength: number;
  pieceCount: number;
  /** Concatenated 20-byte SHA-1 piece hashes (v1 and hybrid). */
  pieces: Buffer;
  private: boolean;
  files: TorrentFileEntry[];
  /** Tiers of tracker URLs (BEP 12); a lone `announce` becomes one tier. */
  announce: string[][];
  urlList: string[];
  creationDate?: number;
  createdBy?: string;
  comment?: string;
  source?: string;
  /** The info dictionary's exact bytes (what the info-hash is computed over). */
  infoBytes: Buffer;
  raw: BDict;
}

export class MetainfoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetainfoError';
  }
}

export function parseMetainfo(_data: Uint8Array): Metainfo {
  throw new MetainfoError('not implemented yet');
}
