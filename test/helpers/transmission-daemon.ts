/**
 * A real transmission-daemon on loopback for interop tests: its own config directory, no DHT,
 * LPD, PEX or uTP; stopped by its pid after the test. restart() starts it again on the same ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { freePort } from './opentracker.js';
import { tempDir } from './tools.js';
import type { AfterHook } from './btui-daemon.js';

export interface TransmissionDaemon {
  rpcPort: number;
  rpcUrl: string;
  pid(): number;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

/** Answers anything on the RPC port (a 409, 401 or 200 all mean it listens). */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/transmission/rpc', method: 'GET' }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

export async function startTransmissionDaemon(
  t: AfterHook,
  options: { downloads: string; auth?: { username: string; password: string } },
): Promise<TransmissionDaemon> {
  const config = tempDir(t as import('node:test').TestContext, 'btui-tr-');
  const rpcPort = await freePort();
  const peerPort = await freePort();
  writeFileSync(
    join(config, 'settings.json'),
    JSON.stringify({ 'bind-address-ipv4': '127.0.0.1', 'rpc-bind-address': '127.0.0.1', 'pex-enabled': false, 'utp-enabled': false }),
  );
  const auth = options.auth ? ['-t', '-u', options.auth.username, '-v', options.auth.password] : ['--no-auth'];
  let child: ChildProcess | undefined;
  let exited: Promise<unknown> = Promise.resolve();
  const start = async () => {
    child = spawn(
      'transmission-daemon',
      ['-f', '-g', config, '-p', String(rpcPort), '-w', options.downloads, '-P', String(peerPort), '-O', '--no-dht', '--no-lpd', ...auth],
      { stdio: 'ignore' },
    );
    const proc = child;
    exited = new Promise((resolve) => proc.once('close', resolve));
    const deadline = Date.now() + 15_000;
    while (!(await answers(rpcPort))) {
      if (Date.now() > deadline) throw new Error('transmission-daemon did not answer in 15 s');
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const stop = async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  };
  t.after(stop);
  await start();
  return {
    rpcPort,
    rpcUrl: `http://127.0.0.1:${rpcPort}/transmission/rpc`,
    pid: () => child!.pid!,
    stop,
    restart: start,
  };
}
