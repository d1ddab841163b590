/**
 * uTP (BEP 29) against real libtorrent with TCP turned off on its side (and on ours): 64 MiB
 * each way, byte-identical. libtorrent counts its uTP connections, so the test also sees
 * that the bytes went over uTP. Again with MSE/PE forced on both sides: RC4 over uTP.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMagnet } from '../../source/engine/metainfo/magnet.js';
import { CLI, runCli } from '../helpers/cli.js';
import { startLibtorrentPeer } from '../helpers/libtorrent-peer.js';
import { mktorrent } from '../helpers/torrent-files.js';
import { needs, tempDir } from '../helpers/tools.js';

const SIZE = 64 * 1024 * 1024;

function sha1(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha1');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}

function bigFile(dir: string): { path: string; digest: string } {
  const data = randomBytes(SIZE);
  const path = join(dir, 'big.bin');
  writeFileSync(path, data);
  return { path, digest: createHash('sha1').update(data).digest('hex') };
}

interface Variant {
  encryption?: 'forced';
  /** Everyone on [::1]: uTP over IPv6. */
  ipv6?: boolean;
}

async function downloadFromLibtorrent(t: TestContext, { encryption, ipv6 }: Variant = {}): Promise<void> {
  if (!needs(t, { commands: ['mktorrent'], libtorrent: true })) return;
  const dataDir = tempDir(t);
  const file = bigFile(dataDir);
  const torrent = join(tempDir(t), 'big.torrent');
  mktorrent(file.path, torrent, { pieceLengthLog2: 20 });
  const seeder = await startLibtorrentPeer(t, {
    torrentPath: torrent,
    savePath: dataDir,
    mode: 'seed',
    listenHost: ipv6 ? '::1' : '127.0.0.2',
    utpOnly: true,
    encryption,
  });
  const out = tempDir(t);
  let sawUtp = false;
  let sawRc4 = false;
  const watch = setInterval(() => {
    sawUtp ||= (seeder.lastStatus?.utp_peers ?? 0) > 0;
    sawRc4 ||= (seeder.lastStatus?.rc4_peers ?? 0) > 0;
  }, 100);
  t.after(() => clearInterval(watch));
  const result = await runCli(
    [
      'download',
      '-t',
      torrent,
      '-o',
      out,
      '--host',
      ipv6 ? '::1' : '127.0.0.1',
      '--port',
      '0',
      '--no-dht',
      '--utp',
      '--no-tcp',
      '--peer',
      ipv6 ? `[::1]:${seeder.port}` : `127.0.0.2:${seeder.port}`,
      ...(encryption ? ['--encryption', 'require'] : []),
    ],
    { env: { BTUI_HOME: tempDir(t) }, timeoutMs: 120_000 },
  );
  assert.equal(result.code, 0, `btui download failed: ${result.stderr.slice(-500)}`);
  assert.equal(await sha1(join(out, 'big.bin')), file.digest, 'byte-identical');
  assert.ok(sawUtp, 'libtorrent saw a uTP connection');
  if (encryption) assert.ok(sawRc4, 'the uTP connection was RC4-encrypted');
}

test('btui downloads 64 MiB from a libtorrent seeder that speaks uTP only', (t) => downloadFromLibtorrent(t));

test('btui (require) downloads 64 MiB over MSE/PE on uTP from a libtorrent seeder with forced encryption', (t) =>
  downloadFromLibtorrent(t, { encryption: 'forced' }));

async function serveToLibtorrent(t: TestContext, { encryption, ipv6 }: Variant = {}): Promise<void> {
  if (!needs(t, { libtorrent: true })) return;
  const file = bigFile(tempDir(t));
  const torrentDir = tempDir(t);
  const child = spawn(
    process.execPath,
    [
      CLI,
      'serve',
      '-f',
      file.path,
      '--host',
      ipv6 ? '::1' : '127.0.0.1',
      '--port',
      '0',
      '--no-dht',
      '--utp',
      '--no-tcp',
      '--torrent-dir',
      torrentDir,
      '--json',
      ...(encryption ? ['--encryption', 'require'] : []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, BTUI_HOME: tempDir(t) } },
  );
  t.after(() => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const served = await new Promise<{ magnet: string; torrent: string }>((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const line = buffered.split('\n')[0];
      if (buffered.includes('\n')) resolve(JSON.parse(line!) as { magnet: string; torrent: string });
    });
    child.on('close', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
  const peer = parseMagnet(served.magnet).peers[0]!;
  const out = tempDir(t);
  const leecher = await startLibtorrentPeer(t, {
    torrentPath: served.torrent,
    savePath: out,
    mode: 'leech',
    listenHost: ipv6 ? '::1' : '127.0.0.4',
    utpOnly: true,
    encryption,
    extraPeers: [peer],
  });
  let sawUtp = false;
  let sawRc4 = false;
  const watch = setInterval(() => {
    sawUtp ||= (leecher.lastStatus?.utp_peers ?? 0) > 0;
    sawRc4 ||= (leecher.lastStatus?.rc4_peers ?? 0) > 0;
  }, 100);
  t.after(() => clearInterval(watch));
  await leecher.waitFor('finished', 120_000);
  assert.equal(await sha1(join(out, 'big.bin')), file.digest, 'byte-identical');
  assert.ok(sawUtp, 'the connection was uTP');
  if (encryption) assert.ok(sawRc4, 'the uTP connection was RC4-encrypted');
}

test('libtorrent (uTP only) downloads 64 MiB from `btui serve --utp --no-tcp`', (t) => serveToLibtorrent(t));

test('libtorrent (uTP only, forced encryption) downloads 64 MiB from `btui serve --utp --no-tcp --encryption require`', (t) =>
  serveToLibtorrent(t, { encryption: 'forced' }));

test('btui downloads 64 MiB over uTP on IPv6 ([::1]) from a libtorrent seeder that speaks uTP only', (t) =>
  downloadFromLibtorrent(t, { ipv6: true }));

test('libtorrent (uTP only) on [::1] downloads 64 MiB from `btui serve --host ::1 --utp --no-tcp`', (t) =>
  serveToLibtorrent(t, { ipv6: true }));
