/**
 * Metainfo (.torrent) parsing: BEP 3 (v1), BEP 52 (v2 and hybrid), BEP 12 tracker
 * tiers, BEP 19 web seeds, BEP 27 private flag, BEP 47 padding files.
 *
 * Validation is at least as strict as libtorrent 2.0 on what it rejects (piece length,
 * piece hash count, lengths, meta version, v1/v2 consistency) and stricter on paths:
 * where libtorrent rewrites a hostile or colliding path, this parser refuses the torrent.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs';
import { BencodeError, compareRanges, decode, decodeDetailed, isBytes, isDict, isInt, latin1, type BDict, type BValue, type ListStream } from '../codec/bencode.js';
import { MAX_COMPONENT_BYTES, MAX_PATH_BYTES, pathBytes, quotePath, safePathComponents, UnsafePathError, unsafeComponentReason, type SafePathOptions } from './safe-path.js';

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
const MAX_PIECE_COUNT = 2 ** 31 - 1;
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
}

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
  const metainfo = buildMetainfo(info, infoBytes, root, layers, options);
  if (streamFiles) {
    // `root` holds the V1FileList: `raw` is decoded again, whole, if someone asks for it.
    let raw: BDict | undefined;
    Object.defineProperty(metainfo, 'raw', {
      enumerable: true,
      get: () => (raw ??= decode(data) as BDict),
      set: (value: BDict) => (raw = value),
    });
  }
  return metainfo;
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
  const size = (await new Promise<{ size: number }>((resolve, reject) => stat(path, (error, stats) => (error ? reject(error) : resolve(stats))))).size;
  if (size > MAX_TORRENT_FILE_SIZE) throw new MetainfoError(`${path}: too large for a .torrent file (${size} bytes)`);
  const data = await new Promise<Buffer>((resolve, reject) => readFile(path, (error, bytes) => (error ? reject(error) : resolve(bytes))));
  try {
    return parseMetainfo(data, options);
  } catch (error) {
    if (error instanceof MetainfoError) throw new MetainfoError(`${path}: ${error.message}`);
    throw error;
  }
}

function buildMetainfo(info: BDict, infoBytes: Buffer, root: BDict, layersValue: BValue | undefined, options: ParseOptions): Metainfo {
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
      throw new MetainfoError(`${pieces.length / 20} piece hashes for ${pieceCount} pieces (${v1.length} bytes in pieces of ${pieceLength})`);
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

  const metainfo: Metainfo = {
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
    files: layout.files,
    announce: trackerTiers(root),
    urlList: webSeeds(root),
    infoBytes,
    raw: root,
  };
  if (infoHashV2) metainfo.infoHashV2 = infoHashV2;
  if (v2) {
    if (v1) {
      const v2Content = v2.files.filter((f) => !f.padding);
      v1Content(v1).forEach((file, i) => {
        const root = v2Content[i]!.piecesRoot;
        if (root) file.piecesRoot = root;
      });
    }
    metainfo.pieceLayers = pieceLayers(layersValue, metainfo.files, pieceLength);
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
  return metainfo;
}

interface Layout {
  files: TorrentFileEntry[];
  length: number;
  contentLength: number;
}

interface V2Layout extends Layout {
  pieceCount: number;
  /** Set when the file tree holds one file at its root: a single-file torrent named by it. */
  singleFileName?: string;
}

function v1Files(info: BDict, name: string, pieceLength: number, options: ParseOptions): Layout {
  const lengthValue = info.get('length');
  const filesValue = info.get('files') as BValue | V1FileList | undefined;
  if (lengthValue !== undefined && filesValue !== undefined) throw new MetainfoError("info has both 'length' and 'files'");
  if (lengthValue !== undefined) {
    const length = checkedLength(lengthValue, "'length'");
    if (length === 0) throw new MetainfoError('torrent holds no data (length 0)');
    return { files: [{ path: [name], length, offset: 0, padding: false }], length, contentLength: length };
  }
  if (filesValue === undefined) throw new MetainfoError("info has neither 'length' nor 'files'");
  if (!Array.isArray(filesValue) && !(filesValue instanceof V1FileList)) throw new MetainfoError("'files' is not a list");
  if (filesValue.length === 0) throw new MetainfoError("'files' is empty");
  if (filesValue instanceof V1FileList) return filesValue.finish(name);
  const list = new V1FileList(options, name);
  for (const entry of filesValue) list.add(entry);
  return list.finish(name);
}

