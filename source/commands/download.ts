import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resumeFilePath, DEFAULTS } from '../config.js';
import { Session } from '../engine/session/session.js';
import { loadTorrent } from '../engine/metainfo/load-torrent.js';
import { HashPool } from '../engine/hashing/hasher.js';
import { takeStartedWorkers } from '../engine/hashing/started-workers.js';
import { checksOnPool, type CheckHashing } from '../engine/storage/storage.js';
import { parsePeerAddress } from '../engine/metainfo/magnet.js';
import type { Metainfo } from '../engine/metainfo/metainfo.js';
import type { PeerAddress } from '../engine/discovery/tracker/types.js';
import { bindFlags, bindHelp, bindingFromFlags } from './bind-flags.js';
import { dhtFlags, dhtHelp, dhtOptionsFromFlags, lsdFlags, lsdHelp } from './dht-flags.js';
import { transportFlags, transportHelp, transportOptions } from './transport-flags.js';
import { encryptionFlags, encryptionFromFlag, encryptionHelp } from './encryption-flag.js';
import { fetchMetadata, magnetFromSource } from './magnet-source.js';
import type { Torrent, TorrentStats } from '../engine/torrent/torrent.js';
import { hashWorkerCount } from './hash-workers.js';
import { parseCommand } from './parse-command.js';
import { UserError, describeError } from '../errors.js';
import { ProgressReporter } from './progress-reporter.js';
import { seedGoalReached } from '../service/seed-goal.js';
import { tuneJitForShortRun } from './short-run-jit.js';

const help = `
  Usage
    $ btui download -t FILE.torrent [-o DIR]
    $ btui download https://host/file.torrent [-o DIR]
    $ btui download 'magnet:?xt=urn:btih:...' [-o DIR]
    $ btui download INFOHASH [-o DIR]          (40 hex or 32 base32 characters; peers from the DHT)

  Options
    -t, --torrent FILE     the .torrent file (or give it, or its http(s) URL, as the argument)
    -o, --output DIR       download directory (default: the current directory)
    --seed-ratio R         after completing, seed until uploaded/size reaches R
    --seed-time MINUTES    after completing, seed this long (with --seed-ratio: whichever comes first)
    --on-done CMD          run CMD with the completed path as its last argument (also $BTUI_PATH)
    --port N               listen port (default ${DEFAULTS.port}; 0 = any; a busy default falls back to any)
    --host ADDR            listen address, and where connections to peers leave from
                           (default all interfaces, IPv4 and IPv6)
${bindHelp}
    --peer HOST:PORT       connect to this peer too (repeatable)
    --max-peers N          connections for this torrent (default ${DEFAULTS.maxPeersPerTorrent})
    --download-limit KIB   KiB/s, 0 = unlimited
    --upload-limit KIB     KiB/s, 0 = unlimited
    --sequential           download pieces in order
    --select-file LIST     download only these files (1-based, as in aria2c: 1,3-5)
    --metadata-timeout S   give up fetching a magnet's metadata after S seconds (default 300)
${dhtHelp}
${lsdHelp}
${transportHelp}
${encryptionHelp}
    --json                 one JSON object per line (progress, done, error) for scripts

  Exit codes: 0 complete and verified, 1 error, 3 the --on-done command failed, 130 interrupted.
`;

