import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { metainfoFromFiles } from '../../source/engine/storage/metainfo-from-files.js';
import { ServiceRpcBackend } from '../../source/host/rpc-backend.js';
import { dispatch } from '../../source/rpc/dispatch.js';
import { serializeResponse } from '../../source/rpc/json-chunks.js';
import { openService } from '../helpers/service.js';
import { freePort } from '../helpers/opentracker.js';
import { tempDir, until } from '../helpers/tools.js';

/** A service with the RPC backend over it, and one paused one-file torrent announcing to `announce`. */
async function backendWithTorrent(t: TestContext, name: string, announce: string) {
  const dir = tempDir(t);
  const s = openService(dir, { t });
  const backend = new ServiceRpcBackend(s.service, {
    version: 'test',
    configDir: join(dir, 'state'),
    peerPort: () => 0,
    settings: () => ({ dht: false, lsd: false, maxPeersPerTorrent: 50, maxConnections: 200, encryption: 'prefer' }),
  });
  const { meta } = metainfoFromFiles({ name, pieceLength: 16384, files: [{ path: ['a'], data: randomBytes(1000) }], announce });
  const hash = await s.service.addMetainfo(meta, { paused: true });
  return { service: s.service, backend, hash };
}

test('rpc backend: a torrent keeps one trackers array until an announce changes it, then a new one', async (t) => {
  // Nothing listens there: each announce fails at once (connection refused).
  const { service, backend, hash } = await backendWithTorrent(t, 'tracked', `http://127.0.0.1:${await freePort()}/announce`);
  const first = backend.torrentParts(hash, { trackers: true }).trackers!;
  assert.equal(first.length, 1);
  assert.equal(backend.torrentParts(hash, { trackers: true }).trackers, first, 'nothing changed: the same array');
  await service.start(hash);
  await until('the announce failed', () => backend.torrentParts(hash, { trackers: true }).trackers![0]!.lastAnnounceResult !== '', 10_000);
  const after = backend.torrentParts(hash, { trackers: true }).trackers!;
  assert.notEqual(after, first);
  assert.equal(after[0]!.lastAnnounceSucceeded, false);
  assert.equal(backend.torrentParts(hash, { trackers: true }).trackers, after, 'and that one is kept in turn');
});

test("rpc backend: torrent-get's magnetLink is made when asked, from the torrent's metainfo", async (t) => {
  const { service, backend, hash } = await backendWithTorrent(t, 'linked', 'http://127.0.0.1:9/announce');
  const ctx = { backend, sessionId: () => 'id', now: Date.now };
  const response = await dispatch({ method: 'torrent-get', arguments: { fields: ['hashString', 'magnetLink'] } }, ctx);
  const torrents = JSON.parse(serializeResponse(response).join('')).arguments.torrents;
  assert.equal(torrents.length, 1);
  assert.equal(torrents[0].magnetLink, service.info(hash)!.magnet);
  assert.match(torrents[0].magnetLink, new RegExp(`^magnet:\\?xt=urn:btih:${hash}&dn=linked`));
});
