/** Transmission's session settings over the service and the process's settings. */
import { statfs } from 'node:fs/promises';
import { describeError } from '../errors.js';
import type { RpcSession, RpcSessionSettings } from '../rpc/backend.js';
import type { TorrentService } from '../service/torrent-service.js';
import type { EncryptionSetting } from '../settings.js';
import type { RpcBackendHost } from './rpc-backend.js';

export function sessionOf(service: TorrentService, host: RpcBackendHost): RpcSession {
  // The settings only: service.global() would also sum every torrent's rates (10,000 stats a call).
  const global = service.settings();
  const settings = host.settings();
  return {
    btuiVersion: host.version,
    configDir: host.configDir,
    settings: {
      downloadDir: global.downloadDirectory,
      incompleteDir: global.downloadDirectory,
      incompleteDirEnabled: false,
      startAddedTorrents: true,
      renamePartialFiles: false,
      trashOriginalTorrentFiles: false,
      peerPort: host.peerPort(),
      peerPortRandomOnStart: false,
      portForwardingEnabled: false,
      peerLimitGlobal: settings.maxConnections,
      peerLimitPerTorrent: settings.maxPeersPerTorrent,
      dhtEnabled: settings.dht,
      pexEnabled: true,
      lpdEnabled: settings.lsd,
      utpEnabled: false,
      encryption: TRANSMISSION_ENCRYPTION[settings.encryption],
      speedLimitDown: global.limits.download,
      speedLimitDownEnabled: global.limits.download > 0,
      speedLimitUp: global.limits.upload,
      speedLimitUpEnabled: global.limits.upload > 0,
      altSpeedDown: global.altSpeed.download,
      altSpeedUp: global.altSpeed.upload,
      altSpeedEnabled: global.altSpeed.enabled,
      altSpeedTimeEnabled: global.altSpeed.scheduled,
      altSpeedTimeBegin: global.altSpeed.begin,
      altSpeedTimeEnd: global.altSpeed.end,
      altSpeedTimeDay: global.altSpeed.days,
      seedRatioLimit: global.seedRatioLimit ?? 2,
      seedRatioLimited: global.seedRatioLimit !== undefined,
      idleSeedingLimit: global.seedIdleLimit ?? 30,
      idleSeedingLimitEnabled: global.seedIdleLimit !== undefined,
      downloadQueueEnabled: global.maxActiveDownloads > 0,
      downloadQueueSize: global.maxActiveDownloads > 0 ? global.maxActiveDownloads : 5,
      seedQueueEnabled: false,
      seedQueueSize: 10,
      queueStalledEnabled: false,
      queueStalledMinutes: 30,
      cacheSizeMb: 16,
    },
  };
}

export function applySessionChanges(service: TorrentService, host: RpcBackendHost, changes: Partial<RpcSessionSettings>): void {
  const global = service.settings();
  const download = nextLimit(global.limits.download, changes.speedLimitDown, changes.speedLimitDownEnabled);
  const upload = nextLimit(global.limits.upload, changes.speedLimitUp, changes.speedLimitUpEnabled);
  if (download !== global.limits.download || upload !== global.limits.upload) service.setGlobalLimits({ download, upload });
  if (changes.downloadDir !== undefined) service.setDownloadDirectory(changes.downloadDir);
  if (changes.seedRatioLimited !== undefined || changes.seedRatioLimit !== undefined) {
    const limited = changes.seedRatioLimited ?? global.seedRatioLimit !== undefined;
    service.setGlobalSeedGoals({ ratio: limited ? (changes.seedRatioLimit ?? global.seedRatioLimit ?? 2) : null });
  }
  if (changes.idleSeedingLimitEnabled !== undefined || changes.idleSeedingLimit !== undefined) {
    const limited = changes.idleSeedingLimitEnabled ?? global.seedIdleLimit !== undefined;
    service.setGlobalSeedGoals({ idleMinutes: limited ? (changes.idleSeedingLimit ?? global.seedIdleLimit ?? 30) : null });
  }
  if (changes.downloadQueueEnabled !== undefined || changes.downloadQueueSize !== undefined) {
    const enabled = changes.downloadQueueEnabled ?? global.maxActiveDownloads > 0;
    service.setMaxActiveDownloads(enabled ? (changes.downloadQueueSize ?? (global.maxActiveDownloads || 5)) : 0);
  }
  const alt = {
    download: changes.altSpeedDown,
    upload: changes.altSpeedUp,
    enabled: changes.altSpeedEnabled,
    scheduled: changes.altSpeedTimeEnabled,
    begin: changes.altSpeedTimeBegin,
    end: changes.altSpeedTimeEnd,
    days: changes.altSpeedTimeDay,
  };
  const altPatch = Object.fromEntries(Object.entries(alt).filter(([, v]) => v !== undefined));
  if (Object.keys(altPatch).length > 0) service.setAltSpeed(altPatch);
  if (changes.peerPort !== undefined) host.saveSettings?.({ port: changes.peerPort });
  if (changes.encryption !== undefined) host.saveSettings?.({ encryption: BTUI_ENCRYPTION[changes.encryption] });
}

/**
 * btui's three modes against Transmission's. Transmission's `tolerated` dials in plaintext and
 * still accepts an encrypted handshake; btui's `plaintext` refuses one, the nearest it has.
 */
const TRANSMISSION_ENCRYPTION: Record<EncryptionSetting, RpcSessionSettings['encryption']> = {
  require: 'required',
  prefer: 'preferred',
  plaintext: 'tolerated',
};
const BTUI_ENCRYPTION: Record<RpcSessionSettings['encryption'], EncryptionSetting> = {
  required: 'require',
  preferred: 'prefer',
  tolerated: 'plaintext',
};

export async function freeSpace(path: string): Promise<{ sizeBytes: number; totalSize: number }> {
  try {
    const s = await statfs(path);
    return { sizeBytes: s.bavail * s.bsize, totalSize: s.blocks * s.bsize };
  } catch (error) {
    throw new Error(`${path}: ${describeError(error)}`);
  }
}

/** Transmission keeps a limit's value and whether it applies apart; btui has one number (0 = none). */
export function nextLimit(current: number, value: number | undefined, limited: boolean | undefined): number {
  if (limited === false) return 0;
  if (value !== undefined && (limited === true || current > 0)) return Math.max(0, Math.round(value));
  return current;
}
