/**
 * The v1 file list (BEP 3 `length` or `files`, BEP 47 padding). Tuned for start-up: a list of
 * ten thousand files is mostly taken straight from the bytes (V1FileList.rawItem).
 */
import { isBytes, isDict, type BDict, type BValue, type ListStream } from '../codec/bencode.js';
import { checkedLength, checkLength, FileProblem, utf8 } from './fields.js';
import { FileTable } from './file-table.js';
import { MAX_COMPONENT_BYTES, MAX_PATH_BYTES, pathBytes, quotePath, UnsafePathError, unsafeComponentReason } from './safe-path.js';
import { MetainfoError, type Layout, type ParseOptions } from './types.js';

export function v1Files(info: BDict, name: string, pieceLength: number, options: ParseOptions): Layout {
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
export class V1FileList implements ListStream {
  /** Where the decoder finds the list it streams into this one (ListStream). */
  readonly path = ['info', 'files'];
  /** Entries seen. */
  length = 0;
  private readonly table: FileTable;
  private readonly windows: boolean;
  private offset = 0;
  private contentLength = 0;
  private previousBytes: Uint8Array[] = [];
  private previousPath: string[] = [];
  /** The torrent rawItem reads, and bytes textStart..textEnd of it as latin1 text. */
  private textOf: Buffer | undefined;
  private text = '';
  private textStart = 0;
  private textEnd = 0;
  /**
   * rawItem's components of the entry at hand and their lengths in bytes (never emptied: the
   * ones past the entry's are an earlier entry's, each a checked name of that many bytes).
   */
  private readonly rawComponents: string[] = [];
  private readonly rawLengths: number[] = [];
  /** Without the name: the longest path's UTF-16 units plus separators, and the path of a file that collided. */
  private longest = 0;
  private lastComponents: readonly string[] = [];
  private lastCount = 0;
  private lastPathIndex = -1;
  private problem: unknown;

  constructor(
    options: ParseOptions,
    private readonly name?: string,
  ) {
    this.windows = options.windows ?? process.platform === 'win32';
    this.table = new FileTable(options.lazyFiles === true);
    if (name !== undefined) this.table.named(name);
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
   * The usual entries, `d6:lengthi<N>e4:pathl<n>:<name>...ee` with plain ASCII names, taken
   * straight from the bytes (see ListStream), as many in a row as there are: no dictionary,
   * list or byte views are made for them, which was most of the cost of a list of ten thousand
   * files, and one call takes them all (a call per entry was a tenth of the parse in V8's
   * interpreter). Anything else (other keys, odd names, an error to report) is declined, decoded
   * as usual and comes through add().
   */
  rawItem(bytes: Buffer, start: number, tokens: number, taken: { end: number; tokens: number }): boolean {
    if (this.problem !== undefined || this.windows) return false;
    const components = this.rawComponents;
    const lengths = this.rawLengths;
    const nameChars = (this.name ?? '').length;
    const size = bytes.length;
    // In locals, not properties, in this loop: every property read is an inline-cache call in the
    // interpreter (a tenth of the parse was such calls).
    let count = this.length;
    let at = start;
    let tokensLeft = tokens;
    // The bytes from about here on as latin1 text (one char a byte): the heads and the repeated
    // directory names are compared by String.prototype.startsWith, natively, where each byte
    // read costs an inline-cache call in the interpreter. A compare that runs past the text's
    // end fails, which only declines the entry or makes a new string: never a wrong answer.
    if (bytes !== this.textOf) this.readText(bytes, at);
    let text = this.text;
    let base = this.textStart;
    let textEnd = this.textEnd;
    this.previousBytes = NONE;
    entries: for (;;) {
      if (at + TEXT_AHEAD > textEnd && textEnd < size) {
        this.readText(bytes, at);
        text = this.text;
        base = at;
        textEnd = this.textEnd;
      }
      if (!text.startsWith(ENTRY_HEAD, at - base)) break;
      let p = at + ENTRY_HEAD_LENGTH;
      const digitsStart = p;
      let length = 0;
      let c = bytes[p];
      for (; c !== undefined && c >= 0x30 && c <= 0x39; c = bytes[++p]) length = length * 10 + (c - 0x30);
      const digits = p - digitsStart;
      // Beyond 15 digits the decoder's BigInt path decides; a leading zero is its error to report.
      if (c !== 0x65 /* e */ || digits === 0 || digits > 15 || (digits > 1 && bytes[digitsStart] === 0x30)) break;
      if (!text.startsWith(PATH_HEAD, ++p - base)) break;
      p += PATH_HEAD_LENGTH;
      let chars = nameChars;
      let k = 0;
      while (bytes[p] !== 0x65 /* e */) {
        const lengthStart = p;
        let n = 0;
        for (c = bytes[p]; c !== undefined && c >= 0x30 && c <= 0x39 && p - lengthStart < 4; c = bytes[++p]) n = n * 10 + (c - 0x30);
        if (c !== 0x3a /* : */ || n === 0 || n > MAX_COMPONENT_BYTES || bytes[lengthStart] === 0x30 || ++p + n > size) break entries;
        let component: string;
        // Files of one directory repeat its components: the string made (and checked) for an
        // earlier entry, if the bytes are its. The file's own name (the last, followed by the
        // list's end) rarely repeats: not compared.
        if (lengths[k] === n && bytes[p + n] !== 0x65 /* e */ && text.startsWith(components[k]!, p - base)) {
          component = components[k]!;
        } else {
          // Buffer's own decoder called here, not through latin1(): a call fewer per name in V8's interpreter.
          component = hasLatin1Slice ? (bytes as unknown as Latin1Slicing).latin1Slice(p, p + n) : bytes.toString('latin1', p, p + n);
          // One native test per name: a loop over its bytes costs twice as much in the interpreter.
          if (NOT_PLAIN.test(component) || component === '.' || component === '..') break entries;
        }
        components[k] = component;
        lengths[k++] = n;
        chars += component.length + 1;
        p += n;
      }
      // The list's end, then the dictionary's (an entry with more keys is declined). Values are
      // counted as the decoder counts them, keys not: the entry, its length, its path list, the names.
      if (k === 0 || bytes[++p] !== 0x65 || 3 + k > tokensLeft) break;
      at = p + 1;
      tokensLeft -= 3 + k;
      const i = count++;
      try {
        this.addFile(components, k, chars, length, false, i);
      } catch (error) {
        this.length = count;
        this.hold(error, i);
        break;
      }
      if (bytes[at] === 0x65 /* e: the list's end */) break;
    }
    this.length = count;
    if (at === start) return false;
    taken.end = at;
    taken.tokens = tokens - tokensLeft;
    return true;
  }

  private readText(bytes: Buffer, start: number): void {
    this.textOf = bytes;
    this.textStart = start;
    this.textEnd = Math.min(bytes.length, start + TEXT_WINDOW);
    this.text = latin1(bytes, start, this.textEnd);
  }

  private hold(error: unknown, i: number): void {
    const problem = fileError(error, i);
    if (this.name !== undefined) throw problem;
    this.problem = problem;
  }

  finish(name: string): Layout {
    this.text = '';
    this.textOf = undefined;
    const table = this.table;
    table.named(name);
    if (this.name === undefined) {
      if ((this.longest + name.length) * 3 > MAX_PATH_BYTES) {
        for (let i = 0; i < table.count; i++) checkPathBytes(table.path(i), i);
        if (this.problem !== undefined && this.lastPathIndex === table.count)
          checkPathBytes([name, ...this.lastComponents.slice(0, this.lastCount)], this.lastPathIndex);
      }
      if (this.problem !== undefined) throw this.problem;
    }
    if (this.offset === 0) throw new MetainfoError('torrent holds no data (all files are empty)');
    table.done();
    return {
      get files() {
        return table.files();
      },
      table: table.columns ? table : undefined,
      length: this.offset,
      contentLength: this.contentLength,
    };
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
    const components: string[] = new Array(pathValue.length);
    let chars = (this.name ?? '').length + pathValue.length;
    for (let k = 0; k < pathValue.length; k++) {
      const c = pathValue[k];
      if (!isBytes(c)) throw new FileProblem('path has a component that is not a byte string');
      // Files of one directory repeat its components: reuse the string (already checked).
      // A file's own name rarely repeats the previous file's: it is not compared.
      const before = k < pathValue.length - 1 ? this.previousBytes[k] : undefined;
      let component: string;
      if (before !== undefined && sameBytes(before, c)) {
        component = this.previousPath[k]!;
      } else {
        component = componentText(c, this.windows, pathValue);
      }
      components[k] = component;
      chars += component.length;
    }
    this.previousBytes = pathValue as Uint8Array[];
    this.previousPath = components;
    const attr = entry.get('attr');
    this.addFile(components, components.length, chars, length, isBytes(attr) && attr.includes(0x70 /* p */), i);
  }

  /** `chars`: the path's UTF-16 units, with a separator per component (and the name's, when known). */
  private addFile(components: readonly string[], count: number, chars: number, length: number, paddingAttr: boolean, i: number): void {
    if (this.name !== undefined) {
      // A UTF-16 unit is at most 3 UTF-8 bytes: most paths need no byte count.
      if (chars * 3 > MAX_PATH_BYTES) checkPathBytes([this.name, ...components.slice(0, count)]);
    } else if (chars > this.longest) {
      this.longest = chars;
    }
    const padding = paddingAttr || looksLikePadding(components, count);
    try {
      this.table.add(components, count, length, padding);
    } catch (error) {
      if (this.name === undefined) {
        // For finish(), which checks this path's length before naming its collision. Not
        // copied: after a problem is held, nothing changes the array (rawItem declines everything).
        this.lastComponents = components;
        this.lastCount = count;
        this.lastPathIndex = i;
      }
      throw error;
    }
    if (!padding) this.contentLength += length;
    const offset = this.offset + length;
    this.offset = offset;
    if (offset > MAX_SAFE_INTEGER) throw new MetainfoError('total length overflows');
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
  if (problem)
    throw new UnsafePathError(`unsafe path ${quotePath(pathValue.map((x) => (isBytes(x) ? utf8(x) : '?')).join('/'))}: ${problem}`);
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

/** What the previous entry left for the other lane to reuse: nothing (one shared, never changed). */
const NONE: never[] = [];

/** Not in a plain name (see plainName). */
const NOT_PLAIN = /[\u0000/\\\u0080-\u00ff]/;

interface Latin1Slicing {
  latin1Slice(start: number, end: number): string;
}

/**
 * Buffer's own latin1 decoder, which toString('latin1', start, end) calls after checking its
 * arguments (checks that cost as much as the decoding in V8's interpreter). Not documented, but
 * on Buffer.prototype in every Node; toString stands in should it ever go.
 */
const hasLatin1Slice = typeof (Buffer.prototype as Partial<Latin1Slicing>).latin1Slice === 'function';

function latin1(bytes: Buffer, start: number, end: number): string {
  return hasLatin1Slice ? (bytes as unknown as Latin1Slicing).latin1Slice(start, end) : bytes.toString('latin1', start, end);
}

/** rawItem's text: how much is decoded at once, and how much must be left of it at an entry's start. */
const TEXT_WINDOW = 64 * 1024;
const TEXT_AHEAD = 4096;

const MAX_SAFE_INTEGER = Number.MAX_SAFE_INTEGER;

const ENTRY_HEAD = 'd6:lengthi';
const ENTRY_HEAD_LENGTH = 10;
const PATH_HEAD = '4:pathl';
const PATH_HEAD_LENGTH = 7;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return false;
  return true;
}

/** `components`: the path below the torrent's name. */
function looksLikePadding(components: readonly string[], count: number): boolean {
  if (count === 2 && components[0] === '.pad' && /^\d+$/.test(components[1]!)) return true;
  // BitComet's padding files predate BEP 47's attr flag.
  return components[count - 1]!.startsWith('_____padding_file_');
}
