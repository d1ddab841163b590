/** libtorrent 2.0 (Debian's python3-libtorrent) through the tests' lt-peer.py. */
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { startLibtorrentPeer } from '../../../test/helpers/libtorrent-peer.js';
import type { Client, Crypto, RunningClient } from '../client.js';
import type { Fixture } from '../fixture.js';
import type { Scope } from '../scope.js';
import { missingLibtorrent } from './missing.js';

export async function startLibtorrent(
  scope: Scope,
  fixture: Fixture,
  role: 'seed' | 'leech',
  crypto: Crypto,
  options: { host?: string; extraPeers?: { host: string; port: number }[] } = {},
): Promise<RunningClient> {
  const savePath = role === 'seed' ? fixture.seedDir : scope.tempDir('btui-interop-lt-');
  const peer = await startLibtorrentPeer(scope as unknown as TestContext, {
    torrentPath: fixture.torrentPath,
    savePath,
    mode: role,
    listenHost: options.host ?? '127.0.0.1',
    extraPeers: options.extraPeers,
    encryption: crypto === 'encrypted' ? 'forced' : 'disabled',
  });
  scope.after(() => scope.logs.set('libtorrent', peer.log().slice(-4000)));
  // seed_mode: a seeder takes peers at once; a leecher with nothing has nothing to check.
  return { host: peer.host, port: peer.port, payloadPath: join(savePath, fixture.name), ready: async () => {} };
}

export const libtorrent: Client = {
  name: 'libtorrent 2.0',
  missing: missingLibtorrent,
  cryptos: ['plain', 'encrypted'],
  start: (scope, fixture, role, crypto) => startLibtorrent(scope, fixture, role, crypto),
};
