import { stat } from 'node:fs/promises';
import { errorCodeWords } from '../../format/error-words.js';
import { MAX_TORRENT_FILE_SIZE, MetainfoError, parseMetainfo, readMetainfoFile, type Metainfo } from './metainfo.js';

/**
 * Loads a .torrent from a path or an http(s) URL. Magnets and bare info-hashes need
 * metadata from peers and are resolved elsewhere.
 */
export async function loadTorrent(source: string, options: { timeoutMs?: number } = {}): Promise<Metainfo> {
  if (/^https?:\/\//i.test(source)) return parseMetainfoOrExplain(await fetchTorrentBytes(source, options.timeoutMs ?? 30_000), source);
  await stat(source);
  return readMetainfoFile(source);
}

async function fetchTorrentBytes(url: string, timeoutMs: number): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`${url}: ${fetchFailure(url, cause?.code, cause?.message ?? (error as Error).message)}`);
  }
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${response.statusText}`);
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_TORRENT_FILE_SIZE) throw new Error(`${url}: too large for a .torrent file (${declared} bytes)`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.length;
    if (size > MAX_TORRENT_FILE_SIZE) throw new Error(`${url}: too large for a .torrent file`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function fetchFailure(url: string, code: string | undefined, message: string): string {
  // fetch() refuses the ports browsers block (1, 7, 9, 25, 6000, ...) before any connection.
  if (message === 'bad port')
    return `port ${new URL(url).port} is one that fetching refuses (the fetch standard's blocked ports); serve it on another port`;
  return errorCodeWords(code) ?? code ?? message;
}

function parseMetainfoOrExplain(data: Buffer, source: string): Metainfo {
  try {
    return parseMetainfo(data);
  } catch (error) {
    if (error instanceof MetainfoError) throw new MetainfoError(`${source}: ${error.message}`);
    throw error;
  }
}
