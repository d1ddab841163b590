// session-get's and session-set's keys: btui's RpcSessionSettings in Transmission's names and units
// (speeds in kB/s of 1000 bytes, as units.speed-bytes says).
import type { RpcSession, RpcSessionSettings } from './backend.js';
import { type Args, optBool, optInt, optNumber, optOneOf, optString } from './args.js';
import { SPEED_K } from './torrent-fields.js';

export const RPC_VERSION = 17;
export const RPC_VERSION_MINIMUM = 14;
export const RPC_VERSION_SEMVER = '5.3.0';

/**
 * The `version` string. Sonarr/Radarr read the first number outside parentheses and need >= 2.40
 * (labels need >= 4.0), so it names the Transmission version whose protocol btui speaks, then btui.
 */
export function versionString(btuiVersion: string): string {
  return `4.0.6 (btui ${btuiVersion})`;
}

const kB = (bytesPerSecond: number): number => Math.floor(bytesPerSecond / SPEED_K);

/** Every session-get key, from the session and its current id. */
export function sessionArguments(session: RpcSession, sessionId: string): Record<string, unknown> {
  const s = session.settings;
  return {
    'alt-speed-down': kB(s.altSpeedDown),
    'alt-speed-enabled': s.altSpeedEnabled,
    'alt-speed-time-begin': s.altSpeedTimeBegin,
    'alt-speed-time-day': s.altSpeedTimeDay,
    'alt-speed-time-enabled': s.altSpeedTimeEnabled,
    'alt-speed-time-end': s.altSpeedTimeEnd,
    'alt-speed-up': kB(s.altSpeedUp),
    'blocklist-enabled': false,
    'blocklist-size': 0,
    'blocklist-url': '',
    'cache-size-mb': s.cacheSizeMb,
    'config-dir': session.configDir,
    'default-trackers': '',
    'dht-enabled': s.dhtEnabled,
    'download-dir': s.downloadDir,
    'download-dir-free-space': session.downloadDirFreeSpace ?? -1,
    'download-queue-enabled': s.downloadQueueEnabled,
    'download-queue-size': s.downloadQueueSize,
    encryption: s.encryption,
    'idle-seeding-limit': s.idleSeedingLimit,
    'idle-seeding-limit-enabled': s.idleSeedingLimitEnabled,
    'incomplete-dir': s.incompleteDir,
    'incomplete-dir-enabled': s.incompleteDirEnabled,
    'lpd-enabled': s.lpdEnabled,
    'peer-limit-global': s.peerLimitGlobal,
    'peer-limit-per-torrent': s.peerLimitPerTorrent,
    'peer-port': s.peerPort,
    'peer-port-random-on-start': s.peerPortRandomOnStart,
    'pex-enabled': s.pexEnabled,
    'port-forwarding-enabled': s.portForwardingEnabled,
    'queue-stalled-enabled': s.queueStalledEnabled,
    'queue-stalled-minutes': s.queueStalledMinutes,
    'rename-partial-files': s.renamePartialFiles,
    'rpc-version': RPC_VERSION,
    'rpc-version-minimum': RPC_VERSION_MINIMUM,
    'rpc-version-semver': RPC_VERSION_SEMVER,
    'script-torrent-added-enabled': false,
    'script-torrent-added-filename': '',
    'script-torrent-done-enabled': false,
    'script-torrent-done-filename': '',
    'script-torrent-done-seeding-enabled': false,
    'script-torrent-done-seeding-filename': '',
    'seed-queue-enabled': s.seedQueueEnabled,
    'seed-queue-size': s.seedQueueSize,
    seedRatioLimit: s.seedRatioLimit,
    seedRatioLimited: s.seedRatioLimited,
    'session-id': sessionId,
    'speed-limit-down': kB(s.speedLimitDown),
    'speed-limit-down-enabled': s.speedLimitDownEnabled,
    'speed-limit-up': kB(s.speedLimitUp),
    'speed-limit-up-enabled': s.speedLimitUpEnabled,
    'start-added-torrents': s.startAddedTorrents,
    'trash-original-torrent-files': s.trashOriginalTorrentFiles,
    units: {
      'memory-bytes': 1024,
      'memory-units': ['KiB', 'MiB', 'GiB', 'TiB'],
      'size-bytes': 1000,
      'size-units': ['kB', 'MB', 'GB', 'TB'],
      'speed-bytes': SPEED_K,
      'speed-units': ['kB/s', 'MB/s', 'GB/s', 'TB/s'],
    },
    'utp-enabled': s.utpEnabled,
    version: versionString(session.btuiVersion),
  };
}

