import { stat } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { MAX_TORRENT_FILE_SIZE, MetainfoError, parseMetainfo, readMetainfoFile, type Metainfo } from './metainfo.js';

/**
 * Loads a .torrent from a path or an http(s) URL. Magnets and bare info-hashes need
 * metadata from peers and are resolved elsewhere.
 */
export async function loadTorrent(source: string, options: { timeoutMs?: number; localAddress?: string } = {}): Promise<Metainfo> {
  if (/^https?:\/\//i.test(source)) {
    const timeoutMs = options.timeoutMs ?? 30_000;
    const bytes = options.localAddress
      ? await fetchFrom(source, options.localAddress, timeoutMs)
      : await fetchTorrentBytes(source, timeoutMs);
    return parseMetainfoOrExplain(bytes, source);
  }
  await stat(source);
  return readMetainfoFile(source);
}

async function fetchTorrentBytes(url: string, timeoutMs: number): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`${url}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
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

/**
 * The same over node:http, leaving from `localAddress` (a bound session): fetch() cannot
 * choose its local address. Redirects are followed a few times, each from the same address.
 */
function fetchFrom(url: string, localAddress: string, timeoutMs: number, redirects = 0): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const client = target.protocol === 'https:' ? https : http;
    const req = client.get(target, { localAddress, family: isIP(localAddress), timeout: timeoutMs }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location && redirects < 5) {
        res.resume();
        resolve(fetchFrom(new URL(res.headers.location, target).toString(), localAddress, timeoutMs, redirects + 1));
        return;
      }
      if (status < 200 || status >= 300) {
        res.resume();
        reject(new Error(`${url}: HTTP ${status} ${res.statusMessage ?? ''}`.trim()));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_TORRENT_FILE_SIZE) req.destroy(new Error(`${url}: too large for a .torrent file`));
        else chunks.push(chunk);
      });
      res.on('end', () => resolve(Buffer.concat(chunks)));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: no answer within ${timeoutMs / 1000} s`)));
    req.on('error', (error: NodeJS.ErrnoException) =>
      reject(error.message.startsWith(url) ? error : new Error(`${url}: ${error.code ?? error.message}`)),
    );
  });
}

function parseMetainfoOrExplain(data: Buffer, source: string): Metainfo {
  try {
    return parseMetainfo(data);
  } catch (error) {
    if (error instanceof MetainfoError) throw new MetainfoError(`${source}: ${error.message}`);
    throw error;
  }
}
