// btui's actions in Transmission's request arguments: speeds in kB/s (SPEED_K), goal modes as
// numbers, session limits with their *-enabled switches.
import type { ScrapeResult } from '../store/detail.js';
import type { AddInput, GlobalSeedGoals, SeedGoalPatch, SourceGlobal, SourceRow } from '../store/source.js';
import type { TorrentDetail } from '../store/types.js';
import { SPEED_K, type Raw } from './fields.js';

type RowPatch = { -readonly [K in keyof SourceRow]?: SourceRow[K] };

/** torrent-add's arguments: a bare info-hash becomes a magnet link, a .torrent's bytes go as base64. */
export function addArgs(input: AddInput, directory?: string): Raw {
  const args: Raw =
    'text' in input
      ? { filename: /^[0-9a-f]{40}$/i.test(input.text.trim()) ? `magnet:?xt=urn:btih:${input.text.trim()}` : input.text.trim() }
      : { metainfo: Buffer.from(input.torrent).toString('base64') };
  if (directory) args['download-dir'] = directory;
  return args;
}

/** torrent-set's per-torrent limits (0 = none), and the row as it will read once they apply. */
export function torrentLimitArgs(limits: { download?: number; upload?: number }): { args: Raw; patch: RowPatch } {
  const args: Raw = {};
  const patch: RowPatch = {};
  if (limits.download !== undefined) {
    args.downloadLimited = limits.download > 0;
    if (limits.download > 0) args.downloadLimit = Math.max(1, Math.round(limits.download / SPEED_K));
    patch.downloadLimit = limits.download;
  }
  if (limits.upload !== undefined) {
    args.uploadLimited = limits.upload > 0;
    if (limits.upload > 0) args.uploadLimit = Math.max(1, Math.round(limits.upload / SPEED_K));
    patch.uploadLimit = limits.upload;
  }
  return { args, patch };
}

export function seedGoalArgs(goals: SeedGoalPatch): Raw {
  const modes = { global: 0, single: 1, unlimited: 2 } as const;
  const args: Raw = {};
  if (goals.seedRatioMode !== undefined) args.seedRatioMode = modes[goals.seedRatioMode];
  if (goals.seedRatioLimit !== undefined) args.seedRatioLimit = goals.seedRatioLimit;
  if (goals.seedIdleMode !== undefined) args.seedIdleMode = modes[goals.seedIdleMode];
  if (goals.seedIdleLimit !== undefined) args.seedIdleLimit = goals.seedIdleLimit;
  return args;
}

/** session-set's global limits (0 = none), and the host's figures as they will read. */
export function globalLimitArgs(limits: { download?: number; upload?: number }, global: SourceGlobal): { args: Raw; global: SourceGlobal } {
  const args: Raw = {};
  for (const [which, key] of [
    ['download', 'speed-limit-down'],
    ['upload', 'speed-limit-up'],
  ] as const) {
    const value = limits[which];
    if (value === undefined) continue;
    args[`${key}-enabled`] = value > 0;
    if (value > 0) args[key] = Math.max(1, Math.round(value / SPEED_K));
  }
  return {
    args,
    global: {
      ...global,
      ...(limits.download !== undefined ? { downloadLimit: limits.download } : {}),
      ...(limits.upload !== undefined ? { uploadLimit: limits.upload } : {}),
    },
  };
}

/** Transmission's session-wide goals: seedRatioLimit(ed), idle-seeding-limit(-enabled) in minutes. */
export function globalSeedGoalArgs(goals: GlobalSeedGoals, global: SourceGlobal): { args: Raw; global: SourceGlobal } {
  const args: Raw = {};
  if (goals.ratio !== undefined) {
    args.seedRatioLimited = goals.ratio !== null;
    if (goals.ratio !== null) args.seedRatioLimit = goals.ratio;
  }
  if (goals.idleMinutes !== undefined) {
    args['idle-seeding-limit-enabled'] = goals.idleMinutes !== null;
    if (goals.idleMinutes !== null) args['idle-seeding-limit'] = Math.max(1, Math.round(goals.idleMinutes));
  }
  return {
    args,
    global: {
      ...global,
      ...(goals.ratio !== undefined ? { seedRatioLimit: goals.ratio ?? undefined } : {}),
      ...(goals.idleMinutes !== undefined ? { seedIdleLimit: goals.idleMinutes ?? undefined } : {}),
    },
  };
}

/** The detail's trackers with the figures of our own scrapes, where we have them. */
export function withScrapes(detail: TorrentDetail, scrapes: ReadonlyMap<string, ScrapeResult>): TorrentDetail {
  const trackers = detail.trackers.map((t) => {
    const s = scrapes.get(t.url);
    return s
      ? {
          ...t,
          seeders: s.complete ?? t.seeders,
          leechers: s.incomplete ?? t.leechers,
          completed: s.downloaded ?? t.completed,
          lastScrapeAt: s.at,
        }
      : t;
  });
  return { ...detail, trackers };
}

const LABELS_RPC_VERSION = 16;

/** Why labels cannot be set on a daemon of this rpc-version (session-get's), or undefined when they can. */
export function labelsRefusal(rpcVersion: number | undefined): string | undefined {
  if (rpcVersion === undefined || rpcVersion >= LABELS_RPC_VERSION) return undefined;
  return `the daemon has no labels (its RPC version is ${rpcVersion}; labels need 16, Transmission 3.00 or later)`;
}
