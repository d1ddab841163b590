// The session methods: session-get, session-set, session-stats, free-space, port-test, blocklist-update.
import type { RpcStatsBlock } from '../backend.js';
import { RpcArgumentError, optString, optStringArray, type Args } from '../args.js';
import { parseSessionSet, sessionArguments } from '../session-fields.js';
import type { MethodContext } from './context.js';

export async function sessionGet(args: Args, ctx: MethodContext): Promise<Record<string, unknown>> {
  const fields = optStringArray(args, 'fields');
  const all = sessionArguments(await ctx.backend.getSession(), ctx.sessionId());
  if (fields === undefined || fields.length === 0) return all;
  const out: Record<string, unknown> = {};
  for (const f of fields) if (Object.hasOwn(all, f)) out[f] = all[f];
  return out;
}

export async function sessionSet(args: Args, ctx: MethodContext): Promise<Record<string, unknown>> {
  const changes = parseSessionSet(args);
  if (Object.keys(changes).length > 0) await ctx.backend.setSession(changes);
  return {};
}

const statsBlock = (b: RpcStatsBlock): Record<string, number> => ({
  downloadedBytes: b.downloadedBytes,
  filesAdded: b.filesAdded,
  secondsActive: b.secondsActive,
  sessionCount: b.sessionCount,
  uploadedBytes: b.uploadedBytes,
});

export async function sessionStats(_args: Args, ctx: MethodContext): Promise<Record<string, unknown>> {
  const [torrents, stats] = await Promise.all([ctx.backend.listTorrents(), ctx.backend.sessionStats()]);
  let active = 0;
  for (const t of torrents) if (t.status !== 'stopped') active++;
  return {
    activeTorrentCount: active,
    'cumulative-stats': statsBlock(stats.cumulative),
    'current-stats': statsBlock(stats.current),
    downloadSpeed: Math.round(stats.downloadSpeed),
    pausedTorrentCount: torrents.length - active,
    torrentCount: torrents.length,
    uploadSpeed: Math.round(stats.uploadSpeed),
  };
}

export async function freeSpace(args: Args, ctx: MethodContext): Promise<Record<string, unknown>> {
  const path = optString(args, 'path');
  if (path === undefined || path === '') throw new RpcArgumentError('directory path argument is missing');
  const { sizeBytes, totalSize } = await ctx.backend.freeSpace(path);
  return { path, 'size-bytes': sizeBytes, total_size: totalSize };
}

export async function portTest(_args: Args, ctx: MethodContext): Promise<Record<string, unknown>> {
  const open = ctx.backend.portTest ? await ctx.backend.portTest() : false;
  return { 'port-is-open': open };
}

export async function blocklistUpdate(): Promise<Record<string, unknown>> {
  throw new Error('blocklists are not supported by btui');
}

export async function sessionClose(_args: Args, ctx: MethodContext): Promise<Record<string, unknown>> {
  const { backend } = ctx;
  if (!backend.shutdown) throw new Error('session-close is not supported here');
  // Answer first, then stop: the client should see "success".
  setImmediate(() => void Promise.resolve(backend.shutdown?.()).catch(() => {}));
  return {};
}
