import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { encode } from '../../source/engine/codec/bencode.js';
import { runFlagsFrom } from '../../source/host/run-flags.js';
import { sanitize } from '../../source/settings.js';
import { peerFlags } from '../../source/store/detail.js';
import { runCli } from '../helpers/cli.js';
import { randomTorrent } from '../helpers/swarm.js';
import { tempDir } from '../helpers/tools.js';

test('--encryption: a mode that does not exist is one line and exit 2, from download, serve, metainfo and the TUI/daemon flags', async (t) => {
  const torrentPath = join(tempDir(t), 'x.torrent');
  writeFileSync(torrentPath, encode(randomTorrent({ sizes: [10] }).meta.raw));
  for (const argv of [
    ['download', '-t', torrentPath, '--encryption', 'always', '--port', '0', '--no-dht', '-o', tempDir(t)],
    ['serve', '-f', torrentPath, '--encryption', 'always', '--port', '0', '--no-dht'],
    ['metainfo', '-m', 'magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&x.pe=127.0.0.1:1', '--encryption', 'always'],
  ]) {
    const result = await runCli(argv, { env: { BTUI_HOME: tempDir(t) } });
    assert.equal(result.code, 2, `${argv[0]}: ${result.stderr}`);
    assert.match(result.stderr, /^btui: \w+: --encryption always: choose one of plaintext, prefer, require\n$/);
  }
  assert.throws(() => runFlagsFrom({ encryption: 'always' }, []), /--encryption always: choose one of plaintext, prefer, require/);
  assert.equal(runFlagsFrom({ encryption: 'require' }, []).host.encryption, 'require');
});

test('the encryption setting: prefer by default, a hand-edited value that is not a mode falls back to it', () => {
  assert.equal(sanitize({}).encryption, 'prefer');
  assert.equal(sanitize({ encryption: 'require' }).encryption, 'require');
  assert.equal(sanitize({ encryption: 'yes' as never }).encryption, 'prefer');
});

test('the Peers tab flags an RC4 peer E', () => {
  const base = { amInterested: true, peerChoking: false, peerInterested: false, amChoking: true, snubbed: false, incoming: true };
  assert.equal(peerFlags({ ...base, encrypted: true }), 'DIE');
  assert.equal(peerFlags({ ...base, encrypted: false }), 'DI');
});
