/**
 * Parsing a whole .torrent (or a bare info dictionary): the top-level fields, info-hashes,
 * trackers and web seeds; the file lists are v1-files.ts's and v2-file-tree.ts's.
 */
import { createHash } from 'node:crypto';
import { readFile, readFileSync, stat, statSync } from 'node:fs';
import { BencodeError, decode, decodeDetailed, isBytes, isDict, type BDict, type BValue } from '../codec/bencode.js';
import { optionalInt, requiredInt, tolerantText, toBuffer, utf8, utf8Field } from './fields.js';
import type { FileTable } from './file-table.js';
import { checkComponent } from './path-checks.js';
import {
  MAX_DECODE_TOKENS,
  MAX_PIECE_COUNT,
  MAX_PIECE_LENGTH,
  MAX_TORRENT_FILE_SIZE,
  MetainfoError,
  MIN_V2_PIECE_LENGTH,
  type Layout,
  type Metainfo,
  type ParseOptions,
  type TorrentFileEntry,
  type V2Layout,
} from './types.js';
import { V1FileList, v1Files } from './v1-files.js';
import { checkHybridConsistency, pieceLayers, v1Content, v2Files } from './v2-file-tree.js';

/** SHA-1 of the info dictionary's exact bytes, as 40 lowercase hex chars. */
export function infoHashFromInfoBytes(infoBytes: Uint8Array): string {
  return createHash('sha1').update(infoBytes).digest('hex');
}

/** SHA-256 of the info dictionary's exact bytes (the v2 info-hash), as 64 lowercase hex chars. */
export function infoHashV2FromInfoBytes(infoBytes: Uint8Array): string {
  return createHash('sha256').update(infoBytes).digest('hex');
}

export function parseMetainfo(data: Uint8Array, options: ParseOptions = {}): Metainfo {
  return parseTorrent(data, options, true);
}

/** parseMetainfo with the `files` list decoded whole before any file is looked at; tests compare the two. */
export function parseMetainfoWhole(data: Uint8Array, options: ParseOptions = {}): Metainfo {
  return parseTorrent(data, options, false);
}

function parseTorrent(data: Uint8Array, options: ParseOptions, streamFiles: boolean): Metainfo {
  // Each entry of the info dictionary's `files` list becomes a file entry as soon as it is
  // decoded. Kept until the whole list was decoded, every entry's dictionary, path list and
  // buffers were copied by each young-generation collection and then promoted: ~6 ms of the
  // ~37 ms a 10,000-file torrent took to parse, cold.
  const stream = streamFiles ? new V1FileList(options) : undefined;
  let decoded;
  try {
    decoded = decodeDetailed(data, { maxTokens: options.maxTokens ?? MAX_DECODE_TOKENS, spanDepth: 1, stream });
  } catch (error) {
    if (error instanceof BencodeError) throw new MetainfoError(`not a torrent file: bad bencode: ${error.message}`);
    throw error;
  }
  const root = decoded.value;
  if (!isDict(root)) throw new MetainfoError('not a torrent file: top level is not a dictionary');
  const info = root.get('info');
  if (info === undefined) throw new MetainfoError("missing 'info' dictionary");
  if (!isDict(info)) throw new MetainfoError("'info' is not a dictionary");
  const [start, end] = decoded.spans.get(info)!;
  const infoBytes = toBuffer(data).subarray(start, end);
  const layers = root.get('piece layers');
  // Streamed, `root` holds the V1FileList: `raw` is decoded again, whole, if someone asks for it.
  return buildMetainfo(info, infoBytes, root, layers, options, streamFiles ? data : undefined);
}

const RAW_SOURCE = Symbol('raw source');
const RAW_DECODED = Symbol('raw decoded');

interface LazyRaw {
  [RAW_SOURCE]: Uint8Array;
  [RAW_DECODED]?: BDict;
}

/**
 * `raw` decoded from the torrent file on first read. One accessor pair for every Metainfo, its
 * source in a symbol property: per-object closures put each Metainfo in dictionary mode (~1.1 KB
 * a torrent, 11 MB at 10,000).
 */
