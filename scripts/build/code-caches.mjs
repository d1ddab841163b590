// The code caches of the one-shot commands' bundles (source/bundle-loader.ts): each offline
// command runs once with BTUI_WRITE_CODE_CACHE=1, and its bundle's cache is written as the
// process exits, holding every function that run compiled.
//
// `download` and `serve` run a real transfer on loopback, a `download` whose file is half there
// and half wrong, from a `serve` of the whole: the download's cache then holds the wire, the
// handshake, the picker, piece writes and the check at start, not only the check. Measured with
// callgrind on an 8 MB download: lazy compiles 86 M -> 65 M instructions of 994 M -> 966 M in all
// (docs/benchmarks.md, "the swarm, session 14"); in CPU time, within the noise.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';

const SERVE_START_MS = 10_000;
const SERVE_STOP_MS = 10_000;

/** `serve` of `file` on 127.0.0.1 until stopped: its torrent's path and its listen port. */
function startServe(cli, cwd, env, file) {
  const child = spawn(
    process.execPath,
    [cli, 'serve', '-f', file, '--port', '0', '--host', '127.0.0.1', '--no-dht', '--json', '--torrent-dir', cwd],
    {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const ready = new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`serve printed no magnet in ${SERVE_START_MS} ms: ${err.trim()}`)), SERVE_START_MS);
    child.stderr.on('data', (chunk) => (err += chunk));
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line === undefined || !out.includes('\n')) return;
      clearTimeout(timer);
      const { torrent, magnet } = JSON.parse(line);
      const port = /x\.pe=127\.0\.0\.1:(\d+)/.exec(decodeURIComponent(magnet))?.[1];
      if (port === undefined) reject(new Error(`serve's magnet names no 127.0.0.1 peer: ${magnet}`));
      else resolve({ torrent: resolvePath(cwd, torrent), port });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited ${code} before it printed a magnet: ${err.trim()}`));
    });
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    // SIGINT, as Ctrl-C: the process exits on its own, which writes its cache.
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), SERVE_STOP_MS);
    await exited;
    clearTimeout(timer);
  };
  return { ready, stop };
}

export async function writeCodeCaches(outdir) {
  const scratch = mkdtempSync(join(tmpdir(), 'btui-build-'));
  const home = join(scratch, 'home');
  // Settings and resume data of the build's own (never the user's).
  const env = { ...process.env, BTUI_WRITE_CODE_CACHE: '1', BTUI_HOME: home, XDG_CONFIG_HOME: home, XDG_DATA_HOME: home };
  const cliPath = `${outdir}/cli.js`;
  const cli = (...args) =>
    execFileSync(process.execPath, [cliPath, ...args], {
      cwd: scratch,
      // stderr: shown when the run fails (in execFileSync's error); `download` reports there as it goes.
      stdio: ['ignore', 'ignore', 'pipe'],
      env,
    });
  try {
    const content = join(scratch, 'sample');
    for (let d = 0; d < 3; d++) {
      mkdirSync(join(content, `dir-${d}`), { recursive: true });
      for (let f = 0; f < 4; f++) writeFileSync(join(content, `dir-${d}`, `file-${f}.dat`), Buffer.alloc(1000 * (d * 4 + f + 1), d + f));
    }
    const torrent = join(scratch, 'sample.torrent');
    cli('create', content, '-o', torrent, '-a', 'http://127.0.0.1:1/announce', '--no-date');
    cli('metainfo', '-t', torrent);
    cli('bencode', '-f', torrent);

    const payload = randomBytes(3 * 1024 * 1024);
    writeFileSync(join(scratch, 'payload.bin'), payload);
    const target = join(scratch, 'target');
    mkdirSync(target);
    writeFileSync(join(target, 'payload.bin'), Buffer.concat([payload.subarray(0, payload.length / 2), Buffer.alloc(payload.length / 2)]));
    const serve = startServe(cliPath, scratch, env, 'payload.bin');
    try {
      const { torrent: served, port } = await serve.ready;
      cli('download', '-t', served, '-o', target, '--peer', `127.0.0.1:${port}`, '--host', '127.0.0.1', '--port', '0', '--no-dht');
    } catch (error) {
      // Without a loopback transfer (no sockets in a sandboxed build): the check at start only.
      process.stderr.write(`build: the download's code cache holds the check at start only (${error.message.split('\n')[0]})\n`);
      cli('download', '-t', torrent, '-o', scratch, '--host', '127.0.0.1', '--port', '0', '--no-dht');
    } finally {
      await serve.stop();
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
