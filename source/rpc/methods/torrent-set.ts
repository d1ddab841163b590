// torrent-set: changes applied to every selected torrent. Speeds arrive in kB/s and leave in
// bytes per second; keys btui does not know are ignored, as Transmission does, but a known key of
// the wrong type is an error.
import type { RpcTorrentChanges } from '../backend.js';
import {
  RpcArgumentError,
  optBool,
  optFileSelection,
  optInt,
  optIntArray,
  optLabels,
  optLimitMode,
  optNumber,
  optPriority,
  optString,
  optStringArray,
  type Args,
} from '../args.js';
import { SPEED_K } from '../torrent-fields.js';
import { selectedHashes, type MethodContext } from './context.js';

/** Transmission's trackerList text: one URL a line, tiers split by blank lines. */
export function parseTrackerList(text: string): string[][] {
  const tiers: string[][] = [];
  let tier: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') {
      if (tier.length > 0) tiers.push(tier);
      tier = [];
    } else tier.push(line);
  }
  if (tier.length > 0) tiers.push(tier);
  return tiers;
}

export function parseTorrentChanges(args: Args): RpcTorrentChanges {
  const c: RpcTorrentChanges = {};
  const speed = (key: string): number | undefined => {
    const v = optNumber(args, key, 0);
    return v === undefined ? undefined : Math.round(v * SPEED_K);
  };
  const set = <K extends keyof RpcTorrentChanges>(key: K, value: RpcTorrentChanges[K] | undefined): void => {
    if (value !== undefined) c[key] = value;
  };
  set('labels', optLabels(args));
  set('seedRatioLimit', optNumber(args, 'seedRatioLimit', 0));
  set('seedRatioMode', optLimitMode(args, 'seedRatioMode'));
  set('seedIdleLimit', optInt(args, 'seedIdleLimit', 0));
  set('seedIdleMode', optLimitMode(args, 'seedIdleMode'));
  set('filesWanted', optFileSelection(args, 'files-wanted'));
  set('filesUnwanted', optFileSelection(args, 'files-unwanted'));
  set('priorityHigh', optFileSelection(args, 'priority-high'));
  set('priorityNormal', optFileSelection(args, 'priority-normal'));
  set('priorityLow', optFileSelection(args, 'priority-low'));
  set('downloadLimit', speed('downloadLimit'));
  set('downloadLimited', optBool(args, 'downloadLimited'));
  set('uploadLimit', speed('uploadLimit'));
  set('uploadLimited', optBool(args, 'uploadLimited'));
  set('honorsSessionLimits', optBool(args, 'honorsSessionLimits'));
  set('bandwidthPriority', optPriority(args, 'bandwidthPriority'));
  set('peerLimit', optInt(args, 'peer-limit', 0));
  set('sequentialDownload', optBool(args, 'sequentialDownload'));
  const location = optString(args, 'location');
  if (location === '') throw new RpcArgumentError('argument "location" must not be empty');
  set('location', location);
  set('queuePosition', optInt(args, 'queuePosition', 0));
  set('trackerAdd', optStringArray(args, 'trackerAdd'));
  set('trackerRemove', optIntArray(args, 'trackerRemove'));
  const list = optString(args, 'trackerList');
  if (list !== undefined) c.trackerList = parseTrackerList(list);
  return c;
}

export async function torrentSet(args: Args, ctx: MethodContext): Promise<Record<string, unknown>> {
  const changes = parseTorrentChanges(args);
  const hashes = await selectedHashes(args, ctx);
  if (hashes.length > 0 && Object.keys(changes).length > 0) await ctx.backend.setTorrents(hashes, changes);
  return {};
}
