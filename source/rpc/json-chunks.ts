// Large answers as a list of JSON text pieces. torrent-get serialises its torrents a batch at a
// time, so the objects of one batch die young (before the garbage collector has to copy them)
// instead of 10,000 of them living until one JSON.stringify of the whole list ends; the server
// then writes the pieces one after another without joining them.

/** JSON text already made, in pieces to be written in order (UTF-8 bytes where kept from an earlier answer). */
export class JsonChunks {
  constructor(readonly chunks: readonly (string | Buffer)[]) {}
}

/**
 * The encoded batches of the last answer of one kind (Flood's full poll): a batch whose texts are
 * the very strings of last time is written from the same bytes, without joining and encoding again.
 */
export class BatchBytes {
  batches: { texts: string[]; bytes: Buffer }[] = [];
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
  kept?: BatchBytes,
): JsonChunks {
  const chunks: (string | Buffer)[] = ['['];
  const next: { texts: string[]; bytes: Buffer }[] = [];
  let buffer: string[] = [];
  for (let i = 0; i < items.length; i++) {
    buffer.push(text(items[i]!, i));
    if (buffer.length === batch || i === items.length - 1) {
      const joined = `${chunks.length > 1 ? ',' : ''}`;
      if (kept) {
        const old = kept.batches[next.length];
        const same = old !== undefined && old.texts.length === buffer.length && old.texts.every((t, k) => t === buffer[k]);
        const entry = same ? old : { texts: buffer, bytes: Buffer.from(`${joined}${buffer.join(',')}`) };
        next.push(entry);
        chunks.push(entry.bytes);
        buffer = [];
      } else {
        chunks.push(`${joined}${buffer.join(',')}`);
        buffer.length = 0;
      }
    }
  }
  if (kept) kept.batches = next;
  chunks.push(']');
  return new JsonChunks(chunks);
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
