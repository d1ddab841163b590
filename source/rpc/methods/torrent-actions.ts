// The torrent actions that take `ids` and answer nothing: start, stop, verify, reannounce,
// remove, set-location and the four queue moves.
import type { RpcQueueMove } from '../backend.js';
import { RpcArgumentError, optBool, optString, type Args } from '../args.js';
import { selected, selectedHashes, type MethodContext, type MethodHandler } from './context.js';

const NONE: Record<string, unknown> = {};

function onSelected(act: (hashes: string[], args: Args, ctx: MethodContext) => unknown): MethodHandler {
  return async (args, ctx) => {
    const hashes = await selectedHashes(args, ctx);
    if (hashes.length > 0) await act(hashes, args, ctx);
    return NONE;
  };
}

export const torrentStart = onSelected((hashes, _args, ctx) => ctx.backend.startTorrents(hashes, false));
export const torrentStartNow = onSelected((hashes, _args, ctx) => ctx.backend.startTorrents(hashes, true));
export const torrentStop = onSelected((hashes, _args, ctx) => ctx.backend.stopTorrents(hashes));
export const torrentVerify = onSelected((hashes, _args, ctx) => ctx.backend.verifyTorrents(hashes));
export const torrentReannounce = onSelected((hashes, _args, ctx) => ctx.backend.reannounceTorrents(hashes));

export const torrentRemove: MethodHandler = async (args, ctx) => {
  const deleteLocalData = optBool(args, 'delete-local-data') ?? false;
  const hashes = await selectedHashes(args, ctx);
  if (hashes.length > 0) await ctx.backend.removeTorrents(hashes, deleteLocalData);
  return NONE;
};

export const torrentSetLocation: MethodHandler = async (args, ctx) => {
  const location = optString(args, 'location');
  if (location === undefined || location === '') throw new RpcArgumentError('no location');
  const move = optBool(args, 'move') ?? false;
  const hashes = await selectedHashes(args, ctx);
  if (hashes.length > 0) await ctx.backend.setLocation(hashes, location, move);
  return NONE;
};

export function queueMove(where: RpcQueueMove): MethodHandler {
  return onSelected((hashes, _args, ctx) => ctx.backend.moveInQueue(hashes, where));
}

export const torrentRenamePath: MethodHandler = async (args, ctx) => {
  const path = optString(args, 'path');
  const name = optString(args, 'name');
  if (path === undefined || path === '' || name === undefined || name === '')
    throw new RpcArgumentError('torrent-rename-path needs "path" and "name"');
  if (name.includes('/') || name === '.' || name === '..') throw new RpcArgumentError('argument "name" must be a single path component');
  const torrents = await selected(args, ctx);
  if (torrents.length !== 1) throw new RpcArgumentError('torrent-rename-path requires 1 torrent');
  const [torrent] = torrents;
  if (!ctx.backend.renamePath) throw new Error('renaming is not supported by btui');
  await ctx.backend.renamePath(torrent!.hashString, path, name);
  return { id: torrent!.id, name, path };
};
