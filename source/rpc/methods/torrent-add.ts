// torrent-add: a torrent from `metainfo` (base64 .torrent) or `filename` (a magnet link, an http(s)
// URL or a path on the daemon's machine), answered with torrent-added or torrent-duplicate.
import type { RpcAddSource } from '../backend.js';
import { RpcArgumentError, optBool, optFileSelection, optInt, optPriority, optString, optLabels, type Args } from '../args.js';
import type { MethodContext } from './context.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function decodeMetainfo(text: string): Uint8Array {
  const compact = text.replace(/\s+/g, '');
  if (compact.length === 0 || !BASE64.test(compact))
    throw new RpcArgumentError('argument "metainfo" must be base64-encoded .torrent content');
  return Buffer.from(compact, 'base64');
}

export function addSource(args: Args): RpcAddSource {
  const metainfo = optString(args, 'metainfo');
  const filename = optString(args, 'filename');
  const cookies = optString(args, 'cookies');
  if (metainfo !== undefined) return { kind: 'metainfo', bytes: decodeMetainfo(metainfo) };
  if (filename === undefined || filename === '') throw new RpcArgumentError('no filename or metainfo specified');
  if (/^magnet:\?/i.test(filename)) return { kind: 'magnet', uri: filename };
  if (/^https?:\/\//i.test(filename))
    return cookies === undefined ? { kind: 'url', url: filename } : { kind: 'url', url: filename, cookies };
  return { kind: 'file', path: filename };
}

export async function torrentAdd(args: Args, ctx: MethodContext): Promise<Record<string, unknown>> {
  const source = addSource(args);
  const downloadDir = optString(args, 'download-dir');
  const paused = optBool(args, 'paused');
  const labels = optLabels(args);
  const peerLimit = optInt(args, 'peer-limit', 0);
  const bandwidthPriority = optPriority(args, 'bandwidthPriority');
  const filesWanted = optFileSelection(args, 'files-wanted');
  const filesUnwanted = optFileSelection(args, 'files-unwanted');
  const priorityHigh = optFileSelection(args, 'priority-high');
  const priorityNormal = optFileSelection(args, 'priority-normal');
  const priorityLow = optFileSelection(args, 'priority-low');

  const added = await ctx.backend.addTorrent({
    source,
    ...(downloadDir !== undefined && downloadDir !== '' ? { downloadDir } : {}),
    ...(paused !== undefined ? { paused } : {}),
    ...(labels !== undefined ? { labels } : {}),
    ...(peerLimit !== undefined ? { peerLimit } : {}),
    ...(bandwidthPriority !== undefined ? { bandwidthPriority } : {}),
    ...(filesWanted !== undefined ? { filesWanted } : {}),
    ...(filesUnwanted !== undefined ? { filesUnwanted } : {}),
    ...(priorityHigh !== undefined ? { priorityHigh } : {}),
    ...(priorityNormal !== undefined ? { priorityNormal } : {}),
    ...(priorityLow !== undefined ? { priorityLow } : {}),
  });
  const view = { hashString: added.hashString, id: added.id, name: added.name };
  return added.duplicate ? { 'torrent-duplicate': view } : { 'torrent-added': view };
}
