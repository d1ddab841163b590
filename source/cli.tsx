#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import type { Result } from 'meow';
import { describeError, exitCodeFor, UserError } from './errors.js';
import { COMMAND_NAMES } from './commands/names.js';
import { hashesAtStart, hashWorkerCount } from './commands/hash-workers.js';
import { exitsWhenDone, exitWhenFlushed, watchStandardStreams } from './commands/exit-when-flushed.js';
import { parseSimpleFlags } from './commands/simple-flags.js';
import { startHashWorker } from './engine/hashing/started-workers.js';
import type { RUN_FLAGS } from './host/run-flags.js';
import { markStartup } from './startup-marks.js';
import { frameConditions, leaveSavedFrame, showSavedFrame } from './startup-frame.js';

const help = `
  Usage
    $ btui                                   the TUI (restores the saved session)
    $ btui --demo                            the TUI with an embedded local demo swarm
    $ btui --connect URL [--connect URL ...] the TUI over remote btui / Transmission daemons
    $ btui download -t FILE.torrent [-o DIR] download (also a magnet, an info-hash or an http(s) URL)
    $ btui metainfo -t FILE.torrent [--json] show a torrent's metainfo
    $ btui metainfo -m 'magnet:?...'         show what a magnet link holds
    $ btui scrape -t TRACKER_URL -i HASH,... seeders / leechers / completed per hash
    $ btui bencode -f FILE [--json]          a bencoded file as readable JSON (-f - for stdin)
    $ btui bencode --encode FILE.json        back to the exact bencoded bytes
    $ btui create PATH -o OUT.torrent        make a .torrent
    $ btui serve -f 'a.mp4,b.jpeg'           seed files, print a magnet for each
    $ btui daemon [--rpc-port 9091]          the session without a screen, with a
                                             Transmission-compatible RPC

  Options (the TUI and the daemon)
    --port N              peer listen port for this run
    --no-dht              no DHT for this run
    --utp                 uTP peer connections for this run (--no-utp: none)
    --no-tcp              no TCP peer connections for this run (with --utp: uTP only)
    --encryption MODE     peer connections for this run: prefer, require, plaintext (MSE/PE)
    --download-dir DIR    where new torrents go, for this run
    --bind ADDR           every socket (peers, trackers, DHT, LSD, web seeds) leaves from ADDR only
    --interface NAME      the same with NAME's address; while it has none, no traffic at all
    --rpc-port N          also serve the Transmission RPC on this port (the daemon: 9091)
    --rpc-bind ADDR       RPC address (default 127.0.0.1; anything else needs --rpc-auth)
    --rpc-auth USER:PASS  RPC credentials (also $BTUI_RPC_AUTH or the settings file)
    --demo                the TUI with an embedded local demo swarm
    --connect URL         a remote daemon, http(s)://[user:pass@]host[:port][/path]
                          (path /transmission/rpc by default; repeatable), or the name
                          of an entry of the settings' "hosts"; a password can come from
                          $BTUI_RPC_PASSWORD_<HOST> or $BTUI_RPC_PASSWORD instead
    --hosts               connect to every entry of the settings' "hosts"
    --local               with --connect: the local session too, in the same list
    --version             print the version

  Run 'btui COMMAND --help' for a command's options.
`;

const TUI_FLAGS = {
  demo: { type: 'boolean', default: false },
  connect: { type: 'string', isMultiple: true },
  hosts: { type: 'boolean', default: false },
  local: { type: 'boolean', default: false },
} as const;

type TuiLineFlags = typeof TUI_FLAGS & typeof RUN_FLAGS;
type TuiLine = Pick<Result<TuiLineFlags>, 'input' | 'flags'>;

/**
 * The TUI's line when parseSimpleFlags cannot take it (--help, --version, unknown options...).
 * Only then is meow loaded: its import and its reading of package.json cost about 1.5x the
 * rest of the TUI's flag handling and module loading together, before the first frame.
 */
async function parseWithMeow(argv: string[], flags: TuiLineFlags, known: Set<string>): Promise<TuiLine> {
  const { default: meow } = await import('meow');
  const cli = meow(help, { importMeta: import.meta, argv, allowUnknownFlags: true, flags });
  const unknown = Object.keys(cli.unnormalizedFlags).find((k) => !known.has(k));
  if (unknown !== undefined) throw new UserError(`unknown option ${unknown.length === 1 ? '-' : '--'}${unknown} (try 'btui --help')`, 2);
  return cli;
}

type Runner = (argv: string[]) => Promise<number | void>;

/**
 * Defined by scripts/build.mjs. Built, this file is distribution/cli.js (CommonJS: no ES module
 * loader to start), each command is a CommonJS bundle beside it (command-NAME.js, loaded with
 * its code cache), and so is the TUI (tui.js, its cache written by its first run).
 */