export async function run(argv: string[]): Promise<number> {
  tuneJitForShortRun();
  const cli = parseCommand(
    'download',
    help,
    argv,
    {
      torrent: { type: 'string', shortFlag: 't' },
      output: { type: 'string', shortFlag: 'o' },
      seedRatio: { type: 'number' },
      seedTime: { type: 'number' },
      onDone: { type: 'string' },
      port: { type: 'number' },
      host: { type: 'string' },
      ...bindFlags,
      peer: { type: 'string', isMultiple: true },
      maxPeers: { type: 'number', default: DEFAULTS.maxPeersPerTorrent },
      downloadLimit: { type: 'number', default: 0 },
      uploadLimit: { type: 'number', default: 0 },
      sequential: { type: 'boolean', default: false },
      selectFile: { type: 'string' },
      metadataTimeout: { type: 'number', default: 300 },
      ...dhtFlags,
      ...lsdFlags,
      ...transportFlags,
      ...encryptionFlags,
      json: { type: 'boolean', default: false },
    },
    {
      seedRatio: 'positive',
      seedTime: 'positive',
      port: 'port',
      maxPeers: 'atLeastOne',
      downloadLimit: 'nonNegative',
      uploadLimit: 'nonNegative',
      metadataTimeout: 'positive',
    },
  );
  const source = cli.flags.torrent ?? cli.input[0];
  if (!source) throw new UserError("nothing to download: give a .torrent with -t (see 'btui download --help')", 2);
  // -t is for files, but a magnet given there is plainly meant as one.
  const magnet = cli.flags.torrent === undefined || /^magnet:/i.test(source) ? magnetFromSource(source) : undefined;
  const peers = (cli.flags.peer ?? []).map((p) => {
    try {
      return parsePeerAddress(p);
    } catch {
      throw new UserError(`bad --peer '${p}': expected HOST:PORT`, 2);
    }
  });
  // Checked before anything is fetched: an http(s) .torrent URL is a request too.
  const watch = bindingFromFlags(cli.flags, 'download');
  const loaded = magnet ? undefined : await loadTorrent(source, { localAddress: watch?.binding.require() });
  const directory = resolve(cli.flags.output ?? '.');
  // A check at start has the process to itself: it hashes on this thread and one worker fewer
  // than cores (as `create` does), which saves a worker's start-up (~40 ms of CPU). With data
  // on disk and no resume data the start is a full check: the workers boot while the session starts.
  const checkPool = new HashPool({ size: hashWorkerCount(), started: takeStartedWorkers(), oneShot: true });
  const check = (meta: Metainfo): CheckHashing | undefined =>
    checksOnPool(meta) ? { pool: checkPool, callerThread: 'throughout' } : undefined;
  if (loaded && checksOnPool(loaded) && existsSync(join(directory, loaded.name)) && !existsSync(resumeFilePath(loaded.infoHash))) {
    checkPool.warm();
  } else {
    // No check at start: workers the CLI's entry started for one stop (a later check starts them again).
    void checkPool.stopIdleWorkers();
  }

  const encryption = encryptionFromFlag(cli.flags.encryption, 'download');
  const session = new Session({
    port: cli.flags.port ?? DEFAULTS.port,
    host: cli.flags.host,
    bind: watch?.binding,
    maxPeersPerTorrent: cli.flags.maxPeers,
    downloadLimit: cli.flags.downloadLimit * 1024,
    uploadLimit: cli.flags.uploadLimit * 1024,
    resumePath: resumeFilePath,
    // A private torrent never uses the DHT (the session checks per torrent).
    dht: dhtOptionsFromFlags(cli.flags),
    lsd: cli.flags.lsd ? {} : undefined,
    ...transportOptions(cli.flags, 'download'),
    encryption,
  });
  const reporter = new ProgressReporter({ json: cli.flags.json, tty: Boolean(process.stderr.isTTY) && !cli.flags.json });
  session.on('warning', (message: string) => reporter.warning(message));
  let interrupted = false;
  /** Stops the run where it is: the session closed (progress saved), then the exit code. */
  const stop = (code: number) => {
    interrupted = true;
    void session.close().then(() => process.exit(code));
  };
  const onSignal = (signal: NodeJS.Signals) => {
    reporter.note(`${signal}: stopping (progress is saved)`);
    stop(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  // The reader went away (`btui download --json ... | head -1`): stop as on a signal, with no stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (!interrupted) stop(error.code === 'EPIPE' ? 141 : 1);
  });

  try {
    await listenWithFallback(session, cli.flags.port === undefined);
    let meta: Metainfo;
    const found: PeerAddress[] = peers.map((p) => ({ ...p, explicit: true }));
    if (magnet) {
      magnet.peers.push(...peers);
      const resolved = await fetchMetadata(session, magnet, cli.flags.metadataTimeout * 1000, reporter);
      meta = resolved.meta;
      found.push(...resolved.peers);
    } else {
      meta = loaded!;
    }
    const filePriorities =
      cli.flags.selectFile !== undefined
        ? selectedFiles(cli.flags.selectFile, meta.files.length)
        : magnet?.selectOnly
          ? selectOnly(magnet.selectOnly, meta.files.length)
          : undefined;
    const torrent = session.add(meta, { directory, sequential: cli.flags.sequential, filePriorities, paused: true, check: check(meta) });
    torrent.on('warning', (message: string) => reporter.warning(message));
    const done = waitForCompletion(torrent, reporter);
    await torrent.start();
    torrent.addPeers(found);
    await done;
    // The check is over: its workers stop now, side by side (a later check starts them again).
    void checkPool.stopIdleWorkers();
    let code = 0;
    if (cli.flags.onDone) code = await runHook(cli.flags.onDone, torrent, reporter);
    await seedAfterCompletion(torrent, reporter, cli.flags.seedRatio, cli.flags.seedTime);
    return code;
  } finally {
    reporter.stop();
    if (!interrupted) await session.close();
    void checkPool.close();
  }
}

