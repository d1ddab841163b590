import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { render } from 'ink';
import { useEffect, useState } from 'react';
import { resumeFilePath, stateDirectory } from './config.js';
import type { DemoSwarm } from './demo/swarm.js';
import { magnetURI } from './engine/metainfo/magnet.js';
import { describeError } from './errors.js';
import type { SessionRecovery } from './service/persistence.js';
import type { TorrentService } from './service/torrent-service.js';
import { rpcConfig, startRpc, type RpcFlags, type RunningRpc } from './host/rpc-host.js';
import { openSessionHost, type HostFlags } from './host/session-host.js';
import { acquireSessionLock } from './session-state/session-lock.js';
import { RpcSource } from './remote/rpc-source.js';
import { resolveTargets, type HostSetting, type RemoteTarget } from './remote/targets.js';
import { SettingsStore, type Settings } from './settings.js';
import { UserError } from './errors.js';
import { Controller } from './store/controller.js';
import { LocalSource } from './store/local-source.js';
import { sessionPreview } from './store/session-preview.js';
import { completePath } from './store/path-complete.js';
import type { TorrentSource } from './store/source.js';
import { TorrentStore } from './store/torrent-store.js';
import { App, type AppProps, type RecoveryQuestion } from './ui/app.js';
import { settingsHeldHere } from './ui/settings-access.js';
import { markStartup, startupDone } from './startup-marks.js';
import type { FrameConditions } from './session-state/first-frame.js';
import type { SourceGlobal } from './store/source.js';
import { drawOverSavedFrame, endByHangup, HUNG_UP, saveFirstFrame } from './tui-frames.js';
import { ENTER_ALTERNATE_SCREEN, watchScreenProcess } from './tui-process.js';

export interface TuiOptions {
  demo: boolean;
  /** This run's overrides of the settings (--port, --no-dht, --download-dir). */
  host?: HostFlags;
  /** Serve the Transmission RPC too (--rpc-port, --rpc-bind, --rpc-auth). */
  rpc?: RpcFlags;
  /** --connect: remote daemons (URLs, or names of the settings' hosts). */
  connect?: string[];
  /** --hosts: every host of the settings. */
  hosts?: boolean;
  /** --local: the in-process session beside the remote hosts. */
  local?: boolean;
  /** The first frame for the next start is drawn at a clean quit under these conditions; `shown`: this start's, already on screen. */
  firstFrame?: { conditions: Omit<FrameConditions, 'columns' | 'rows'>; shown?: string };
}

/** Re-renders the app at the terminal's size. One line is left free: Ink clears the whole screen on every frame that fills it. */
function Sized(props: Omit<AppProps, 'width' | 'height'>) {
  const size = () => ({ width: process.stdout.columns || 80, height: Math.max(5, (process.stdout.rows || 24) - 1) });
  const [dimensions, setDimensions] = useState(size);
  useEffect(() => {
    const onResize = () => setDimensions(size());
    process.stdout.on('resize', onResize);
    return () => {
      process.stdout.off('resize', onResize);
    };
  }, []);
  return <App {...props} width={dimensions.width} height={dimensions.height} />;
}

/**
 * `btui` / `btui --demo`: the full-screen interface over the in-process engine. The state
 * directory's lock comes first, before anything reads or writes there: a second btui on the
 * same session is refused (one line naming the holder), never run beside the first.
 */
export async function runTui(options: TuiOptions): Promise<number> {
  markStartup('tui-loaded');
  const settingsStore = new SettingsStore();
  const targets = remoteTargets(options, settingsStore.read());
  if (targets.length > 0 && !(options.local || settingsStore.read().localWithHosts)) {
    const code = await runRemoteOnly(settingsStore, targets);
    if (code === HUNG_UP) endByHangup();
    return code;
  }
  const state = stateDirectory();
  const lock = acquireSessionLock(state, { holder: 'btui' });
  let code: number;
  try {
    code = await runLocked(options, state, settingsStore, targets);
  } finally {
    lock.release();
  }
  if (code === HUNG_UP) endByHangup();
  return code;
}

/** The daemons of --connect and --hosts; a bad URL or unknown name stops here with one line. */
function remoteTargets(options: TuiOptions, settings: Settings): RemoteTarget[] {
  const entries: HostSetting[] = [];
  const named = (entry: HostSetting) => (typeof entry === 'string' ? undefined : entry.name);
  if (options.hosts) {
    if (settings.hosts.length === 0) throw new UserError('--hosts: the settings file lists no hosts', 2);
    entries.push(...settings.hosts);
  }
  for (const text of options.connect ?? []) {
    const entry = settings.hosts.find((h) => named(h) === text);
    entries.push(entry ?? text);
  }
  const targets = resolveTargets(entries);
  if ('error' in targets) throw new UserError(targets.error, 2);
  return targets;
}

function remoteSources(targets: readonly RemoteTarget[]): RpcSource[] {
  return targets.map((t) => new RpcSource(t.name, { url: t.url, username: t.username, password: t.password }));
}