const lazyRaw: PropertyDescriptor = {
  enumerable: true,
  configurable: true,
  get(this: LazyRaw): BDict {
    return (this[RAW_DECODED] ??= decode(this[RAW_SOURCE]) as BDict);
  },
  set(this: LazyRaw, value: BDict) {
    this[RAW_DECODED] = value;
  },
};

const FILES = Symbol('files');

interface LazyFiles {
  fileTable?: FileTable;
  [FILES]?: TorrentFileEntry[];
}

/**
 * `files` made from the file table on first read (a one-shot summary never needs them), with
 * the same shared accessor pair as `raw`; the table is let go then, or when a list is assigned.
 */
const lazyFiles: PropertyDescriptor = {
  enumerable: true,
  configurable: true,
  get(this: LazyFiles): TorrentFileEntry[] {
    if (this[FILES] === undefined) {
      this[FILES] = this.fileTable!.files();
      // The entries are what the engine keeps; a session of thousands of torrents keeps no table beside them.
      this.fileTable = undefined;
    }
    return this[FILES];
  },
  set(this: LazyFiles, value: TorrentFileEntry[]) {
    this[FILES] = value;
    this.fileTable = undefined;
  },
};

/** The place of `files` in a Metainfo whose files are made on first read. */
const NOT_YET: TorrentFileEntry[] = [];

function defineLazyFiles(metainfo: object, table: FileTable): void {
  Object.defineProperty(metainfo, 'fileTable', { value: table, writable: true, configurable: true, enumerable: false });
  Object.defineProperty(metainfo, FILES, { value: undefined, writable: true });
  Object.defineProperty(metainfo, 'files', lazyFiles);
}

function defineLazyRaw(metainfo: Omit<Metainfo, 'raw'>, source: Uint8Array): Metainfo {
  Object.defineProperty(metainfo, RAW_SOURCE, { value: source, writable: true });
  Object.defineProperty(metainfo, RAW_DECODED, { value: undefined, writable: true });
  return Object.defineProperty(metainfo, 'raw', lazyRaw) as Metainfo;
}

/**
 * A Metainfo from a bare info dictionary (what ut_metadata delivers for a magnet), with
 * trackers and web seeds the caller knows of (from the magnet).
 */
export function metainfoFromInfoBytes(
  infoBytes: Uint8Array,
  extras: { announce?: string[][]; urlList?: string[] } = {},
  options: ParseOptions = {},
): Metainfo {
  let info: BValue;
  try {
    info = decodeDetailed(infoBytes, { maxTokens: options.maxTokens ?? MAX_DECODE_TOKENS, spanDepth: -1 }).value;
  } catch (error) {
    if (error instanceof BencodeError) throw new MetainfoError(`bad info dictionary: ${error.message}`);
    throw error;
  }
  if (!isDict(info)) throw new MetainfoError('info is not a dictionary');
  const metainfo = buildMetainfo(info, toBuffer(infoBytes), new Map([['info', info]]), undefined, options);
  metainfo.announce = extras.announce ?? [];
  metainfo.urlList = extras.urlList ?? [];
  return metainfo;
}

/** Reads and parses a .torrent file; every error message starts with the path given. */
export async function readMetainfoFile(path: string, options: ParseOptions = {}): Promise<Metainfo> {
  // node:fs's callbacks, not node:fs/promises: that module (and the streams and readline it
  // pulls in) costs `btui metainfo` a few ms of start-up for two calls.
  const size = (
    await new Promise<{ size: number }>((resolve, reject) => stat(path, (error, stats) => (error ? reject(error) : resolve(stats))))
  ).size;
  if (size > MAX_TORRENT_FILE_SIZE) throw new MetainfoError(`${path}: too large for a .torrent file (${size} bytes)`);
  const data = await new Promise<Buffer>((resolve, reject) => readFile(path, (error, bytes) => (error ? reject(error) : resolve(bytes))));
  try {
    return parseMetainfo(data, options);
  } catch (error) {
    if (error instanceof MetainfoError) throw new MetainfoError(`${path}: ${error.message}`);
    throw error;
  }
}