async function listenWithFallback(session: Session, portWasDefault: boolean): Promise<void> {
  try {
    await session.listen();
  } catch (error) {
    if (!portWasDefault) throw new UserError(describeError(error));
    // The default port is busy (another client): any free port will do for a download.
    await session.listen(0);
  }
}

function waitForCompletion(torrent: Torrent, reporter: ProgressReporter): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const update = () => reporter.progress(torrent.stats());
    const timer = setInterval(update, 1000);
    const finish = (error?: Error) => {
      clearInterval(timer);
      torrent.off('done', onDone);
      torrent.off('error-state', onError);
      if (error) reject(error);
      else resolvePromise();
    };
    const onDone = () => {
      reporter.done(torrent.stats(), torrent.storage.root);
      finish();
    };
    const onError = (message: string) => finish(new UserError(`${torrent.name}: ${message}`));
    torrent.on('done', onDone);
    torrent.on('error-state', onError);
    torrent.on('checking', (done: number, total: number) => reporter.checking(done, total));
  });
}

function runHook(command: string, torrent: Torrent, reporter: ProgressReporter): Promise<number> {
  const path = torrent.storage.root;
  return new Promise((resolvePromise) => {
    const child = spawn('sh', ['-c', `${command} "$1"`, 'btui', path], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, BTUI_PATH: path, BTUI_INFOHASH: torrent.meta.infoHash, BTUI_NAME: torrent.name },
    });
    child.on('error', (error) => {
      reporter.warning(`--on-done failed: ${describeError(error)}`);
      resolvePromise(3);
    });
    child.on('close', (code) => {
      if (code === 0) resolvePromise(0);
      else {
        reporter.warning(`--on-done command exited with ${code}`);
        resolvePromise(3);
      }
    });
  });
}

async function seedAfterCompletion(torrent: Torrent, reporter: ProgressReporter, ratio?: number, minutes?: number): Promise<void> {
  if (ratio === undefined && minutes === undefined) return;
  const since = Date.now();
  const length = torrent.meta.length;
  reporter.note(`seeding${ratio !== undefined ? ` to ratio ${ratio}` : ''}${minutes !== undefined ? ` for ${minutes} min` : ''}`);
  await new Promise<void>((resolvePromise) => {
    const timer = setInterval(() => {
      const stats: TorrentStats = torrent.stats();
      reporter.progress(stats);
      const reached = seedGoalReached({ ratio, minutes }, { uploaded: stats.uploaded, length, minutes: (Date.now() - since) / 60_000 });
      if (reached || stats.state === 'error') {
        clearInterval(timer);
        resolvePromise();
      }
    }, 1000);
  });
}

/** BEP 53 `so=` (0-based file indices) as per-file priorities; indices past the end are ignored. */
function selectOnly(indices: number[], fileCount: number): Uint8Array {
  const priorities = new Uint8Array(fileCount);
  for (const i of indices) if (i < fileCount) priorities[i] = 1;
  return priorities;
}

/** aria2c-style `1,3-5` (1-based) as per-file priorities: 1 for selected files, 0 for the rest. */
export function selectedFiles(list: string, fileCount: number): Uint8Array {
  const priorities = new Uint8Array(fileCount);
  for (const part of list
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part);
    const first = match ? Number(match[1]) : NaN;
    const last = match?.[2] !== undefined ? Number(match[2]) : first;
    if (!match || first < 1 || last < first || last > fileCount) {
      throw new UserError(`bad --select-file '${part}': the torrent has files 1 to ${fileCount}`, 2);
    }
    priorities.fill(1, first - 1, last);
  }
  return priorities;
}
