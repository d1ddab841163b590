/**
 * A real libtorrent peer (Debian's python3-libtorrent) for interop tests.
 *
 *   const seeder = await startLibtorrentPeer(t, { torrentPath, savePath: dataDir, mode: 'seed' });
 *   await seeder.waitForTrackerReply(10_000);   // it has announced to the torrent's trackers
 *   const leecher = await startLibtorrentPeer(t, { torrentPath, savePath: emptyDir, mode: 'leech',
 *     listenHost: '127.0.0.3', extraPeers: [{ host: '127.0.0.1', port: 6881 }] });
 *   await leecher.waitFor('seeding', 30_000);
 *
 * Runs test/helpers/lt-peer.py under /usr/bin/python3, set up for loopback swarms: listens on
 * listenHost (a 127.0.0.x address, default 127.0.0.1) at `port` (default: any free one; the
 * real one is `peer.port`), LSD/UPnP/NAT-PMP off, DHT off unless dhtBootstrap is given, several connections per IP allowed,
 * libtorrent's SSRF mitigation off (so trackers on 127.0.0.1 with any path are announced to),
 * rate limits applied on loopback too. A seeder uses seed_mode (no initial hash check), so its
 * savePath must already hold the data. It announces to every tracker in the torrent and
 * connects to extraPeers directly.
 *
 * The script prints JSON lines; `lastStatus` is the newest status (state is libtorrent's:
 * 'checking_files', 'downloading', 'finished', 'seeding', ...). waitFor('finished') also
 * accepts 'seeding' (a finished download seeds). Waits reject with the last status when the
 * process dies or time runs out. stop() kills it by pid; t.after() does that anyway, and the
 * script also exits when its stdin closes, so it cannot outlive the test run.
 * Call needs(t, {libtorrent: true}) first.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { SYSTEM_PYTHON } from './tools.js';

const SCRIPT = fileURLToPath(new URL('./lt-peer.py', import.meta.url));

export interface LibtorrentPeerOptions {
  /** The .torrent; or give `magnet` instead and libtorrent fetches the metadata from peers. */
  torrentPath?: string;
  magnet?: string;
  /** HOST:PORT nodes: turns libtorrent's DHT on (loopback nodes allowed), bootstrapping from these. */
  dhtBootstrap?: string[];
  savePath: string;
  mode: 'seed' | 'leech';
  listenHost?: string;
  port?: number;
  extraPeers?: { host: string; port: number }[];
  /** TCP off both ways, uTP on (libtorrent's enable_outgoing_tcp / enable_incoming_tcp false). */
  utpOnly?: boolean;
  /** Bytes per second; 0 or absent: unlimited. */
  uploadLimit?: number;
  downloadLimit?: number;
  /** MSE/PE: forced (RC4 only, both ways), enabled (libtorrent's default), disabled (plaintext). Default: libtorrent's. */
  encryption?: 'forced' | 'enabled' | 'disabled';
}

export interface LibtorrentStatus {
  state: string;
  progress: number;
  num_peers: number;
  download_rate: number;
  upload_rate: number;
  total_upload: number;
  total_download: number;
  /** Connected peers whose connection is uTP. */
  utp_peers: number;
  /** Connected peers past the handshake whose stream is RC4-encrypted, and the others. */
  rc4_peers?: number;
  plaintext_peers?: number;
}

export interface LibtorrentPeer {
  host: string;
  port: number;
  pid: number;
  readonly lastStatus: LibtorrentStatus | undefined;
  /** Successful announces so far. */
  readonly trackerReplies: number;
  /** A magnet's metadata has arrived. */
  readonly gotMetadata: boolean;
  waitFor(state: 'seeding' | 'finished', timeoutMs: number): Promise<void>;
  /** Resolves after the next (or an earlier) successful announce. */
  waitForTrackerReply(timeoutMs: number): Promise<void>;
  /** The script's output so far (stdout JSON lines and stderr), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

type Message = { type: string; [key: string]: unknown };

/** The peer process died by a signal before it was listening. */
class CrashedWhileStarting extends Error {}

export async function startLibtorrentPeer(t: TestContext, options: LibtorrentPeerOptions): Promise<LibtorrentPeer> {
  // Debian's python3-libtorrent now and then dies with SIGSEGV while it starts (seen under the
  // full suite's load): a peer that crashed before it was listening is started again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(t, options);
    } catch (error) {
      if (!(error instanceof CrashedWhileStarting) || attempt === 3) throw error;
    }
  }
}

