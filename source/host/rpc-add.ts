/** torrent-add over the service: a .torrent (bytes, path or URL) or a magnet, refused in words a remote user can act on. */
import { loadTorrent } from '../engine/metainfo/load-torrent.js';
import { MagnetError, parseMagnet } from '../engine/metainfo/magnet.js';
import { MetainfoError, parseMetainfo, type Metainfo } from '../engine/metainfo/metainfo.js';
import { describeError } from '../errors.js';
import type { RpcAddRequest, RpcAddResult, RpcFileSelection } from '../rpc/backend.js';
import type { TorrentService } from '../service/torrent-service.js';
import type { AddOptions } from '../service/types.js';

export async function addTorrent(service: TorrentService, request: RpcAddRequest): Promise<RpcAddResult> {
  const { source } = request;
  const options: AddOptions = {
    directory: request.downloadDir,
    paused: request.paused,
    labels: request.labels,
    priority: request.bandwidthPriority === undefined ? undefined : request.bandwidthPriority + 2,
  };
  if (source.kind === 'magnet') {
    let hash: string;
    try {
      hash = parseMagnet(source.uri).infoHash;
    } catch (error) {
      throw new Error(error instanceof MagnetError ? `invalid magnet link: ${error.message}` : describeError(error));
    }
    const existing = duplicate(service, hash);
    if (existing) return existing;
    await service.addMagnet(source.uri, options);
    return added(service, hash, 'could not add the magnet link');
  }
  const meta = await metainfoOf(source, () => service.session.localAddress());
  const existing = duplicate(service, meta.infoHash);
  if (existing) return existing;
  const priorities = filePrioritiesFor(meta, request);
  if (priorities) options.filePriorities = Uint8Array.from(priorities);
  await service.addMetainfo(meta, options);
  return added(service, meta.infoHash, 'could not add the torrent');
}

async function metainfoOf(
  source: Exclude<RpcAddRequest['source'], { kind: 'magnet' }>,
  localAddress: () => string | undefined,
): Promise<Metainfo> {
  try {
    if (source.kind === 'metainfo')
      return parseMetainfo(Buffer.from(source.bytes.buffer, source.bytes.byteOffset, source.bytes.byteLength));
    if (source.kind === 'url') return await loadTorrent(source.url, { localAddress: localAddress() });
    return await loadTorrent(source.path);
  } catch (error) {
    if (error instanceof MetainfoError) throw new Error(`invalid or corrupt torrent file (${error.message})`);
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`no such file: ${source.kind === 'file' ? source.path : ''}`);
    throw new Error(describeError(error));
  }
}

function duplicate(service: TorrentService, hash: string): RpcAddResult | undefined {
  const ref = service.ref(hash);
  if (!ref) return undefined;
  return { duplicate: true, id: ref.id, name: service.summary(ref.id)?.name ?? '', hashString: hash };
}

function added(service: TorrentService, hash: string, failure: string): RpcAddResult {
  const ref = service.ref(hash);
  if (!ref) throw new Error(failure);
  return { duplicate: false, id: ref.id, name: service.summary(ref.id)?.name ?? '', hashString: hash };
}

function filePrioritiesFor(meta: Metainfo, request: RpcAddRequest): number[] | undefined {
  const { filesWanted, filesUnwanted, priorityHigh } = request;
  if (!filesWanted && !filesUnwanted && !priorityHigh) return undefined;
  const real = meta.files.map((f, i) => ({ f, i })).filter(({ f }) => !f.padding);
  const priorities = meta.files.map(() => 1);
  const pick = (selection: RpcFileSelection | undefined) =>
    selection === undefined ? [] : selection === 'all' ? real.map((_, k) => k) : selection;
  if (filesWanted && filesWanted !== 'all') {
    for (const { i } of real) priorities[i] = 0;
    for (const k of filesWanted) if (real[k]) priorities[real[k]!.i] = 1;
  }
  for (const k of pick(filesUnwanted)) if (real[k]) priorities[real[k]!.i] = 0;
  for (const k of pick(priorityHigh)) if (real[k] && priorities[real[k]!.i] !== 0) priorities[real[k]!.i] = 2;
  return priorities;
}
