// Large answers as a list of JSON text pieces. torrent-get serialises its torrents a batch at a
// time, so the objects of one batch die young (before the garbage collector has to copy them)
// instead of 10,000 of them living until one JSON.stringify of the whole list ends; the server
// then writes the pieces one after another without joining them.

/** JSON text already made, in pieces to be written in order (UTF-8 bytes where kept from an earlier answer). */
export class JsonChunks {
  constructor(readonly chunks: readonly (string | Buffer)[]) {}
}

/**
 * The encoded batches of the last answer of one kind (Flood's full poll), with where each item's
 * text lies in them: an unchanged batch is written from the same bytes, and a changed one copies
 * the bytes of its unchanged items, so no item's text is kept as a string between answers.
 */
export class BatchBytes {
  batches: KeptBatch[] = [];
  /** What every text also depends on (e.g. the session's seed limits): another value drops the batches. */
  context = '';
}

interface KeptBatch {
  readonly items: readonly unknown[];
  readonly tags: readonly unknown[];
  /** The batch's text as UTF-8 (a leading comma but for the first batch), its items' texts separated by commas. */
  readonly bytes: Buffer;
  /** Where each item's text starts in bytes, and one more: bytes.length + 1. */
  readonly starts: Uint32Array;
}

/** When an item's text may be copied from the last answer: the same item, made from the same things. */
export interface Reuse<T> {
  readonly kept: BatchBytes;
  /** What else the item's text is made from, kept beside it (e.g. its heavy parts). */
  tag(item: T, index: number): unknown;
  same(item: T, index: number, tag: unknown): boolean;
}

/** Objects (or rows) as one JSON array, stringified `batch` at a time by `make`. */
export function jsonArray<T>(
  items: readonly T[],
  make: (item: T, index: number) => unknown,
  head: readonly string[] = [],
  batch = 64,
): JsonChunks {
  const chunks: string[] = ['[', ...head];
  let first = head.length === 0;
  const buffer: unknown[] = [];
  const flush = (): void => {
    if (buffer.length === 0) return;
    const text = JSON.stringify(buffer);
    chunks.push(first ? text.slice(1, -1) : `,${text.slice(1, -1)}`);
    first = false;
    buffer.length = 0;
  };
  for (let i = 0; i < items.length; i++) {
    buffer.push(make(items[i]!, i));
    if (buffer.length === batch) flush();
  }
  flush();
  chunks.push(']');
  return new JsonChunks(chunks);
}

/** Items already serialised (each one JSON value's text) as one JSON array, joined `batch` at a time. */
export function jsonArrayOfTexts<T>(
  items: readonly T[],
  text: (item: T, index: number) => string,
  batch = 64,
  reuse?: Reuse<T>,
): JsonChunks {
  if (reuse) return jsonArrayReusing(items, text, batch, reuse);
  const chunks: string[] = ['['];
  for (let start = 0; start < items.length; start += batch) {
    const texts: string[] = [];
    for (let i = start; i < Math.min(items.length, start + batch); i++) texts.push(text(items[i]!, i));
    chunks.push(`${start > 0 ? ',' : ''}${texts.join(',')}`);
  }
  chunks.push(']');
  return new JsonChunks(chunks);
}

const COMMA = 0x2c;

function jsonArrayReusing<T>(items: readonly T[], text: (item: T, index: number) => string, batch: number, reuse: Reuse<T>): JsonChunks {
  const chunks: (string | Buffer)[] = ['['];
  const old = reuse.kept.batches;
  const next: KeptBatch[] = [];
  // Where each item of the last answer was (batch << 16 | index), made only once a batch changed.
  let where: Map<unknown, number> | undefined;
  for (let start = 0, b = 0; start < items.length; start += batch, b++) {
    const end = Math.min(items.length, start + batch);
    const lead = start > 0 ? 1 : 0;
    const prev = old[b];
    if (prev && prev.starts[0] === lead && sameRun(prev, items, start, end, reuse)) {
      next.push(prev);
      chunks.push(prev.bytes);
      continue;
    }
    if (!where) {
      where = new Map();
      for (let ob = 0; ob < old.length; ob++) old[ob]!.items.forEach((item, k) => where!.set(item, (ob << 16) | k));
    }
    const count = end - start;
    const pieces: (string | Buffer)[] = new Array(count);
    const tags: unknown[] = new Array(count);
    const starts = new Uint32Array(count + 1);
    let length = lead;
    for (let k = 0; k < count; k++) {
      const item = items[start + k]!;
      const at = where.get(item);
      const from = at === undefined ? undefined : old[at >>> 16]!;
      const ik = at === undefined ? 0 : at & 0xffff;
      const piece =
        from && reuse.same(item, start + k, from.tags[ik])
          ? from.bytes.subarray(from.starts[ik]!, from.starts[ik + 1]! - 1)
          : text(item, start + k);
      pieces[k] = piece;
      tags[k] = reuse.tag(item, start + k);
      starts[k] = length;
      length += (typeof piece === 'string' ? Buffer.byteLength(piece) : piece.length) + 1;
    }
    starts[count] = length;
    const bytes = Buffer.allocUnsafeSlow(length - 1);
    if (lead) bytes[0] = COMMA;
    for (let k = 0; k < count; k++) {
      const piece = pieces[k]!;
      if (typeof piece === 'string') bytes.write(piece, starts[k]!);
      else piece.copy(bytes, starts[k]!);
      if (k < count - 1) bytes[starts[k + 1]! - 1] = COMMA;
    }
    const kept: KeptBatch = { items: items.slice(start, end), tags, bytes, starts };
    next.push(kept);
    chunks.push(bytes);
  }
  reuse.kept.batches = next;
  chunks.push(']');
  return new JsonChunks(chunks);
}

function sameRun<T>(prev: KeptBatch, items: readonly T[], start: number, end: number, reuse: Reuse<T>): boolean {
  if (prev.items.length !== end - start) return false;
  for (let i = start; i < end; i++) if (prev.items[i - start] !== items[i] || !reuse.same(items[i]!, i, prev.tags[i - start])) return false;
  return true;
}

/** A response as JSON text pieces: JSON.stringify, except that JsonChunks under `arguments` are spliced in. */
export function serializeResponse(response: { result: string; arguments: Record<string, unknown>; tag?: number }): (string | Buffer)[] {
  const args = response.arguments;
  let chunked = false;
  for (const key in args) if (args[key] instanceof JsonChunks) chunked = true;
  if (!chunked) return [JSON.stringify(response)];
  const out: (string | Buffer)[] = ['{"arguments":{'];
  let first = true;
  for (const key in args) {
    const value = args[key];
    if (value === undefined) continue;
    out.push(`${first ? '' : ','}${JSON.stringify(key)}:`);
    first = false;
    if (value instanceof JsonChunks) out.push(...value.chunks);
    else out.push(JSON.stringify(value));
  }
  out.push(`},"result":${JSON.stringify(response.result)}${response.tag === undefined ? '' : `,"tag":${JSON.stringify(response.tag)}`}}`);
  return out;
}
