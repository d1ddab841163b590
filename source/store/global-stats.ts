import type { SourceGlobal, TorrentSource } from './source.js';
import type { GlobalStats, HostTotals, TorrentRow } from './types.js';

/**
 * The status bar's figures: the first source's (the in-process session when there is one) with
 * rates and connections summed over every row; with several hosts, each host's own as well.
 * `lastGlobals`: each source's figures as last read, in the order of `sources`.
 */
export function globalStats(
  rows: readonly TorrentRow[],
  sources: readonly TorrentSource[],
  lastGlobals: readonly SourceGlobal[],
  multiHost: boolean,
): GlobalStats {
  let downloadRate = 0;
  let uploadRate = 0;
  let connections = 0;
  for (const row of rows) {
    downloadRate += row.downloadRate;
    uploadRate += row.uploadRate;
    connections += row.peers;
  }
  const first = lastGlobals[0] ?? sources[0]!.global();
  const global: GlobalStats = { ...first, downloadRate, uploadRate, connections };
  if (!multiHost) return global;
  const hosts = sources.map((source, i): HostTotals => {
    const status = source.status();
    const own = lastGlobals[i] ?? source.global();
    let torrents = 0;
    let down = 0;
    let up = 0;
    for (const row of rows) {
      if (row.host !== source.host) continue;
      torrents++;
      down += row.downloadRate;
      up += row.uploadRate;
    }
    return {
      name: source.host ?? 'local',
      ...(source.host === undefined ? { local: true } : {}),
      online: status.online,
      reason: status.reason,
      torrents,
      downloadRate: down,
      uploadRate: up,
      port: own.port,
      freeDisk: own.freeDisk,
      downloadLimit: own.downloadLimit,
      uploadLimit: own.uploadLimit,
      seedRatioLimit: own.seedRatioLimit,
      seedIdleLimit: own.seedIdleLimit,
    };
  });
  return { ...global, hosts };
}

/** Equal figures, so the snapshot keeps its old object and nothing redraws. */
export function sameGlobal(a: object, b: object): boolean {
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  for (const key in x) {
    if (key === 'hosts') {
      if (!sameHosts(x.hosts as HostTotals[] | undefined, y.hosts as HostTotals[] | undefined)) return false;
    } else if (x[key] !== y[key]) return false;
  }
  for (const key in y) if (!(key in x)) return false;
  return true;
}

function sameHosts(a: readonly HostTotals[] | undefined, b: readonly HostTotals[] | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  return a.every((h, i) => sameGlobal(h, b[i]!));
}