/**
 * readMetainfoFile for a one-shot command, which has nothing else to do meanwhile: no round trips
 * through libuv's thread pool, whose four threads are then never started.
 */
export function readMetainfoFileSync(path: string, options: ParseOptions = {}): Metainfo {
  const { size } = statSync(path);
  if (size > MAX_TORRENT_FILE_SIZE) throw new MetainfoError(`${path}: too large for a .torrent file (${size} bytes)`);
  const data = readFileSync(path);
  try {
    return parseMetainfo(data, options);
  } catch (error) {
    if (error instanceof MetainfoError) throw new MetainfoError(`${path}: ${error.message}`);
    throw error;
  }
}

function buildMetainfo(
  info: BDict,
  infoBytes: Buffer,
  root: BDict,
  layersValue: BValue | undefined,
  options: ParseOptions,
  /** The whole torrent file, for a `raw` decoded on first read instead of `root`. */
  rawSource?: Uint8Array,
): Metainfo {
  const metaVersion = optionalInt(info, 'meta version', 'info');
  if (metaVersion !== undefined && metaVersion !== 1 && metaVersion !== 2) {
    throw new MetainfoError(`unsupported meta version ${metaVersion}`);
  }
  const hasV2 = metaVersion === 2;
  const hasV1 = !hasV2 || info.has('pieces');
  const version: Metainfo['version'] = hasV1 && hasV2 ? 'hybrid' : hasV2 ? 2 : 1;

  const pieceLength = requiredInt(info, 'piece length', 'info');
  if (pieceLength <= 0) throw new MetainfoError(`piece length ${pieceLength} is not positive`);
  if (pieceLength > MAX_PIECE_LENGTH) throw new MetainfoError(`piece length ${pieceLength} is larger than ${MAX_PIECE_LENGTH}`);
  if (hasV2 && (pieceLength < MIN_V2_PIECE_LENGTH || (pieceLength & (pieceLength - 1)) !== 0)) {
    throw new MetainfoError(`piece length ${pieceLength} is not a power of two of at least 16 KiB (required by v2)`);
  }

  let name = utf8Field(info, 'name', 'info');
  if (name === undefined) throw new MetainfoError("missing 'name' in info");
  checkComponent(name, 'name', options);

  let v1: Layout | undefined;
  if (hasV1) v1 = v1Files(info, name, pieceLength, options);
  let v2: V2Layout | undefined;
  if (hasV2) {
    v2 = v2Files(info, name, pieceLength, options);
    if (v2.singleFileName !== undefined && !hasV1) name = v2.singleFileName;
  }

  let pieces: Buffer = Buffer.alloc(0);
  let layout: Layout;
  let pieceCount: number;
  if (v1) {
    const piecesValue = info.get('pieces');
    if (piecesValue === undefined) throw new MetainfoError("missing 'pieces' in info");
    if (!isBytes(piecesValue)) throw new MetainfoError("'pieces' is not a byte string");
    if (piecesValue.length % 20 !== 0) throw new MetainfoError(`pieces length ${piecesValue.length} is not a multiple of 20`);
    pieces = toBuffer(piecesValue);
    pieceCount = Math.ceil(v1.length / pieceLength);
    if (pieces.length / 20 !== pieceCount) {
      throw new MetainfoError(
        `${pieces.length / 20} piece hashes for ${pieceCount} pieces (${v1.length} bytes in pieces of ${pieceLength})`,
      );
    }
    layout = v1;
    if (v2) checkHybridConsistency(v1, v2, pieceLength);
  } else {
    layout = v2!;
    pieceCount = v2!.pieceCount;
  }
  if (pieceCount > MAX_PIECE_COUNT) throw new MetainfoError(`too many pieces (${pieceCount})`);

  const infoHashV2 = hasV2 ? infoHashV2FromInfoBytes(infoBytes) : undefined;
  const infoHash = hasV1 ? infoHashFromInfoBytes(infoBytes) : infoHashV2!.slice(0, 40);

  // Made on first read only when asked: elsewhere `files` stays a plain property, as the engine's
  // per-block code reads it.
  const lazyTable = options.lazyFiles === true ? layout.table : undefined;
  const metainfo: Omit<Metainfo, 'raw'> & { raw?: BDict } = {
    infoHash,
    infoHashBuffer: Buffer.from(infoHash, 'hex'),
    version,
    name,
    length: layout.length,
    contentLength: layout.contentLength,
    pieceLength,
    pieceCount,
    pieces,
    private: optionalInt(info, 'private', 'info') === 1,
    files: lazyTable ? NOT_YET : layout.files,
    announce: trackerTiers(root),
    urlList: webSeeds(root),
    infoBytes,
  };
  if (lazyTable) defineLazyFiles(metainfo, lazyTable);
  if (infoHashV2) metainfo.infoHashV2 = infoHashV2;
  if (v2) {
    if (v1) {
      const v2Content = v2.files.filter((f) => !f.padding);
      v1Content(v1).forEach((file, i) => {
        const root = v2Content[i]!.piecesRoot;
        if (root) file.piecesRoot = root;
      });
    }
    metainfo.pieceLayers = pieceLayers(layersValue, layout.files, pieceLength);
  }
  const creationDate = root.get('creation date');
  if (typeof creationDate === 'number') metainfo.creationDate = creationDate;
  // Outer descriptive fields of the wrong type are ignored, as libtorrent does: they
  // say nothing about the data, and some old tools wrote them oddly.
  const createdBy = tolerantText(root, 'created by');
  if (createdBy !== undefined) metainfo.createdBy = createdBy;
  const comment = tolerantText(root, 'comment.utf-8') ?? tolerantText(root, 'comment');
  if (comment !== undefined) metainfo.comment = comment;
  const source = tolerantText(info, 'source');
  if (source !== undefined) metainfo.source = source;
  if (rawSource) return defineLazyRaw(metainfo as Omit<Metainfo, 'raw'>, rawSource);
  metainfo.raw = root;
  return metainfo as Metainfo;
}

