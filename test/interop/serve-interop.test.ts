import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMagnet } from '../../source/engine/metainfo/magnet.js';
import { CLI, runCli } from '../helpers/cli.js';
import { startLibtorrentPeer } from '../helpers/libtorrent-peer.js';
import { needs, tempDir } from '../helpers/tools.js';

interface Served {
  file: string;
  infoHash: string;
  magnet: string;
  torrent: string;
}

test('libtorrent downloads each file from `btui serve`, found through the magnet x.pe address', async (t) => {
  if (!needs(t, { libtorrent: true })) return;
  const dir = tempDir(t);
  const files = ['clip.mp4', 'photo.jpeg'].map((name, i) => {
    const data = randomBytes(i === 0 ? 2_500_000 : 300_001);
    writeFileSync(join(dir, name), data);
    return { name, data };
  });
  const torrentDir = tempDir(t);
  const child = spawn(
    process.execPath,
    [
      CLI,
      'serve',
      '-f',
      files.map((f) => join(dir, f.name)).join(','),
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--torrent-dir',
      torrentDir,
      '--json',
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, BTUI_HOME: tempDir(t) },
    },
  );
  t.after(() => child.kill('SIGKILL'));
  const served = await new Promise<Served[]>((resolve, reject) => {
    const got: Served[] = [];
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) got.push(JSON.parse(line) as Served);
      if (got.length === files.length) resolve(got);
    });
    child.on('close', (code) => reject(new Error(`serve exited ${code}`)));
  });

  for (const [i, s] of served.entries()) {
    const magnet = parseMagnet(s.magnet);
    assert.equal(magnet.infoHash, s.infoHash);
    assert.equal(magnet.name, files[i]!.name);
    const peer = magnet.peers[0]!;
    const out = tempDir(t);
    const leecher = await startLibtorrentPeer(t, {
      torrentPath: s.torrent,
      savePath: out,
      mode: 'leech',
      listenHost: '127.0.0.4',
      extraPeers: [peer],
    });
    await leecher.waitFor('finished', 60_000);
    assert.ok(readFileSync(join(out, files[i]!.name)).equals(files[i]!.data), `${files[i]!.name} byte-identical`);
    await leecher.stop();
  }
  // Ctrl-C (SIGINT) stops it cleanly.
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  child.kill('SIGINT');
  assert.equal(await exited, 0);
});

test('`btui serve` with a missing file fails with one line', async (t) => {
  const result = await runCli(['serve', '-f', join(tempDir(t), 'nope.bin'), '--port', '0']);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^btui: serve: no such file: .*nope\.bin\n$/);
});
