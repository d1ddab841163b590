// The CLI run with --json and killed with SIGKILL at a chosen point of its progress (the crash and resume tests).
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { encode } from '../../source/engine/codec/bencode.js';
import type { Metainfo } from '../../source/engine/metainfo/metainfo.js';
import { CLI } from './cli.js';
import { tempDir } from './tools.js';

/** `btui download --json` of `meta` from one seeder on loopback, into a fresh directory, with a fresh state home. */
export function jsonDownload(t: TestContext, meta: Metainfo, seederPort: number): { args: string[]; out: string; home: string } {
  const torrentPath = join(tempDir(t), 'download.torrent');
  writeFileSync(torrentPath, encode(meta.raw));
  const out = tempDir(t);
  const home = tempDir(t);
  const args = [
    'download',
    '-t',
    torrentPath,
    '-o',
    out,
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--peer',
    `127.0.0.1:${seederPort}`,
    '--json',
    '--no-dht',
  ];
  return { args, out, home };
}

export interface ProgressEvent {
  event: string;
  completed: number;
  downloaded: number;
  length: number;
  state?: string;
}

/** `btui ARGS` with its state in `home`, killed when the test ends if still running. */
export function startCli(t: TestContext, args: string[], home: string): ChildProcess {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, BTUI_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => child.kill('SIGKILL'));
  return child;
}

/** Feeds each JSON line to `on` until it returns true; then SIGKILLs the child. Resolves with the last event. */
export function killWhen(child: ChildProcess, on: (e: ProgressEvent) => boolean): Promise<ProgressEvent> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    let last: ProgressEvent | undefined;
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const e = JSON.parse(line) as ProgressEvent;
        if (e.event !== 'progress' && e.event !== 'done') continue;
        last = e;
        if (on(e)) {
          child.kill('SIGKILL');
          resolve(e);
          return;
        }
      }
    });
    child.on('close', () => (last ? resolve(last) : reject(new Error('ended before it was killed'))));
  });
}
