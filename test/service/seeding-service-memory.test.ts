import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from '../../source/engine/session/session.js';
import { writeSeedFiles } from '../helpers/seed-files.js';
import { ServiceRpcBackend } from '../../source/host/rpc-backend.js';
import { dispatch } from '../../source/rpc/dispatch.js';
import { serializeResponse } from '../../source/rpc/json-chunks.js';
import { TorrentService } from '../../source/service/torrent-service.js';
import { FLOOD_FIELDS } from '../helpers/flood-fields.js';
import { tempDir } from '../helpers/tools.js';
import { heapUsedAfterGc } from '../helpers/gc.js';

/**
 * Measured under tsx with this test: 20.9-23.3 KB of heap per seeding torrent in a daemon's stack
 * (engine, service, RPC after Flood's polls) when the service bound 10 closures to each torrent
 * and the RPC kept each torrent's JSON text between polls; 17.8-17.9 KB without. The engine's
 * share is bounded by test/engine/swarm/seeding-memory.test.ts. Bundled, as the daemon runs
 * (scripts/soak/service-memory.mjs 2000): 14.2 KB before, 12.5 KB after.
 */
const MAX_HEAP_BYTES_PER_SEEDING_TORRENT = 19.5 * 1024;

test("a daemon's seeding torrent with no peers, after Flood's polls, stays within its heap budget (engine, service and RPC)", async (t) => {
  const count = 300;
  const dir = tempDir(t);
  const data = join(dir, 'data');
  const state = join(dir, 'state');
  mkdirSync(data);
  const metas = writeSeedFiles(data, count + 1);
  const resumePath = (hash: string) => join(state, 'resume', `${hash}.resume`);
  const session = new Session({ host: '127.0.0.1', resumePath });
  session.on('warning', () => undefined);
  const service = new TorrentService(session, { stateDirectory: state, downloadDirectory: data, resumePath, saveDebounceMs: 20 });
  t.after(async () => {
    await service.close();
    await session.close();
  });
  const backend = new ServiceRpcBackend(service, {
    version: 'test',
    configDir: state,
    peerPort: () => 0,
    settings: () => ({ dht: false, lsd: false, maxPeersPerTorrent: 50, maxConnections: 500, encryption: 'prefer' }),
  });
  const ctx = { backend, sessionId: () => 'id', now: Date.now };
  const floodPoll = async () => {
    const response = await dispatch({ method: 'torrent-get', arguments: { fields: FLOOD_FIELDS, format: 'objects' } }, ctx);
    assert.equal(response.result, 'success');
    return serializeResponse(response).reduce((n, chunk) => n + chunk.length, 0);
  };
  let seeding = 0;
  let allSeeding: () => void = () => undefined;
  service.on('torrent-changed', (ref, kind) => {
    if (kind === 'state' && service.summary(ref.id)?.state === 'seeding' && ++seeding === count + 1) allSeeding();
  });
  const seeded = new Promise<void>((resolve) => (allSeeding = resolve));

  // One first, polled: code and shapes made once are not counted per torrent.
  await service.addMetainfo(metas[0]!, { directory: data });
  await floodPoll();
  const before = heapUsedAfterGc();
  for (const meta of metas.slice(1)) await service.addMetainfo(meta, { directory: data });
  await seeded;
  await floodPoll();
  assert.ok((await floodPoll()) > count * 400, 'every torrent in the answer');
  const perTorrent = (heapUsedAfterGc() - before) / count;
  assert.ok(
    perTorrent < MAX_HEAP_BYTES_PER_SEEDING_TORRENT,
    `${Math.round(perTorrent)} bytes of heap per seeding torrent (at most ${MAX_HEAP_BYTES_PER_SEEDING_TORRENT})`,
  );
});
