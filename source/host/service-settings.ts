/**
 * The settings the service owns (global limits, turtle mode, seed goals, download directory,
 * queue size) between their two shapes: the service's, which is the truth while it runs, and the
 * settings file's, which keeps them for the next start.
 */
import type { AltSpeed } from '../service/alt-speed.js';
import type { ServiceSettings, SettingsChange } from '../service/global-settings.js';
import type { TorrentService } from '../service/torrent-service.js';
import { sanitize, type Settings } from '../settings.js';

/** Turtle mode as the settings file keeps it, and back. */
export function altSpeedOf(s: Settings): AltSpeed {
  return {
    download: s.altDownloadLimit,
    upload: s.altUploadLimit,
    enabled: s.altSpeedEnabled,
    scheduled: s.altSpeedScheduled,
    begin: s.altSpeedBegin,
    end: s.altSpeedEnd,
    days: s.altSpeedDays,
  };
}

export function altSpeedSettings(a: AltSpeed): Partial<Settings> {
  return {
    altDownloadLimit: a.download,
    altUploadLimit: a.upload,
    altSpeedEnabled: a.enabled,
    altSpeedScheduled: a.scheduled,
    altSpeedBegin: a.begin,
    altSpeedEnd: a.end,
    altSpeedDays: a.days,
  };
}

/** A change of the service's settings as the settings file keeps it. */
export function settingsPatch(change: SettingsChange): Partial<Settings> {
  const patch: Partial<Settings> = {};
  if (change.limits) Object.assign(patch, { downloadLimit: change.limits.download, uploadLimit: change.limits.upload });
  if (change.altSpeed) Object.assign(patch, altSpeedSettings(change.altSpeed));
  if (change.downloadDirectory !== undefined) patch.downloadDirectory = change.downloadDirectory;
  if (change.maxActiveDownloads !== undefined) patch.maxActiveDownloads = change.maxActiveDownloads;
  if (change.seedRatioLimit !== undefined) {
    patch.seedRatioLimited = change.seedRatioLimit !== null;
    if (change.seedRatioLimit !== null) patch.seedRatioLimit = change.seedRatioLimit;
  }
  if (change.seedIdleLimit !== undefined) {
    patch.seedIdleLimited = change.seedIdleLimit !== null;
    if (change.seedIdleLimit !== null) patch.seedIdleLimit = change.seedIdleLimit;
  }
  return patch;
}

/** The service's settings as the settings file's fields (a goal switched off keeps the file's value). */
export function serviceOwnedSettings(s: ServiceSettings): Partial<Settings> {
  return settingsPatch({ ...s, seedRatioLimit: s.seedRatioLimit ?? null, seedIdleLimit: s.seedIdleLimit ?? null });
}

/** Turtle mode's fields in the settings file. */
const ALT_SPEED_KEYS: Record<keyof AltSpeed, keyof Settings> = {
  download: 'altDownloadLimit',
  upload: 'altUploadLimit',
  enabled: 'altSpeedEnabled',
  scheduled: 'altSpeedScheduled',
  begin: 'altSpeedBegin',
  end: 'altSpeedEnd',
  days: 'altSpeedDays',
};

const SERVICE_OWNED_KEYS = new Set<keyof Settings>([
  'downloadDirectory',
  'downloadLimit',
  'uploadLimit',
  'maxActiveDownloads',
  'seedRatioLimit',
  'seedRatioLimited',
  'seedIdleLimit',
  'seedIdleLimited',
  ...Object.values(ALT_SPEED_KEYS),
]);

/** A goal's value is kept in the file while the goal is off too (the service then has none). */
const GOAL_VALUES = new Set<keyof Settings>(['seedRatioLimit', 'seedIdleLimit']);

/**
 * Applies the service's own fields of `patch` through the service (which saves them through its
 * saveSettings hook) and returns the rest, for the settings file. Values are first made valid as
 * the file's would be; `current` fills in the other half of a goal (its value or its switch).
 */
export function applyServiceSettings(service: TorrentService, patch: Partial<Settings>, current: Settings): Partial<Settings> {
  const next = sanitize({ ...current, ...patch });
  const has = (key: keyof Settings) => patch[key] !== undefined;
  const rest: Partial<Settings> = {};
  for (const key of Object.keys(patch) as (keyof Settings)[])
    if (!SERVICE_OWNED_KEYS.has(key) || GOAL_VALUES.has(key)) Object.assign(rest, { [key]: patch[key] });
  if (has('downloadLimit') || has('uploadLimit'))
    service.setGlobalLimits({
      download: has('downloadLimit') ? next.downloadLimit : undefined,
      upload: has('uploadLimit') ? next.uploadLimit : undefined,
    });
  const alt = altSpeedOf(next);
  const altPatch = Object.fromEntries(Object.entries(alt).filter(([field]) => has(ALT_SPEED_KEYS[field as keyof AltSpeed])));
  if (Object.keys(altPatch).length > 0) service.setAltSpeed(altPatch);
  if (has('downloadDirectory')) service.setDownloadDirectory(next.downloadDirectory);
  if (has('maxActiveDownloads')) service.setMaxActiveDownloads(next.maxActiveDownloads);
  if (has('seedRatioLimit') || has('seedRatioLimited'))
    service.setGlobalSeedGoals({ ratio: next.seedRatioLimited ? next.seedRatioLimit : null });
  if (has('seedIdleLimit') || has('seedIdleLimited'))
    service.setGlobalSeedGoals({ idleMinutes: next.seedIdleLimited ? next.seedIdleLimit : null });
  return rest;
}
