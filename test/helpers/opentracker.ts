/**
 * A real tracker for interop tests: Debian's opentracker on 127.0.0.1, HTTP and UDP on one port.
 *
 *   const tracker = await startOpentracker(t, [infoHashHex]);
 *   tracker.httpAnnounce  // http://127.0.0.1:PORT/announce
 *   tracker.udpAnnounce   // udp://127.0.0.1:PORT/announce
 *
 * Debian's build only serves whitelisted info-hashes and chroots into its -d directory, so
 * each tracker gets its own temporary directory holding whitelist.txt (one hex hash a line),
 * passed as `-w /whitelist.txt` (a path inside the chroot). Hashes not listed are refused
 * ("Requested download is not authorized"). Note: over HTTP, opentracker's scrape omits
 * hashes nobody has announced yet; over UDP it reports zeros for them.
 *
 * The port is free when picked (TCP and UDP both probed); if opentracker still fails to
 * bind, another port is tried. Resolves once the tracker answers HTTP. Stopped by its pid
 * in t.after(), or earlier with stop(). Call needs(t, {commands: ['opentracker']}) first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { chmodSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { tempDir } from './tools.js';

export interface Opentracker {
  host: string;
  port: number;
  pid: number;
  httpAnnounce: string;
  udpAnnounce: string;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

/** A port number free for both TCP and UDP on `host` at the time of the call. */
export async function freePort(host = HOST): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = net.createServer();
      server.once('error', reject);
      server.listen(0, host, () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const socket = dgram.createSocket('udp4');
      socket.once('error', () => resolve(false));
      socket.bind(port, host, () => socket.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error('no free port found');
}

function answersHttp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: HOST, port, path: '/stats', agent: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

function waitExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export async function startOpentracker(t: TestContext, infoHashesHex: string[]): Promise<Opentracker> {
  const dir = tempDir(t, 'btui-opentracker-');
  // opentracker drops to "nobody" after the chroot; it must still be able to read the list.
  chmodSync(dir, 0o755);
  const whitelist = join(dir, 'whitelist.txt');
  writeFileSync(whitelist, infoHashesHex.map((h) => `${h.toLowerCase()}\n`).join(''));
  chmodSync(whitelist, 0o644);

  let lastOutput = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const child = spawn('opentracker', ['-i', HOST, '-p', String(port), '-P', String(port), '-d', dir, '-w', '/whitelist.txt'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    let spawnError: Error | undefined;
    child.on('error', (error) => (spawnError = error));
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await waitExit(child);
    };
    t.after(stop);

    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && child.exitCode === null && !spawnError) {
      if (await answersHttp(port)) {
        return {
          host: HOST,
          port,
          pid: child.pid!,
          httpAnnounce: `http://${HOST}:${port}/announce`,
          udpAnnounce: `udp://${HOST}:${port}/announce`,
          stop,
        };
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    if (spawnError) throw spawnError;
    lastOutput = output;
    await stop();
  }
  throw new Error(`opentracker did not start: ${lastOutput.trim().split('\n').slice(-3).join(' | ')}`);
}