declare const BTUI_BUNDLE: true | undefined;
const bundled = typeof BTUI_BUNDLE !== 'undefined';

const COMMANDS: ReadonlySet<string> = new Set(COMMAND_NAMES);

async function loadCommand(name: string): Promise<{ run: Runner }> {
  if (bundled) {
    const { requireBundle } = await import('./bundle-loader.js');
    return requireBundle(fileURLToPath(new URL(`./command-${name}.js`, import.meta.url))) as { run: Runner };
  }
  // From source (tsx). A specifier in a variable: the build leaves it out of cli.js.
  const specifier = `./commands/${name}.js`;
  return import(specifier) as Promise<{ run: Runner }>;
}

/** Built, the TUI is a CommonJS bundle beside cli.js (tui.js), with the code cache its first load wrote. */
async function loadTui(): Promise<typeof import('./tui.js')> {
  if (bundled) {
    const { requireBundle } = await import('./bundle-loader.js');
    return requireBundle(fileURLToPath(new URL('./tui.js', import.meta.url)), { cacheWhenLoaded: true }) as typeof import('./tui.js');
  }
  const specifier = './tui.js';
  return import(specifier) as Promise<typeof import('./tui.js')>;
}

async function main(): Promise<number> {
  markStartup('cli');
  const argv = process.argv.slice(2);
  const name = argv[0];
  if (name === 'daemon') {
    // An ES module like the TUI: the settings (conf) and the service are ES modules.
    const daemonEntry = bundled ? './daemon.mjs' : './daemon.js';
    const { runDaemon } = (await import(daemonEntry)) as typeof import('./daemon.js');
    return runDaemon(argv.slice(1));
  }
  if (name && !name.startsWith('-')) {
    if (!COMMANDS.has(name)) throw new UserError(`unknown command '${name}' (try 'btui --help')`, 2);
    if (exitsWhenDone(name)) watchStandardStreams();
    // Its hash workers boot (~50 ms) while the command's bundle loads.
    if (bundled && hashesAtStart(name, argv.slice(1))) {
      for (let i = hashWorkerCount(); i > 0; i--) startHashWorker(new URL('./hash-worker.js', import.meta.url));
    }
    const { run } = await loadCommand(name);
    const code = (await run(argv.slice(1))) ?? 0;
    if (exitsWhenDone(name)) exitWhenFlushed(code);
    return code;
  }
  // The frame the last quit drew for this session, on screen while the TUI's modules load. Only
  // a TUI line that drew one before (the very same arguments) finds one: never --help or --connect.
  const conditions = bundled ? frameConditions(argv, fileURLToPath(new URL('./tui.js', import.meta.url))) : undefined;
  const shownFrame = conditions ? showSavedFrame(conditions) : undefined;
  // Only the TUI's line needs these: loaded here, the one-shot commands start without node:net
  // (--bind's address check), which brings Node's stream modules with it.
  const { flagNames, RUN_FLAGS, runFlagsFrom } = await import('./host/run-flags.js');
  const tuiLineFlags: TuiLineFlags = { ...TUI_FLAGS, ...RUN_FLAGS };
  // Its result is exactly meow's for the lines it takes (test/commands/simple-flags.test.ts).
  const cli =
    (parseSimpleFlags(argv, tuiLineFlags) as TuiLine | undefined) ?? (await parseWithMeow(argv, tuiLineFlags, flagNames(tuiLineFlags)));
  // What meow does too: `ps` shows btui, not node.
  process.title = 'btui';
  const run = runFlagsFrom(cli.flags, argv);
  if (cli.input.length > 0) throw new UserError(`unexpected argument '${cli.input[0]}' (try 'btui --help')`, 2);
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new UserError("the TUI needs a terminal; for scripts use a subcommand (see 'btui --help')", 2);
  }
  // Ink draws nothing interactive when it thinks it runs under CI; on a real terminal it should.
  delete process.env.CI;
  delete process.env.CONTINUOUS_INTEGRATION;
  // React's development build costs several times the CPU per render; it is for debugging React.
  process.env.NODE_ENV ??= 'production';
  markStartup('flags');
  const remote = (cli.flags.connect?.length ?? 0) > 0 || cli.flags.hosts;
  const { runTui } = await loadTui();
  return runTui({
    demo: cli.flags.demo,
    host: run.host,
    rpc: run.rpcGiven ? run.rpc : undefined,
    connect: cli.flags.connect,
    hosts: cli.flags.hosts,
    local: cli.flags.local,
    firstFrame: conditions && !remote ? { conditions, shown: shownFrame } : undefined,
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    leaveSavedFrame();
    process.stderr.write(`btui: ${describeError(error)}\n`);
    process.exitCode = exitCodeFor(error);
  },
);
