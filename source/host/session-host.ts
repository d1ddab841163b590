/**
 * One process's session, whatever its front-end (the TUI, `btui daemon`): the settings with
 * this run's flags on top, the engine session listening, the service over it and the watch
 * directory. The caller holds the state directory's lock, builds its front-end on the
 * service, then calls service.restore().
 */
import { resumeFilePath } from '../config.js';
import { Session } from '../engine/session/session.js';
import { describeError } from '../errors.js';
import { TorrentService } from '../service/torrent-service.js';
import { WatchDirectory } from '../service/watch-directory.js';
import { networkOptions } from '../session-state/network-options.js';
import { bindTargetFrom } from '../engine/transport/bind-target.js';
import { watchBinding, type BindTarget } from '../engine/transport/binding-watcher.js';
import type { Settings, SettingsStore } from '../settings.js';
import type { AltSpeed } from '../service/alt-speed.js';
import type { SettingsChange } from '../service/global-settings.js';

/** Flags that override the settings for this run only (never saved). */
export interface HostFlags {
  port?: number;
  dht?: boolean;
  utp?: boolean;
  tcp?: boolean;
  downloadDirectory?: string;
  encryption?: Settings['encryption'];
  /** --bind / --interface: either one replaces both settings for this run. */
  bindAddress?: string;
  bindInterface?: string;
}

export interface SessionHost {
  readonly session: Session;
  readonly service: TorrentService;
  /** The settings in force: the saved ones with this run's flags on top. */
  settings(): Settings;
  /** Saves a change (flags given for this run still win over it). */
  updateSettings(patch: Partial<Settings>): Settings;
  /** Lines the front-end should show: network settings it could not use, a port taken. */
  readonly problems: readonly string[];
  /** Starts (or restarts, after a settings change) the watch directory. */
  restartWatcher(): void;
  /** Stops the watch directory, saves the session, stops every torrent (stopped announces). */
  close(): Promise<void>;
}

export async function openSessionHost(state: string, settingsStore: SettingsStore, flags: HostFlags = {}): Promise<SessionHost> {
  const withFlags = (saved: Settings): Settings => ({
    ...saved,
    ...(flags.port !== undefined ? { port: flags.port } : {}),
    ...(flags.dht !== undefined ? { dht: flags.dht } : {}),
    ...(flags.utp !== undefined ? { utp: flags.utp } : {}),
    ...(flags.tcp !== undefined ? { tcp: flags.tcp } : {}),
    ...(flags.downloadDirectory !== undefined ? { downloadDirectory: flags.downloadDirectory } : {}),
    ...(flags.encryption !== undefined ? { encryption: flags.encryption } : {}),
    ...(flags.bindAddress !== undefined || flags.bindInterface !== undefined
      ? { bindAddress: flags.bindAddress ?? '', bindInterface: flags.bindInterface ?? '' }
      : {}),
  });
  let settings = withFlags(settingsStore.read());
  const network = networkOptions(settings, state);
  const problems = [...network.problems];
  let target: BindTarget | undefined;
  try {
    target = bindTargetFrom({ bind: settings.bindAddress, interface: settings.bindInterface });
  } catch (error) {
    // From the settings file: a flag was checked before. Refusing to start beats leaking past a bad setting.
    throw new Error(`settings: ${describeError(error)}`);
  }
  const watch = target ? watchBinding(target) : undefined;
  const session = new Session({
    host: settings.listenHost || undefined,
    bind: watch?.binding,
    resumePath: resumeFilePath,
    maxPeersPerTorrent: settings.maxPeersPerTorrent,
    maxConnections: settings.maxConnections,
    encryption: settings.encryption,
    ...network.options,
  });
  const service = new TorrentService(session, {
    stateDirectory: state,
    downloadDirectory: settings.downloadDirectory,
    maxActiveDownloads: settings.maxActiveDownloads,
    limits: { download: settings.downloadLimit, upload: settings.uploadLimit },
    altSpeed: altSpeedOf(settings),
    seedRatioLimit: settings.seedRatioLimited ? settings.seedRatioLimit : undefined,
    seedIdleLimit: settings.seedIdleLimited ? settings.seedIdleLimit : undefined,
    saveSettings: (change) => {
      settings = withFlags(settingsStore.update(settingsPatch(change)));
    },
    resumePath: resumeFilePath,
  });
  if (watch && !watch.binding.up) problems.push(`${watch.binding.what} has no address now: no traffic until it has one`);
  try {
    await session.listen(settings.port);
  } catch (error) {
    // A port given on the command line is a promise to whoever gave it: keep it or fail.
    if (flags.port !== undefined) {
      await session.close().catch(() => undefined);
      throw new Error(`cannot listen on port ${flags.port}: ${describeError(error)}`);
    }
    await session.listen(0);
    problems.push(`${describeError(error)}; listening on port ${session.port} instead`);
  }

  let watcher: WatchDirectory | undefined;
  return {
    session,
    service,
    problems,
    settings: () => settings,
    updateSettings: (patch) => {
      settings = withFlags(settingsStore.update(patch));
      session.setEncryption(settings.encryption);
      return settings;
    },
    restartWatcher: () => {
      watcher?.stop();
      watcher = settings.watchDirectory ? new WatchDirectory(settings.watchDirectory, service) : undefined;
      watcher?.start();
    },
    close: async () => {
      watcher?.stop();
      watch?.stop();
      await service.close();
      await session.close();
    },
  };
}

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
