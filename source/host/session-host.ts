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
import { altSpeedOf, applyServiceSettings, serviceOwnedSettings, settingsPatch } from './service-settings.js';

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
  /**
   * The settings in force: the saved ones with this run's flags on top, and the service's own
   * (limits, turtle mode, seed goals, download directory, queue size) as the service has them,
   * whoever changed them last (the RPC, a key, the schedule). The same object until a change.
   */
  settings(): Settings;
  /**
   * Applies and saves a change: the service's own fields through the service, the rest in the
   * settings file (flags given for this run still win over those, but for encryption: a change
   * made while running applies at once).
   */
  updateSettings(patch: Partial<Settings>): Settings;
  /** Calls `listener` after each change of settings(); returns the unsubscribe. */
  subscribeSettings(listener: () => void): () => void;
  /** Lines the front-end should show: network settings it could not use, a port taken. */
  readonly problems: readonly string[];
  /** Starts (or restarts, after a settings change) the watch directory. */
  restartWatcher(): void;
  /** Stops the watch directory, saves the session, stops every torrent (stopped announces). */
  close(): Promise<void>;
}

export async function openSessionHost(state: string, settingsStore: SettingsStore, flags: HostFlags = {}): Promise<SessionHost> {
  // A change of encryption made while running (the RPC, the settings screen) applies at once, over the flag.
  let encryptionFlag = flags.encryption;
  const withFlags = (saved: Settings): Settings => ({
    ...saved,
    ...(flags.port !== undefined ? { port: flags.port } : {}),
    ...(flags.dht !== undefined ? { dht: flags.dht } : {}),
    ...(flags.utp !== undefined ? { utp: flags.utp } : {}),
    ...(flags.tcp !== undefined ? { tcp: flags.tcp } : {}),
    ...(flags.downloadDirectory !== undefined ? { downloadDirectory: flags.downloadDirectory } : {}),
    ...(encryptionFlag !== undefined ? { encryption: encryptionFlag } : {}),
    ...(flags.bindAddress !== undefined || flags.bindInterface !== undefined
      ? { bindAddress: flags.bindAddress ?? '', bindInterface: flags.bindInterface ?? '' }
      : {}),
  });
  // The settings file with this run's flags; `settings` adds the service's own once it runs.
  let saved = withFlags(settingsStore.read());
  let settings = saved;
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
      saved = withFlags(settingsStore.update(settingsPatch(change)));
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

  const listeners = new Set<() => void>();
  const settingsChanged = () => {
    settings = { ...saved, ...serviceOwnedSettings(service.settings()) };
    for (const listener of listeners) listener();
  };
  settingsChanged();
  // Every change of the service's settings ends in global-changed, after its saveSettings.
  service.on('global-changed', settingsChanged);

  let watcher: WatchDirectory | undefined;
  return {
    session,
    service,
    problems,
    settings: () => settings,
    updateSettings: (patch) => {
      const rest = applyServiceSettings(service, patch, settings);
      if (rest.encryption !== undefined) encryptionFlag = undefined;
      if (Object.keys(rest).length > 0) {
        saved = withFlags(settingsStore.update(rest));
        session.setEncryption(saved.encryption);
        settingsChanged();
      }
      return settings;
    },
    subscribeSettings: (listener) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
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