/**
 * A v1 `files` list turned into file entries one entry at a time. Streamed from the decoder
 * (parseMetainfo), the entries come before the torrent's name is known (`name` sorts after
 * `files`): every file's path[0] is then filled in by finish(), which also makes the one check
 * that needs the name (path bytes), and a problem is held back for finish() to throw, so that
 * bencode errors and the info dictionary's earlier checks still come first.
 */
class V1FileList implements ListStream {
  /** Where the decoder finds the list it streams into this one (ListStream). */
  readonly path = ['info', 'files'];
  /** Entries seen. */
  length = 0;
  private readonly files: TorrentFileEntry[] = [];
  private readonly paths = new PathSet();
  private readonly windows: boolean;
  private offset = 0;
  private contentLength = 0;
  private previousBytes: Uint8Array[] = [];
  private previousPath: string[] = [];
  /** The last entry taken by rawItem (its path, name first), and where its components start and their lengths. */
  private previousRaw: string[] = [];
  private readonly rawStarts: number[] = [];
  private readonly rawLengths: number[] = [];
  /** Without the name: the longest path's UTF-16 units plus separators, and the last path built. */
  private longest = 0;
  private lastPath: string[] = [];
  private lastPathIndex = -1;
  private problem: unknown;

  constructor(
    options: ParseOptions,
    private readonly name?: string,
  ) {
    this.windows = options.windows ?? process.platform === 'win32';
  }

  item(entry: BValue): void {
    this.add(entry);
  }

  end(): V1FileList {
    return this;
  }

  add(entry: BValue): void {
    const i = this.length++;
    if (this.problem !== undefined) return;
    try {
      this.addEntry(entry, i);
    } catch (error) {
      this.hold(error, i);
    }
  }

  /**
   * The usual entry, `d6:lengthi<N>e4:pathl<n>:<name>...ee` with plain ASCII names, taken
   * straight from the bytes (see ListStream): no dictionary, list or byte views are made
   * for it, which was most of the cost of a list of ten thousand files. Anything else (other
   * keys, odd names, an error to report) is declined, decoded as usual and comes through add().
   */
  rawItem(bytes: Buffer, start: number, tokens: number, taken: { end: number; tokens: number }): boolean {
    if (this.problem !== undefined || this.windows || !startsWith(bytes, start, ENTRY_HEAD)) return false;
    let p = start + ENTRY_HEAD.length;
    const digitsStart = p;
    let length = 0;
    let c = bytes[p];
    for (; c !== undefined && c >= 0x30 && c <= 0x39; c = bytes[++p]) length = length * 10 + (c - 0x30);
    const digits = p - digitsStart;
    // Beyond 15 digits the decoder's BigInt path decides; a leading zero is its error to report.
    if (c !== 0x65 /* e */ || digits === 0 || digits > 15 || (digits > 1 && bytes[digitsStart] === 0x30)) return false;
    if (!startsWith(bytes, ++p, PATH_HEAD)) return false;
    p += PATH_HEAD.length;
    const name = this.name ?? '';
    const path = [name];
    let chars = name.length;
    const previous = this.previousRaw;
    const starts = this.rawStarts;
    const lengths = this.rawLengths;
    let k = 0;
    while (bytes[p] !== 0x65 /* e */) {
      const lengthStart = p;
      let n = 0;
      for (c = bytes[p]; c !== undefined && c >= 0x30 && c <= 0x39 && p - lengthStart < 4; c = bytes[++p]) n = n * 10 + (c - 0x30);
      if (c !== 0x3a /* : */ || n === 0 || n > MAX_COMPONENT_BYTES || bytes[lengthStart] === 0x30 || ++p + n > bytes.length) return false;
      let component: string;
      if (k + 1 < previous.length && lengths[k] === n && compareRanges(bytes, starts[k]!, n, p, n) === 0) {
        // Files of one directory repeat its components: the string made (and checked) before.
        component = previous[k + 1]!;
      } else {
        if (!plainName(bytes, p, p + n)) return false;
        component = bytes.toString('latin1', p, p + n);
        if (component === '.' || component === '..') return false;
      }
      starts[k] = p;
      lengths[k++] = n;
      path.push(component);
      chars += component.length + 1;
      p += n;
    }
    // The list's end, then the dictionary's (an entry with more keys is declined). Values are
    // counted as the decoder counts them, keys not: the entry, its length, its path list, the names.
    if (k === 0 || bytes[++p] !== 0x65 || 3 + k > tokens) return false;
    taken.end = p + 1;
    taken.tokens = 3 + k;
    this.previousRaw = path;
    this.previousBytes = [];
    const i = this.length++;
    try {
      this.addFile(path, chars, length, false, i);
    } catch (error) {
      this.hold(error, i);
    }
    return true;
  }

