/**
 * A real HTTP server for web seed tests: Debian's nginx on 127.0.0.1 at a free port, serving
 * `root`, with its config, temp paths and pid file in a temporary directory.
 *
 *   const web = await startNginx(t, { root: dataParent, extra: 'location /slow/ { limit_rate 4k; }' });
 *   web.url  // http://127.0.0.1:PORT/
 *
 * `extra` goes inside the server block. Stopped by its pid in t.after() (or stop()).
 * Call needs(t, {commands: ['nginx']}) first.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { freePort } from './opentracker.js';
import { tempDir } from './tools.js';

export interface Nginx {
  port: number;
  pid: number;
  url: string;
  stop(): Promise<void>;
}

const NGINX = '/usr/sbin/nginx';

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

export async function startNginx(t: TestContext, options: { root: string; extra?: string }): Promise<Nginx> {
  const prefix = tempDir(t, 'btui-nginx-');
  mkdirSync(join(prefix, 'temp'));
  // Workers may run as another user: let them read the served tree.
  for (const dir of [prefix, options.root]) chmodSync(dir, 0o755);
  let lastOutput = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const conf = join(prefix, 'nginx.conf');
    const temp = join(prefix, 'temp');
    writeFileSync(
      conf,
      `${process.getuid?.() === 0 ? 'user root;\n' : ''}worker_processes 1;
events { worker_connections 256; }
http {
  access_log off;
  default_type application/octet-stream;
  client_body_temp_path ${temp}/body;
  proxy_temp_path ${temp}/proxy;
  fastcgi_temp_path ${temp}/fastcgi;
  uwsgi_temp_path ${temp}/uwsgi;
  scgi_temp_path ${temp}/scgi;
  server {
    listen 127.0.0.1:${port};
    root ${options.root};
    ${options.extra ?? ''}
  }
}
`,
    );
    const child = spawn(NGINX, ['-c', conf, '-p', prefix, '-g', `daemon off; pid ${join(prefix, 'nginx.pid')}; error_log stderr;`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    const stop = async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    };
    t.after(stop);
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && child.exitCode === null) {
      if (await answers(port)) return { port, pid: child.pid!, url: `http://127.0.0.1:${port}/`, stop };
      await new Promise((r) => setTimeout(r, 50));
    }
    lastOutput = output;
    await stop();
  }
  throw new Error(`nginx did not start: ${lastOutput.trim().split('\n').slice(-3).join(' | ')}`);
}