function trackerTiers(root: BDict): string[][] {
  const tiers: string[][] = [];
  const seen = new Set<string>();
  const list = root.get('announce-list');
  if (list !== undefined) {
    if (!Array.isArray(list)) throw new MetainfoError("'announce-list' is not a list");
    for (const tierValue of list) {
      if (!Array.isArray(tierValue)) throw new MetainfoError("'announce-list' has a tier that is not a list");
      const tier: string[] = [];
      for (const url of tierValue) {
        if (!isBytes(url)) throw new MetainfoError("'announce-list' has a URL that is not a byte string");
        const text = utf8(url).trim();
        if (text && !seen.has(text)) {
          seen.add(text);
          tier.push(text);
        }
      }
      if (tier.length > 0) tiers.push(tier);
    }
  }
  const announce = root.get('announce');
  if (announce !== undefined && !isBytes(announce)) throw new MetainfoError("'announce' is not a byte string");
  // BEP 12: with a usable announce-list, announce is ignored.
  if (tiers.length === 0 && announce && announce.length > 0) tiers.push([utf8(announce).trim()]);
  return tiers;
}

function webSeeds(root: BDict): string[] {
  const value = root.get('url-list');
  if (value === undefined) return [];
  const list = isBytes(value) ? [value] : value;
  if (!Array.isArray(list)) throw new MetainfoError("'url-list' is neither a string nor a list");
  const urls: string[] = [];
  for (const url of list) {
    if (!isBytes(url)) throw new MetainfoError("'url-list' has an entry that is not a byte string");
    const text = utf8(url).trim();
    if (text && !urls.includes(text)) urls.push(text);
  }
  return urls;
}