/** `btui --connect URL` without --local: no session here, so no state directory lock either. */
async function runRemoteOnly(settingsStore: SettingsStore, targets: RemoteTarget[]): Promise<number> {
  const settings = settingsHeldHere(settingsStore.read(), settingsStore.path, (patch) => {
    // No session here: a limit set with no row selected names no host, which the controller says.
    if (patch.downloadLimit !== undefined || patch.uploadLimit !== undefined)
      void controller.setLimits({ download: patch.downloadLimit, upload: patch.uploadLimit });
    return settingsStore.update(patch);
  });
  const store = new TorrentStore(remoteSources(targets), { refreshMs: settings.read().refreshMs });
  const controller = new Controller(store);
  for (const t of targets) store.log('info', `${t.name}: connecting to ${t.url}${t.username ? ` as ${t.username}` : ''}`);
  store.start();
  const hungUp = await showScreen({
    props: {
      store,
      commands: controller,
      settings,
      complete: (text) => completePath(text),
    },
    onCrash: () => undefined,
  });
  store.stop();
  return hungUp ? HUNG_UP : 0;
}

/** Draws the app until the user quits or a signal asks; restores the terminal after. Resolves true when the terminal hung up. */
async function showScreen(options: {
  props: Omit<AppProps, 'width' | 'height' | 'onQuit'>;
  onCrash: () => Promise<unknown> | undefined;
}): Promise<boolean> {
  const screen = watchScreenProcess(options.onCrash);
  process.stdout.write(ENTER_ALTERNATE_SCREEN);
  const instance = render(<Sized {...options.props} onQuit={screen.requestQuit} />, {
    exitOnCtrlC: false,
    patchConsole: true,
    maxFps: 20,
  });
  await screen.quitRequested;
  instance.unmount();
  screen.restoreTerminal();
  screen.release();
  return screen.hungUp;
}

async function runLocked(options: TuiOptions, state: string, settingsStore: SettingsStore, targets: RemoteTarget[]): Promise<number> {
  // Checked before anything starts: an exposed RPC without credentials never listens.
  const rpcSettings = options.rpc ? rpcConfig(settingsStore.read(), options.rpc) : undefined;
  const host = await openSessionHost(state, settingsStore, options.host ?? {});
  markStartup('session-open');
  const { service, session } = host;
  const local = new LocalSource(service);
  const sources: TorrentSource[] = [local, ...remoteSources(targets)];
  const store = new TorrentStore(sources, { refreshMs: host.settings().refreshMs });
  for (const problem of host.problems) store.log('warn', problem);
  for (const t of targets) store.log('info', `${t.name}: connecting to ${t.url}${t.username ? ` as ${t.username}` : ''}`);
  const controller = new Controller(store);
  // The list of the first frame comes from session.json alone when it holds every row's figures;
  // the torrents (their .torrent files parsed and hashed, resume files read) open after that frame.
  const saved = await service.readSavedSession();
  const preview = service.recovery ? undefined : sessionPreview(saved);
  const openTorrents = async () => {
    const restored = await service.restore({ startLater: true, saved });
    if (restored > 0) store.log('info', `restored ${restored} torrent${restored === 1 ? '' : 's'} from ${service.sessionPath}`);
  };
  if (preview) local.showPreview(preview);
  else await openTorrents();
  markStartup('restored');
  const recovery = service.recovery
    ? recoveryQuestion(service, service.recovery, state, () => host.settings().downloadDirectory)
    : undefined;
  // The restored torrents in the first frame itself, not in the one after the store's next tick.
  store.refresh();
  store.start();

  // Until every saved torrent is open, session.json on disk is the whole session: nothing saves over it.
  let opening = true;
  // On a crash, best effort: keep the session the user had.
  const screen = watchScreenProcess(() => (opening ? undefined : service.save()));
  let rpc: RunningRpc | undefined;
  // Once every saved torrent is open: the watch directory and the RPC never add one that is still to be restored.
  const serve = async () => {
    host.restartWatcher();
    if (!rpcSettings) return;
    try {
      rpc = await startRpc(host, rpcSettings, {
        version: '0.1.0',
        stateDirectory: state,
        log: (line) => store.log('warn', `rpc: ${line}`),
        shutdown: screen.requestQuit,
      });
      store.log('info', `serving the Transmission RPC at ${rpc.url}${rpcSettings.auth ? ` (user ${rpcSettings.auth.username})` : ''}`);
    } catch (error) {
      store.log('error', `cannot serve the RPC on ${rpcSettings.bind}:${rpcSettings.port}: ${describeError(error)}`);
    }
  };

  let demo: DemoSwarm | undefined;
  let closing = false;

  if (options.firstFrame?.shown !== undefined) drawOverSavedFrame(options.firstFrame.shown);
  else process.stdout.write(ENTER_ALTERNATE_SCREEN);
  const instance = render(
    <Sized
      store={store}
      commands={controller}
      settings={{ read: host.settings, update: host.updateSettings, subscribe: host.subscribeSettings, path: settingsStore.path }}
      demo={options.demo}
      recovery={recovery}
      onQuit={screen.requestQuit}
      complete={(text) => completePath(text)}
      onSettingsChanged={(change) => {
        if (change.downloadDirectory !== undefined) local.remeasureDisk();
        if (change.watchDirectory !== undefined) host.restartWatcher();
      }}
    />,
    { exitOnCtrlC: false, patchConsole: true, maxFps: 20 },
  );
  startupDone('rendered');
  // The first frame is on screen: now the torrents open (from the preview's list), then start and announce.
  const opened = (async () => {
    try {
      if (preview) await openTorrents();
    } catch (error) {
      store.log('error', `cannot restore the session: ${describeError(error)}`);
    } finally {
      local.endPreview();
      opening = false;
    }
    service.startRestored();
    await serve();
  })();

  if (options.demo) {
    store.log('info', 'starting the demo swarm (a tracker and three seeders on 127.0.0.1)…');
    void (async () => {
      try {
        const { startDemoSwarm } = await import('./demo/swarm.js');
        demo = await startDemoSwarm({ seederUploadLimit: demoRate() });
        if (closing) return void (await demo.close());
        for (const meta of demo.torrents) {
          // The small text file comes as a magnet with the seeders as x.pe: its metadata is fetched from them first.
          if (meta.name === 'README-demo.txt') {
            await service.addMagnet(
              magnetURI({ infoHash: meta.infoHash, name: meta.name, trackers: meta.announce.flat(), peers: demo.peers }),
              { directory: demo.downloadDirectory, ephemeral: true },
            );
            continue;
          }
          const hash = await service.addMetainfo(meta, { directory: demo.downloadDirectory, ephemeral: true });
          session.get(hash)?.addPeers(demo.peers);
        }
        store.log(
          'info',
          `demo: ${demo.torrents.length} torrents from seeders on ${demo.peers.map((p) => p.port).join(', ')}; data in ${demo.downloadDirectory} (deleted on exit, never saved in the session)`,
        );
      } catch (error) {
        store.log('error', `demo swarm: ${describeError(error)}`);
      }
    })();
  }

  await screen.quitRequested;
  closing = true;
  instance.unmount();
  screen.restoreTerminal();
  store.stop();
  // A quit while the torrents were still opening: the session is saved whole, not the part opened.
  await opened;
  await rpc?.server.close();
  // The session as saved now is what the next start lists first: its first frame is drawn now.
  const figures: SourceGlobal = { ...local.global(), freeDisk: undefined, dhtNodes: undefined };
  await service.close();
  if (options.firstFrame && !service.recovery)
    await saveFirstFrame(service, state, options.firstFrame.conditions, figures, host.settings(), settingsStore.path, options.demo);
  if (demo) {
    // Demo torrents are not part of the saved session; their data goes with the demo.
    for (const meta of demo.torrents) {
      await session.remove(meta.infoHash).catch(() => undefined);
      await rm(resumeFilePath(meta.infoHash), { force: true });
    }
  }
  await session.close();
  await demo?.close();
  screen.release();
  const { closeDefaultHashPool } = await import('./engine/hashing/hasher.js');
  await closeDefaultHashPool();
  return screen.hungUp ? HUNG_UP : 0;
}