  private hold(error: unknown, i: number): void {
    const problem = fileError(error, i);
    if (this.name !== undefined) throw problem;
    this.problem = problem;
  }

  finish(name: string): Layout {
    if (this.name === undefined) {
      for (const file of this.files) file.path[0] = name;
      this.lastPath[0] = name;
      if ((this.longest + name.length) * 3 > MAX_PATH_BYTES) {
        this.files.forEach((file, i) => checkPathBytes(file.path, i));
        if (this.problem !== undefined && this.lastPathIndex === this.files.length) checkPathBytes(this.lastPath, this.lastPathIndex);
      }
      if (this.problem !== undefined) throw this.problem;
    }
    if (this.offset === 0) throw new MetainfoError('torrent holds no data (all files are empty)');
    return { files: this.files, length: this.offset, contentLength: this.contentLength };
  }

  /** Per-file messages are built only when something is wrong: this runs for tens of thousands of files. */
  private addEntry(entry: BValue, i: number): void {
    if (!isDict(entry)) throw new FileProblem('is not a dictionary');
    const length = checkLength(entry.get('length'), 'length');
    const utf8Path = entry.get('path.utf-8');
    const pathValue = Array.isArray(utf8Path) ? utf8Path : entry.get('path');
    if (pathValue === undefined) throw new FileProblem('has no path');
    if (!Array.isArray(pathValue)) throw new FileProblem('path is not a list');
    if (pathValue.length === 0) throw new FileProblem('has an empty path');
    const name = this.name ?? '';
    const path: string[] = new Array(pathValue.length + 1);
    path[0] = name;
    let chars = name.length + pathValue.length;
    for (let k = 0; k < pathValue.length; k++) {
      const c = pathValue[k];
      if (!isBytes(c)) throw new FileProblem('path has a component that is not a byte string');
      // Files of one directory repeat its components: reuse the string (already checked).
      // A file's own name rarely repeats the previous file's: it is not compared.
      const before = k < pathValue.length - 1 ? this.previousBytes[k] : undefined;
      let component: string;
      if (before !== undefined && sameBytes(before, c)) {
        component = this.previousPath[k + 1]!;
      } else {
        component = componentText(c, this.windows, pathValue);
      }
      path[k + 1] = component;
      chars += component.length;
    }
    this.previousBytes = pathValue as Uint8Array[];
    this.previousPath = path;
    this.previousRaw = [];
    const attr = entry.get('attr');
    this.addFile(path, chars, length, isBytes(attr) && attr.includes(0x70 /* p */), i);
  }

  /** `chars`: the path's UTF-16 units, with a separator per component. */
  private addFile(path: string[], chars: number, length: number, paddingAttr: boolean, i: number): void {
    if (this.name !== undefined) {
      // A UTF-16 unit is at most 3 UTF-8 bytes: most paths need no byte count.
      if (chars * 3 > MAX_PATH_BYTES) checkPathBytes(path);
    } else {
      if (chars > this.longest) this.longest = chars;
      this.lastPath = path;
      this.lastPathIndex = i;
    }
    const padding = paddingAttr || looksLikePadding(path);
    if (!padding) {
      this.paths.add(path, 1);
      this.contentLength += length;
    }
    this.files.push({ path, length, offset: this.offset, padding });
    this.offset += length;
    if (this.offset > Number.MAX_SAFE_INTEGER) throw new MetainfoError('total length overflows');
  }
}

/** Throws UnsafePathError, or with `i` the MetainfoError naming file i, for a path too long. */
function checkPathBytes(path: string[], i?: number): void {
  const bytes = pathBytes(path);
  if (bytes <= MAX_PATH_BYTES) return;
  const error = new UnsafePathError(`unsafe path ${quotePath(path.join('/'))}: ${bytes} bytes long, more than ${MAX_PATH_BYTES}`);
  throw i === undefined ? error : fileError(error, i);
}

