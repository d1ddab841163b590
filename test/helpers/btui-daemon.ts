/**
 * The real `btui daemon` binary for interop tests and scripts, with a plain RPC client.
 *
 *   const daemon = await startBtuiDaemon(t, { home, downloads });
 *   await daemon.rpc('torrent-get', { fields: ['name'] });   // the arguments; throws unless "success"
 *
 * Peers on any free port, no DHT, the RPC on a free loopback port; stopped by its pid in
 * t.after() (SIGKILL), or cleanly with stop() (SIGTERM, waits for the exit).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import { CLI } from './cli.js';
import { freePort } from './opentracker.js';
import { until } from './tools.js';
import { savedOnDisk } from './saved-session.js';

/** What the helpers need of a test context (node:test's, or scripts/bench/cleanup.ts's). */
export interface AfterHook {
  after(fn: () => unknown): void;
}

export interface BtuiDaemon {
  child: ChildProcess;
  pid: number;
  rpcPort: number;
  rpcUrl: string;
  home: string;
  log(): string;
  rpc(method: string, args?: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** session.json's torrents, as saved now. */
  savedTorrents(): { infoHash: string; directory: string; paused: boolean; labels?: string[] }[];
  stop(): Promise<number | null>;
}

function post(port: number, headers: Record<string, string>, body?: string): Promise<{ status: number; sessionId?: string; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: body === undefined ? 'GET' : 'POST', path: '/transmission/rpc', headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const sid = res.headers['x-transmission-session-id'];
          resolve({
            status: res.statusCode ?? 0,
            sessionId: typeof sid === 'string' ? sid : undefined,
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export async function startBtuiDaemon(
  t: AfterHook,
  options: {
    home: string;
    downloads: string;
    args?: string[];
    rpcPort?: number;
    /** A command that execs its arguments (keeping the pid), e.g. one that runs them in a mount namespace. */
    wrapper?: string[];
  },
): Promise<BtuiDaemon> {
  const rpcPort = options.rpcPort ?? (await freePort());
  const wrapper = options.wrapper ?? [];
  const child = spawn(
    wrapper[0] ?? process.execPath,
    [
      ...wrapper.slice(1),
      ...(wrapper.length ? [process.execPath] : []),
      // Node's own flags for the daemon (e.g. --cpu-prof --cpu-prof-dir=DIR to profile a soak's daemon).
      ...(process.env.BTUI_DAEMON_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      CLI,
      'daemon',
      '--port',
      '0',
      '--no-dht',
      '--rpc-port',
      String(rpcPort),
      '--download-dir',
      options.downloads,
      ...(options.args ?? []),
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      // Its settings beside its state, never the user's ~/.config/btui (scripts run this outside the test runner too).
      env: {
        ...process.env,
        BTUI_HOME: options.home,
        XDG_CONFIG_HOME: join(options.home, 'config'),
        XDG_DATA_HOME: join(options.home, 'data'),
      },
    },
  );
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  await Promise.race([
    until('btui daemon serves its RPC', () => stderr.includes('RPC at'), 20_000),
    exited.then((code) => {
      throw new Error(`btui daemon exited (${code}): ${stderr}`);
    }),
  ]);
  let sessionId = '';
  const rpc = async (method: string, args?: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const body = JSON.stringify(args === undefined ? { method } : { method, arguments: args });
    let reply = await post(rpcPort, { 'Content-Type': 'application/json', 'X-Transmission-Session-Id': sessionId }, body);
    if (reply.status === 409) {
      sessionId = reply.sessionId ?? '';
      reply = await post(rpcPort, { 'Content-Type': 'application/json', 'X-Transmission-Session-Id': sessionId }, body);
    }
    if (reply.status !== 200) throw new Error(`${method}: HTTP ${reply.status} ${reply.text}`);
    const parsed = JSON.parse(reply.text) as { result: string; arguments: Record<string, unknown> };
    if (parsed.result !== 'success') throw new Error(`${method}: ${parsed.result}`);
    return parsed.arguments;
  };
  return {
    child,
    pid: child.pid!,
    rpcPort,
    rpcUrl: `http://127.0.0.1:${rpcPort}/transmission/rpc`,
    home: options.home,
    log: () => stderr,
    rpc,
    savedTorrents: () => savedOnDisk(join(options.home, 'session.json')).torrents,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