async function startOnce(t: TestContext, options: LibtorrentPeerOptions): Promise<LibtorrentPeer> {
  const host = options.listenHost ?? '127.0.0.1';
  const config = {
    torrent: options.torrentPath,
    magnet: options.magnet,
    dht_bootstrap: options.dhtBootstrap?.join(','),
    save_path: options.savePath,
    mode: options.mode,
    listen_host: host,
    port: options.port ?? 0,
    extra_peers: (options.extraPeers ?? []).map((p) => [p.host, p.port]),
    utp_only: options.utpOnly ?? false,
    upload_limit: options.uploadLimit ?? 0,
    ...(options.encryption ? { encryption: options.encryption } : {}),
    download_limit: options.downloadLimit ?? 0,
  };
  // PYTHONFAULTHANDLER: a crash of libtorrent itself prints where it happened into the failure message.
  const child = spawn(SYSTEM_PYTHON, [SCRIPT, JSON.stringify(config)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONFAULTHANDLER: '1' },
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  };
  t.after(stop);

  let log = '';
  let lastStatus: LibtorrentStatus | undefined;
  let trackerReplies = 0;
  let gotMetadata = false;
  let fatal: string | undefined;
  let listening: number | undefined;
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((fn) => fn());

  let pending = '';
  child.stdout.on('data', (chunk: Buffer) => {
    log += chunk.toString();
    pending += chunk.toString();
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      let message: Message;
      try {
        message = JSON.parse(line) as Message;
      } catch {
        continue;
      }
      if (message.type === 'status') lastStatus = message as unknown as LibtorrentStatus;
      else if (message.type === 'tracker_reply') trackerReplies++;
      else if (message.type === 'listening') listening = message.port as number;
      else if (message.type === 'metadata') gotMetadata = true;
      else if (message.type === 'error') fatal = String(message.message);
      notify();
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  let exited = false;
  let exitedHow = 'exited';
  child.on('exit', (code, signal) => {
    exited = true;
    exitedHow = signal ? `killed by ${signal}` : `exited with ${code}`;
    notify();
  });
  child.on('error', (error) => {
    fatal = error.message;
    exited = true;
    notify();
  });

  const tail = () => log.trim().split('\n').slice(-8).join(' | ');
  function until(what: string, done: () => boolean, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (done()) finish(resolve);
        else if (fatal !== undefined || exited)
          finish(() => reject(new Error(`libtorrent peer failed while waiting for ${what}: ${fatal ?? exitedHow}; ${tail()}`)));
      };
      const timer = setTimeout(
        () =>
          finish(() =>
            reject(new Error(`libtorrent peer: no ${what} within ${timeoutMs} ms; last status ${JSON.stringify(lastStatus)}; ${tail()}`)),
          ),
        timeoutMs,
      );
      const finish = (fn: () => void) => {
        clearTimeout(timer);
        listeners.delete(check);
        fn();
      };
      listeners.add(check);
      check();
    });
  }

  try {
    await until('listening socket', () => listening !== undefined, 15_000);
  } catch (error) {
    if (child.signalCode !== null) throw new CrashedWhileStarting((error as Error).message);
    throw error;
  }
  return {
    host,
    port: listening!,
    pid: child.pid!,
    get lastStatus() {
      return lastStatus;
    },
    get trackerReplies() {
      return trackerReplies;
    },
    get gotMetadata() {
      return gotMetadata;
    },
    waitFor(state, timeoutMs) {
      const accepted = state === 'finished' ? ['finished', 'seeding'] : ['seeding'];
      return until(`state '${state}'`, () => lastStatus !== undefined && accepted.includes(lastStatus.state), timeoutMs);
    },
    waitForTrackerReply(timeoutMs) {
      return until('tracker reply', () => trackerReplies > 0, timeoutMs);
    },
    log: () => log,
    stop,
  };
}
