/**
 * Flood 4.11.0 (the web UI, jesec/flood on npm) as a Transmission client, for interop tests.
 *
 *   const bin = floodBin();                          // undefined when it is not installed
 *   const flood = await startFlood(t, bin, daemon.rpcUrl);
 *   await flood.api('GET', '/api/torrents');          // JSON, with the session cookie
 *
 * Flood is not a dependency of btui (4.14 and later need Node 22; it is a 100 MB install): it
 * lives in a prefix outside the repository. Found through $BTUI_FLOOD_BIN, else the prefixes
 * .ci/run and developers use ($HOME/.cache/btui-ci/flood, /tmp/flood-prefix). Started as
 * `flood --auth none --trurl URL --truser x --trpass y --port P --host 127.0.0.1 --rundir DIR`
 * (with auth none, `POST /api/auth/authenticate {"username":"_config","password":""}` gives the
 * cookie); stopped by its pid.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import type { TestContext } from 'node:test';
import type { AfterHook } from './btui-daemon.js';
import { freePort } from './opentracker.js';
import { until } from './tools.js';

export const FLOOD_VERSION = '4.11.0';

export function floodBin(): string | undefined {
  const candidates = [
    process.env.BTUI_FLOOD_BIN,
    join(homedir(), '.cache/btui-ci/flood/node_modules/.bin/flood'),
    '/tmp/flood-prefix/node_modules/.bin/flood',
  ];
  return candidates.find((c): c is string => !!c && existsSync(c));
}

/** Like needs(): skips the test without Flood, fails it under CI (where .ci/run installs it). */
export function needsFlood(t: TestContext): string | undefined {
  const bin = floodBin();
  if (bin) return bin;
  const how = `npm install --prefix /tmp/flood-prefix flood@${FLOOD_VERSION}, or set BTUI_FLOOD_BIN`;
  if (process.env.CI) throw new Error(`missing in CI: Flood (${how}; .ci/run should install it)`);
  t.skip(`Flood is not installed (${how})`);
  return undefined;
}

export interface Flood {
  port: number;
  pid: number;
  url: string;
  log(): string;
  /** A request to Flood's API with the session cookie; the parsed JSON body (or the text). */
  api(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  stop(): Promise<void>;
}

function request(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function startFlood(t: AfterHook, bin: string, rpcUrl: string): Promise<Flood> {
  const port = await freePort();
  const rundir = mkdtempSync(join(tmpdir(), 'btui-flood-'));
  const child = spawn(
    bin,
    [
      '--auth',
      'none',
      '--trurl',
      rpcUrl,
      '--truser',
      'x',
      '--trpass',
      'y',
      '--port',
      String(port),
      '--host',
      '127.0.0.1',
      '--rundir',
      rundir,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_ENV: 'production' },
    },
  );
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(rundir, { recursive: true, force: true, maxRetries: 3 });
  };
  t.after(stop);
  let output = '';
  child.stdout!.on('data', (b: Buffer) => (output = (output + b.toString()).slice(-20_000)));
  child.stderr!.on('data', (b: Buffer) => (output = (output + b.toString()).slice(-20_000)));
  await Promise.race([
    until('Flood listens', () => output.includes('starting on'), 30_000),
    exited.then(() => {
      throw new Error(`Flood exited: ${output}`);
    }),
  ]);
  // It listens a moment after saying so.
  let cookie = '';
  for (let i = 0; i < 60 && cookie === ''; i++) {
    try {
      const auth = await request(
        port,
        'POST',
        '/api/auth/authenticate',
        { 'Content-Type': 'application/json' },
        JSON.stringify({ username: '_config', password: '' }),
      );
      const set = auth.headers['set-cookie'];
      if (auth.status === 200 && set) cookie = set.map((c) => c.split(';')[0]).join('; ');
    } catch {
      // not listening yet
    }
    if (cookie === '') await new Promise((r) => setTimeout(r, 250));
  }
  if (cookie === '') throw new Error(`Flood gave no session cookie: ${output}`);
  return {
    port,
    pid: child.pid!,
    url: `http://127.0.0.1:${port}/`,
    log: () => output,
    api: async (method, path, body) => {
      const reply = await request(
        port,
        method,
        path,
        { Cookie: cookie, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body === undefined ? undefined : JSON.stringify(body),
      );
      let parsed: unknown = reply.text;
      try {
        parsed = JSON.parse(reply.text);
      } catch {
        // not JSON
      }
      return { status: reply.status, body: parsed };
    },
    stop,
  };
}