/** The screen that tells the user their saved session could not be used, and asks to rebuild it. */
function recoveryQuestion(
  service: TorrentService,
  recovery: SessionRecovery,
  state: string,
  downloadDirectory: () => string,
): RecoveryQuestion {
  const count = recovery.torrentFiles.length;
  const files = `${count} saved .torrent file${count === 1 ? '' : 's'}`;
  const lines = [
    `${recovery.problem}.`,
    ...(recovery.setAside ? [`It was set aside, unchanged, as ${recovery.setAside}.`] : []),
    'Nothing is saved over your session until you answer.',
    '',
    count > 0
      ? `The state directory holds ${files} (${join(state, 'torrents')}).`
      : `There are no saved .torrent files in ${join(state, 'torrents')} to rebuild the list from.`,
    ...(count > 0
      ? [
          'Rebuilt, each torrent goes back where the old session kept its data when that can still be',
          `read from the damaged file, else to ${downloadDirectory()}; it runs again if its data is`,
          'found there, else it waits paused. Answering n keeps the list empty.',
        ]
      : []),
  ];
  return {
    title: 'The saved session could not be used',
    text: lines.join('\n'),
    question: count > 0 ? `rebuild the list from the ${files}? (y/n)` : 'continue with an empty list? (y/n)',
    answer: (yes) => void (yes && count > 0 ? service.rebuild(downloadDirectory()) : service.keepAsIs()),
  };
}

/** BTUI_DEMO_RATE: bytes/s per demo seeder (default 1 MiB/s, so downloads are watchable; 0 = unlimited). */
function demoRate(): number {
  const value = Number(process.env.BTUI_DEMO_RATE);
  // Slow enough that the downloads are still under way when a newcomer has looked around (a few minutes).
  return process.env.BTUI_DEMO_RATE !== undefined && Number.isFinite(value) && value >= 0 ? value : 256 * 1024;
}