/** A problem with the i-th (from 0) file entry as the MetainfoError to throw. */
function fileError(error: unknown, i: number): unknown {
  if (error instanceof FileProblem) return new MetainfoError(`file ${i + 1} ${error.message}`);
  if (error instanceof UnsafePathError) return new MetainfoError(`file ${i + 1}: ${error.message}`);
  return error;
}

/**
 * A path component as text, or UnsafePathError. Plain ASCII without '/', '\\' or NUL (nearly
 * every name) is checked and decoded in one pass over its bytes.
 */
function componentText(bytes: Uint8Array, windows: boolean, pathValue: BValue[]): string {
  const plain = !windows && bytes.length > 0 && bytes.length <= MAX_COMPONENT_BYTES && plainName(bytes, 0, bytes.length);
  // fromCharCode takes the bytes as they are (at most 255 of them), at half the cost of a Buffer's toString.
  const component = plain ? String.fromCharCode.apply(null, bytes as unknown as number[]) : utf8(bytes);
  if (plain && component !== '.' && component !== '..') return component;
  const problem = unsafeComponentReason(component, windows);
  if (problem) throw new UnsafePathError(`unsafe path ${quotePath(pathValue.map((x) => (isBytes(x) ? utf8(x) : '?')).join('/'))}: ${problem}`);
  return component;
}

/** Whether bytes start..end are ASCII without '/', '\\' or NUL: a name needing no further check but '.' and '..'. */
function plainName(bytes: Uint8Array, start: number, end: number): boolean {
  for (let j = start; j < end; j++) {
    const b = bytes[j]!;
    if (b >= 0x80 || b === 0x2f /* / */ || b === 0x5c /* \\ */ || b === 0) return false;
  }
  return true;
}

const ENTRY_HEAD = Buffer.from('d6:lengthi', 'latin1');
const PATH_HEAD = Buffer.from('4:pathl', 'latin1');

function startsWith(bytes: Uint8Array, at: number, head: Uint8Array): boolean {
  if (at + head.length > bytes.length) return false;
  for (let j = 0; j < head.length; j++) if (bytes[at + j] !== head[j]) return false;
  return true;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return false;
  return true;
}

/** `path` includes the torrent name at index 0. */
function looksLikePadding(path: string[]): boolean {
  if (path.length === 3 && path[1] === '.pad' && /^\d+$/.test(path[2]!)) return true;
  // BitComet's padding files predate BEP 47's attr flag.
  return path[path.length - 1]!.startsWith('_____padding_file_');
}

function v2Files(info: BDict, name: string, pieceLength: number, options: ParseOptions): V2Layout {
  const tree = info.get('file tree');
  if (tree === undefined) throw new MetainfoError("missing 'file tree' in a v2 info dictionary");
  if (!isDict(tree)) throw new MetainfoError("'file tree' is not a dictionary");
  if (tree.size === 0) throw new MetainfoError("'file tree' is empty");

  const found: { path: string[]; length: number; piecesRoot?: Buffer }[] = [];
  const walk = (node: BDict, prefix: string[]): void => {
    for (const [key, child] of node) {
      const where = [...prefix, latin1ToUtf8(key)];
      if (key === '') throw new MetainfoError(`file tree: empty name under ${JSON.stringify(prefix.join('/'))}`);
      if (!isDict(child)) throw new MetainfoError(`file tree: ${JSON.stringify(where.join('/'))} is not a dictionary`);
      const leaf = child.get('');
      if (leaf !== undefined) {
        if (child.size !== 1) throw new MetainfoError(`file tree: ${JSON.stringify(where.join('/'))} is both a file and a directory`);
        if (!isDict(leaf)) throw new MetainfoError(`file tree: ${JSON.stringify(where.join('/'))} file entry is not a dictionary`);
        const file: (typeof found)[number] = { path: where, length: 0 };
        try {
          file.length = checkLength(leaf.get('length'), 'length');
          if (file.length > 0) {
            const root = leaf.get('pieces root');
            if (!isBytes(root)) throw new FileProblem("has no 'pieces root'");
            if (root.length !== 32) throw new FileProblem(`'pieces root' is ${root.length} bytes, not 32`);
            file.piecesRoot = toBuffer(root);
          }
        } catch (error) {
          if (error instanceof FileProblem) throw new MetainfoError(`file ${JSON.stringify(where.join('/'))} ${error.message}`);
          throw error;
        }
        found.push(file);
      } else {
        if (child.size === 0) throw new MetainfoError(`file tree: directory ${JSON.stringify(where.join('/'))} is empty`);
        walk(child, where);
      }
    }
  };
  walk(tree, []);

  const single = found.length === 1 && found[0]!.path.length === 1;
  const files: TorrentFileEntry[] = [];
  const paths = new PathSet();
  let offset = 0;
  let contentLength = 0;
  let pieceCount = 0;
  for (let i = 0; i < found.length; i++) {
    const f = found[i]!;
    checkPath(f.path, 'file tree', options, paths);
    const entry: TorrentFileEntry = { path: single ? f.path : [name, ...f.path], length: f.length, offset, padding: false };
    if (f.piecesRoot) entry.piecesRoot = f.piecesRoot;
    files.push(entry);
    offset += f.length;
    contentLength += f.length;
    pieceCount += Math.ceil(f.length / pieceLength);
    if (offset > Number.MAX_SAFE_INTEGER) throw new MetainfoError('total length overflows');
    // Each v2 file starts on a piece boundary; pad like a hybrid torrent's v1 side does.
    const tail = offset % pieceLength;
    if (tail !== 0 && i < found.length - 1) {
      const size = pieceLength - tail;
      files.push({ path: [name, '.pad', String(size)], length: size, offset, padding: true });
      offset += size;
    }
  }
  if (contentLength === 0) throw new MetainfoError('torrent holds no data (all files are empty)');
  const layout: V2Layout = { files, length: offset, contentLength, pieceCount };
  if (single) layout.singleFileName = found[0]!.path[0]!;
  return layout;
}