type Reader = (args: Args, key: string) => unknown;
const kBps: Reader = (args, key) => {
  const v = optNumber(args, key, 0);
  return v === undefined ? undefined : Math.round(v * SPEED_K);
};
const count: Reader = (args, key) => optInt(args, key, 0);
const minutesOfDay: Reader = (args, key) => optInt(args, key, 0, 24 * 60);

/** session-set keys btui acts on: Transmission's name -> btui's setting and how to read it. */
const SETTABLE: Readonly<Record<string, readonly [keyof RpcSessionSettings, Reader]>> = {
  'alt-speed-down': ['altSpeedDown', kBps],
  'alt-speed-enabled': ['altSpeedEnabled', optBool],
  'alt-speed-time-begin': ['altSpeedTimeBegin', minutesOfDay],
  'alt-speed-time-day': ['altSpeedTimeDay', (a, k) => optInt(a, k, 0, 127)],
  'alt-speed-time-enabled': ['altSpeedTimeEnabled', optBool],
  'alt-speed-time-end': ['altSpeedTimeEnd', minutesOfDay],
  'alt-speed-up': ['altSpeedUp', kBps],
  'cache-size-mb': ['cacheSizeMb', count],
  'dht-enabled': ['dhtEnabled', optBool],
  'download-dir': ['downloadDir', optString],
  'download-queue-enabled': ['downloadQueueEnabled', optBool],
  'download-queue-size': ['downloadQueueSize', count],
  encryption: ['encryption', (a, k) => optOneOf(a, k, ['required', 'preferred', 'tolerated'])],
  'idle-seeding-limit': ['idleSeedingLimit', count],
  'idle-seeding-limit-enabled': ['idleSeedingLimitEnabled', optBool],
  'incomplete-dir': ['incompleteDir', optString],
  'incomplete-dir-enabled': ['incompleteDirEnabled', optBool],
  'lpd-enabled': ['lpdEnabled', optBool],
  'peer-limit-global': ['peerLimitGlobal', count],
  'peer-limit-per-torrent': ['peerLimitPerTorrent', count],
  'peer-port': ['peerPort', (a, k) => optInt(a, k, 0, 65535)],
  'peer-port-random-on-start': ['peerPortRandomOnStart', optBool],
  'pex-enabled': ['pexEnabled', optBool],
  'port-forwarding-enabled': ['portForwardingEnabled', optBool],
  'queue-stalled-enabled': ['queueStalledEnabled', optBool],
  'queue-stalled-minutes': ['queueStalledMinutes', count],
  'rename-partial-files': ['renamePartialFiles', optBool],
  'seed-queue-enabled': ['seedQueueEnabled', optBool],
  'seed-queue-size': ['seedQueueSize', count],
  seedRatioLimit: ['seedRatioLimit', (a, k) => optNumber(a, k, 0)],
  seedRatioLimited: ['seedRatioLimited', optBool],
  'speed-limit-down': ['speedLimitDown', kBps],
  'speed-limit-down-enabled': ['speedLimitDownEnabled', optBool],
  'speed-limit-up': ['speedLimitUp', kBps],
  'speed-limit-up-enabled': ['speedLimitUpEnabled', optBool],
  'start-added-torrents': ['startAddedTorrents', optBool],
  'trash-original-torrent-files': ['trashOriginalTorrentFiles', optBool],
  'utp-enabled': ['utpEnabled', optBool],
};

/**
 * session-set's arguments as btui's changes. Known keys of a wrong type are errors; keys btui has no
 * setting for (scripts, blocklist...) are ignored, as Transmission ignores keys it does not know.
 */
export function parseSessionSet(args: Args): Partial<RpcSessionSettings> {
  const changes: Record<string, unknown> = {};
  for (const key of Object.keys(args)) {
    if (!Object.hasOwn(SETTABLE, key)) continue;
    const entry = SETTABLE[key]!;
    const value = entry[1](args, key);
    if (value !== undefined) changes[entry[0]] = value;
  }
  return changes as Partial<RpcSessionSettings>;
}
