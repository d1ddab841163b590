/** What a parsed .torrent is (Metainfo and its file entries), the parser's limits and options. */
import type { BDict } from '../codec/bencode.js';
import type { FileTable } from './file-table.js';
import type { SafePathOptions } from './safe-path.js';

export interface TorrentFileEntry {
  /**
   * Path components, already made safe for the file system (no '..', no absolute, no
   * empty). Like libtorrent's file_path(): a multi-file torrent's paths start with the
   * torrent's name (its root directory); a single-file torrent's path is [name].
   */
  path: string[];
  length: number;
  /** Byte offset of the file within the torrent's concatenated data (v1 layout). */
  offset: number;
  /** BEP 47 padding file: counted in offsets, never written to disk. */
  padding: boolean;
  /** v2: root of the file's SHA-256 merkle tree (absent for empty files and v1 torrents). */
  piecesRoot?: Buffer;
}

export interface Metainfo {
  /** v1 info-hash (SHA-1 of the info dict), 40 hex chars; for a v2-only torrent, the truncated v2 hash. */
  infoHash: string;
  infoHashBuffer: Buffer;
  /** v2 info-hash (SHA-256), 64 hex chars, for v2 and hybrid torrents. */
  infoHashV2?: string;
  version: 1 | 2 | 'hybrid';
  name: string;
  /**
   * Bytes in the piece layout, padding included (libtorrent's total_size); pieces are
   * cut from this. For a v2-only torrent, files are padded to piece boundaries as in a
   * hybrid torrent, except after the last file.
   */
  length: number;
  pieceLength: number;
  pieceCount: number;
  /** Concatenated 20-byte SHA-1 piece hashes (v1 and hybrid). */
  pieces: Buffer;
  private: boolean;
  files: TorrentFileEntry[];
  /**
   * The same files as columns, for a multi-file v1 or hybrid torrent parsed with `lazyFiles`
   * (not enumerable): `files` is made from it on first read, and a summary of ten thousand files
   * needs no more. Gone once `files` is read or assigned (the entries are then what there is).
   */
  fileTable?: FileTable;
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
  /** Bytes of real content: `length` minus padding files (always set by the parser). */
  contentLength?: number;
  /** v2 `piece layers`: hex pieces root -> concatenated 32-byte hashes of that file's pieces. */
  pieceLayers?: Map<string, Buffer>;
}

export class MetainfoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetainfoError';
  }
}

/** libtorrent's limit: larger pieces are refused (and nobody makes them). */
export const MAX_PIECE_LENGTH = 2 ** 29;
/** v2 pieces are power-of-two multiples of the 16 KiB block (BEP 52). */
export const MIN_V2_PIECE_LENGTH = 16 * 1024;
export const MAX_PIECE_COUNT = 2 ** 31 - 1;
/**
 * libtorrent's default limit (max_decode_tokens): about half a million files. It bounds the
 * time and memory one hostile .torrent can cost before it is refused.
 */
export const MAX_DECODE_TOKENS = 3_000_000;
/** A .torrent larger than this is certainly something else (an ISO passed by mistake). */
export const MAX_TORRENT_FILE_SIZE = 64 * 1024 * 1024;

export interface ParseOptions extends SafePathOptions {
  /** Most bencode values a .torrent may hold; default MAX_DECODE_TOKENS. */
  maxTokens?: number;
  /**
   * A multi-file v1 or hybrid torrent's `files` made on first read, its `fileTable` set until
   * then (for a one-shot summary, which needs only the table). Otherwise `files` is made at once
   * and is a plain property.
   */
  lazyFiles?: boolean;
}

/** The files of one side (v1 or v2) of a torrent, and the bytes they lay out. */
export interface Layout {
  files: TorrentFileEntry[];
  /** v1's `files` list as columns, parsed with `lazyFiles` (its `files` made from them on first read). */
  table?: FileTable;
  length: number;
  contentLength: number;
}

export interface V2Layout extends Layout {
  pieceCount: number;
  /** Set when the file tree holds one file at its root: a single-file torrent named by it. */
  singleFileName?: string;
}