function v1Content(layout: Layout): TorrentFileEntry[] {
  return layout.files.filter((f) => !f.padding);
}

function checkHybridConsistency(v1: Layout, v2: V2Layout, pieceLength: number): void {
  const a = v1Content(v1);
  const b = v2.files.filter((f) => !f.padding);
  if (a.length !== b.length) throw new MetainfoError(`hybrid torrent: v1 lists ${a.length} files, v2 ${b.length}`);
  for (let i = 0; i < a.length; i++) {
    const p1 = a[i]!.path.join('/');
    const p2 = b[i]!.path.join('/');
    if (p1 !== p2 || a[i]!.length !== b[i]!.length) {
      throw new MetainfoError(`hybrid torrent: v1 file ${JSON.stringify(p1)} (${a[i]!.length} bytes) does not match v2 ${JSON.stringify(p2)} (${b[i]!.length} bytes)`);
    }
    if (a[i]!.length > 0 && a[i]!.offset % pieceLength !== 0) {
      throw new MetainfoError(`hybrid torrent: file ${JSON.stringify(p1)} does not start on a piece boundary`);
    }
  }
}

function pieceLayers(value: BValue | undefined, files: TorrentFileEntry[], pieceLength: number): Map<string, Buffer> {
  const layers = new Map<string, Buffer>();
  if (value === undefined) return layers;
  if (!isDict(value)) throw new MetainfoError("'piece layers' is not a dictionary");
  for (const file of files) {
    if (!file.piecesRoot || file.length <= pieceLength) continue;
    const layer = value.get(latin1(file.piecesRoot));
    if (layer === undefined) continue; // peers can supply it (BEP 52 hash requests)
    const expected = Math.ceil(file.length / pieceLength) * 32;
    if (!isBytes(layer) || layer.length !== expected) {
      throw new MetainfoError(`piece layer for ${JSON.stringify(file.path.join('/'))} is ${isBytes(layer) ? `${layer.length} bytes` : 'not a byte string'}, expected ${expected}`);
    }
    layers.set(file.piecesRoot.toString('hex'), toBuffer(layer));
  }
  return layers;
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

/** Detects duplicate paths and a file whose path is another file's directory. */
class PathSet {
  private readonly root = new PathDir();
  /** The last file's directory and its components: files arrive grouped by directory. */
  private lastDir = this.root;
  private lastComponents: readonly string[] = [];
  private lastFrom = 0;

  /** Throws UnsafePathError on a collision (the caller names the file); components before `from` are skipped. */
  add(components: readonly string[], from = 0): void {
    const last = components.length - 1;
    const dir = this.sameDirAsLast(components, from) ? this.lastDir : this.directory(components, from);
    const name = components[last]!;
    if (dir.files.has(name)) throw new UnsafePathError(`duplicate path ${JSON.stringify(components.slice(from).join('/'))}`);
    if (dir.dirs?.has(name)) throw new UnsafePathError(`${JSON.stringify(components.slice(from).join('/'))} is both a file and a directory`);
    dir.files.add(name);
    this.lastDir = dir;
    this.lastComponents = components;
    this.lastFrom = from;
  }

  private sameDirAsLast(components: readonly string[], from: number): boolean {
    const previous = this.lastComponents;
    if (components.length - from !== previous.length - this.lastFrom) return false;
    for (let i = from, k = this.lastFrom; i < components.length - 1; i++, k++) if (components[i] !== previous[k]) return false;
    return true;
  }

  /** The directory holding `components`' file, made as needed; a file in its way is a collision. */
  private directory(components: readonly string[], from: number): PathDir {
    let dir = this.root;
    for (let i = from; i < components.length - 1; i++) {
      const name = components[i]!;
      let next = dir.dirs?.get(name);
      if (next === undefined) {
        if (dir.files.has(name)) throw new UnsafePathError(`${JSON.stringify(components.slice(from, i + 1).join('/'))} is both a file and a directory`);
        next = new PathDir();
        (dir.dirs ??= new Map()).set(name, next);
      }
      dir = next;
    }
    return dir;
  }
}

class PathDir {
  readonly files = new Set<string>();
  dirs: Map<string, PathDir> | undefined;
}

function checkPath(components: string[], label: string, options: ParseOptions, paths?: PathSet): void {
  try {
    safePathComponents(components, options);
    paths?.add(components);
  } catch (error) {
    if (error instanceof UnsafePathError) throw new MetainfoError(`${label}: ${error.message}`);
    throw error;
  }
}

function checkComponent(component: string, label: string, options: ParseOptions): void {
  try {
    safePathComponents([component], options);
  } catch (error) {
    if (error instanceof UnsafePathError) throw new MetainfoError(`${label}: ${error.message}`);
    throw error;
  }
}

/** Problem with one file entry; the caller adds which file. */
class FileProblem extends Error {}

/** Throws FileProblem (the caller names the file) for a bad length. */
function checkLength(value: BValue | undefined, label: string): number {
  if (value === undefined) throw new FileProblem(`${label} is missing`);
  if (!isInt(value)) throw new FileProblem(`${label} is not an integer`);
  if (value < 0) throw new FileProblem(`${label} ${value} is negative`);
  if (typeof value === 'bigint' || value > Number.MAX_SAFE_INTEGER) throw new FileProblem(`${label} ${value} is too large`);
  return value;
}

function checkedLength(value: BValue | undefined, label: string): number {
  try {
    return checkLength(value, label);
  } catch (error) {
    if (error instanceof FileProblem) throw new MetainfoError(error.message);
    throw error;
  }
}

function requiredInt(dict: BDict, key: string, where: string): number {
  const value = dict.get(key);
  if (value === undefined) throw new MetainfoError(`missing '${key}' in ${where}`);
  if (!isInt(value)) throw new MetainfoError(`'${key}' is not an integer`);
  if (typeof value === 'bigint') throw new MetainfoError(`'${key}' ${value} is out of range`);
  return value;
}

function optionalInt(dict: BDict, key: string, where: string): number | undefined {
  return dict.has(key) ? requiredInt(dict, key, where) : undefined;
}

/** A text field of the info dict: wrong type is an error; a usable `KEY.utf-8` wins. */
function utf8Field(dict: BDict, key: string, where: string): string | undefined {
  const preferred = dict.get(`${key}.utf-8`);
  const value = isBytes(preferred) ? preferred : dict.get(key);
  if (value === undefined) return undefined;
  if (!isBytes(value)) throw new MetainfoError(`'${key}' in ${where} is not a byte string`);
  return utf8(value);
}

function tolerantText(dict: BDict, key: string): string | undefined {
  const value = dict.get(key);
  return isBytes(value) ? utf8(value) : undefined;
}

// ignoreBOM keeps a leading U+FEFF: a name is bytes, not a document.
const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true });

function utf8(bytes: Uint8Array): string {
  return UTF8.decode(bytes);
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A dictionary key (bytes held as latin1) read as UTF-8 text; ASCII needs no conversion. */
function latin1ToUtf8(key: string): string {
  return /^[\x00-\x7f]*$/.test(key) ? key : Buffer.from(key, 'latin1').toString('utf8');
}
