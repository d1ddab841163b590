/**
 * `btui daemon`: the TUI's session without a screen, for systemd and containers, driven through
 * the Transmission-compatible RPC. Logs one line per event to stderr; SIGTERM (or the RPC's
 * session-close) stops it cleanly: the session saved, every torrent stopped, trackers told.
 */
import { parseCommand } from './commands/parse-command.js';
import { DEFAULTS, stateDirectory } from './config.js';
import { describeError, UserError } from './errors.js';
import { rpcConfig, startRpc, type RpcFlags } from './host/rpc-host.js';
import { RUN_FLAGS, runFlagsFrom } from './host/run-flags.js';
import { openSessionHost, type HostFlags, type SessionHost } from './host/session-host.js';
import { acquireSessionLock } from './session-state/session-lock.js';
import { SettingsStore } from './settings.js';
import { sessionLimitsText } from './format/session-limits-text.js';

declare const BTUI_VERSION: string | undefined;
const VERSION = typeof BTUI_VERSION === 'string' ? BTUI_VERSION : '0.1.0';

const help = `
  Usage
    $ btui daemon [options]

  Runs the saved session (the one the TUI shows; not both at once) without a screen, and
  serves Transmission's RPC at http://RPC-BIND:RPC-PORT/transmission/rpc for Sonarr, Radarr,
  Flood, transmission-remote and other Transmission clients. Logs go to stderr; SIGTERM
  stops it cleanly.

  Options
    --port N              peer listen port for this run (default: the settings', ${DEFAULTS.port})
    --no-dht              no DHT for this run
    --utp                 uTP peer connections for this run (--no-utp: none)
    --no-tcp              no TCP peer connections for this run (with --utp: uTP only)
    --encryption MODE     peer connections for this run: prefer, require, plaintext (MSE/PE)
    --download-dir DIR    where new torrents go, for this run
    --bind ADDR           every socket (peers, trackers, DHT, LSD, web seeds) leaves from ADDR only
    --interface NAME      the same with NAME's address; while it has none, no traffic at all
    --rpc-bind ADDR       RPC address (default 127.0.0.1; anything else needs --rpc-auth)
    --rpc-port N          RPC port (default 9091; 0 = any free port)
    --rpc-auth USER:PASS  require these credentials (also $BTUI_RPC_AUTH, or "rpcAuth" in
                          the settings file, which keeps them off the command line)
    --rebuild-session     if the saved session cannot be read, rebuild the list from the
                          state directory's .torrent copies (the TUI asks instead)

  State: $BTUI_HOME (default ~/.local/share/btui). Settings: the TUI's settings file.
`;

export async function runDaemon(argv: string[]): Promise<number> {
  const cli = parseCommand('daemon', help, argv, { ...RUN_FLAGS, rebuildSession: { type: 'boolean', default: false } });
  if (cli.input.length > 0) throw new UserError(`daemon: unexpected argument '${cli.input[0]}' (try 'btui daemon --help')`, 2);
  const run = runFlagsFrom(cli.flags, argv, 'daemon: ');

  const state = stateDirectory();
  const lock = acquireSessionLock(state, { holder: 'btui daemon' });
  try {
    return await runLocked(state, { ...run, rebuild: cli.flags.rebuildSession });
  } finally {
    lock.release();
  }
}

interface DaemonFlags {
  host: HostFlags;
  rpc: RpcFlags;
  rebuild: boolean;
}

function log(level: 'info' | 'warn' | 'error', text: string): void {
  process.stderr.write(`${new Date().toISOString()} ${level.padEnd(5)} ${text.replace(/[\r\n]+/g, ' ')}\n`);
}

async function runLocked(state: string, flags: DaemonFlags): Promise<number> {
  const settingsStore = new SettingsStore();
  // Checked before anything starts: an exposed RPC without credentials never listens.
  const config = rpcConfig(settingsStore.read(), flags.rpc);
  const host = await openSessionHost(state, settingsStore, flags.host);
  const { service, session } = host;
  service.on('log', (level, text) => log(level, text));
  for (const problem of host.problems) log('warn', problem);

  let stop!: (reason: string) => void;
  const stopped = new Promise<string>((resolve) => (stop = resolve));
  const crash = (error: unknown) => {
    log('error', `crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    // Best effort: keep the session the user had.
    void service.save().finally(() => process.exit(1));
    setTimeout(() => process.exit(1), 2000).unref();
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => stop(signal));

  const restored = await service.restore();
  const recovery = service.recovery;
  if (recovery) {
    const count = recovery.torrentFiles.length;
    if (!flags.rebuild) {
      await closeHost(host);
      const aside = recovery.setAside ? `; it was set aside, unchanged, as ${recovery.setAside}` : '';
      throw new UserError(
        `daemon: ${recovery.problem}${aside}. Nothing was changed. Run 'btui' to choose what to do, or 'btui daemon --rebuild-session' to rebuild the list from the ${count} saved .torrent file${count === 1 ? '' : 's'}`,
      );
    }
    const rebuilt = await service.rebuild(host.settings().downloadDirectory);
    log('warn', `${recovery.problem}: rebuilt the list from ${rebuilt} saved .torrent file${rebuilt === 1 ? '' : 's'}`);
  } else {
    log('info', `restored ${restored} torrent${restored === 1 ? '' : 's'} from ${service.sessionPath}`);
  }
  host.restartWatcher();

  let rpc;
  try {
    rpc = await startRpc(host, config, {
      version: VERSION,
      stateDirectory: state,
      log: (line) => log('warn', `rpc: ${line}`),
      shutdown: () => stop('session-close'),
    });
  } catch (error) {
    await closeHost(host);
    throw new UserError(`daemon: cannot serve the RPC on ${config.bind}:${config.port}: ${describeError(error)}`);
  }
  log(
    'info',
    `btui daemon ${VERSION}: peers on port ${session.port}, RPC at ${rpc.url}${config.auth ? ` (user ${config.auth.username})` : ' (no auth, loopback only)'}, state in ${state}`,
  );

  const { limits, altSpeed } = service.settings();
  log('info', `settings from ${settingsStore.path}: ${sessionLimitsText(limits, altSpeed)}`);

  const reason = await stopped;
  log('info', `stopping (${reason}): saving the session and telling the trackers`);
  // Stopped announces go to trackers that may be dead: past this, exit with the session saved.
  const guard = setTimeout(() => {
    log('warn', 'trackers did not answer in time; exiting with the session saved');
    process.exit(0);
  }, 15_000);
  guard.unref();
  await rpc.server.close();
  await closeHost(host);
  clearTimeout(guard);
  process.off('uncaughtException', crash);
  process.off('unhandledRejection', crash);
  log('info', 'stopped');
  return 0;
}

async function closeHost(host: SessionHost): Promise<void> {
  await host.close();
  const { closeDefaultHashPool } = await import('./engine/hashing/hasher.js');
  await closeDefaultHashPool();
}
