/**
 * One cell of the matrix: btui downloads from a client, a client downloads from btui, or the
 * libtorrent pair the others are measured against. Each builds what it needs in its own scope
 * and tears it down, whatever happened.
 */
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { Session } from '../../source/engine/session/session.js';
import type { Torrent } from '../../source/engine/torrent/torrent.js';
import { waitForDone } from '../../test/helpers/swarm.js';
import type { Client, Crypto } from './client.js';
import { startLibtorrent } from './clients/libtorrent.js';
import type { Fixture } from './fixture.js';
import { Scope } from './scope.js';
import { sameBytes, waitFor } from './wait.js';
import { probeDownload, type DownloadProbe } from './probe.js';

export type Direction = 'btui <- X' | 'X <- btui' | 'libtorrent <- X' | 'libtorrent pair';

export interface CaseResult {
  client: string;
  direction: Direction;
  crypto: Crypto;
  ok: boolean;
  /** From the first dial to a byte-identical copy. */
  seconds?: number;
  /** What btui saw of its peer's connection (undefined for the libtorrent pair). */
  encrypted?: boolean;
  note?: string;
  /** btui's view of its peer while downloading (btui <- X). */
  probe?: DownloadProbe;
}

export interface CaseOptions {
  fixture: Fixture;
  timeoutMs: number;
}

const READY_MS = 60_000;

async function btuiSession(scope: Scope, crypto: Crypto): Promise<Session> {
  const session = new Session({ host: '127.0.0.1', port: 0, encryption: crypto === 'encrypted' ? 'require' : 'plaintext' });
  await session.listen();
  scope.after(() => session.close());
  return session;
}

/** Whether any peer btui connected to was encrypted, seen as each peer arrives. */
function watchEncryption(torrent: Torrent): () => boolean | undefined {
  let seen: boolean | undefined;
  torrent.on('peer', (id: string) => {
    const encrypted = torrent.peerStats().find((p) => p.id === id)?.encrypted;
    if (encrypted !== undefined) seen = (seen ?? false) || encrypted;
  });
  return () => seen;
}

async function inScope(
  base: Omit<CaseResult, 'ok'>,
  body: (scope: Scope) => Promise<Pick<CaseResult, 'seconds' | 'encrypted' | 'probe'>>,
): Promise<CaseResult> {
  const scope = new Scope();
  try {
    return { ...base, ok: true, ...(await body(scope)) };
  } catch (error) {
    const logs = [...scope.logs].map(([name, log]) => `${name}: ${log.trim().split('\n').slice(-3).join(' | ')}`);
    return { ...base, ok: false, note: [(error as Error).message, ...logs].join('; ').slice(0, 600) };
  } finally {
    await scope.close();
  }
}

export function btuiDownloads(client: Client, crypto: Crypto, { fixture, timeoutMs }: CaseOptions): Promise<CaseResult> {
  return inScope({ client: client.name, direction: 'btui <- X', crypto }, async (scope) => {
    const seeder = await client.start(scope, fixture, 'seed', crypto);
    await seeder.ready(READY_MS);
    const session = await btuiSession(scope, crypto);
    const out = scope.tempDir('btui-interop-out-');
    const torrent = session.add(fixture.meta, { directory: out });
    const encrypted = watchEncryption(torrent);
    await torrent.start();
    const started = performance.now();
    const done = waitForDone(torrent, timeoutMs);
    const probe = probeDownload(torrent);
    scope.after(probe);
    torrent.addPeers([{ host: seeder.host, port: seeder.port, explicit: true }]);
    await done;
    const seconds = (performance.now() - started) / 1000;
    if (!(await readFile(join(out, fixture.name))).equals(fixture.data)) throw new Error('the copy differs from the payload');
    return { seconds, encrypted: encrypted(), probe: probe() };
  });
}

export function clientDownloads(client: Client, crypto: Crypto, { fixture, timeoutMs }: CaseOptions): Promise<CaseResult> {
  return inScope({ client: client.name, direction: 'X <- btui', crypto }, async (scope) => {
    const session = await btuiSession(scope, crypto);
    const torrent = session.add(fixture.meta, { directory: fixture.seedDir, seedMode: true });
    const encrypted = watchEncryption(torrent);
    await torrent.start();
    const leecher = await client.start(scope, fixture, 'leech', crypto);
    await leecher.ready(READY_MS);
    const started = performance.now();
    // btui's seed dials the leecher (Transmission would never dial 127.x).
    torrent.addPeers([{ host: leecher.host, port: leecher.port, explicit: true }]);
    await waitFor(`${client.name} to hold the payload`, sameBytes(leecher.payloadPath, fixture.data), timeoutMs);
    return { seconds: (performance.now() - started) / 1000, encrypted: encrypted() };
  });
}

export function libtorrentPair(crypto: Crypto, { fixture, timeoutMs }: CaseOptions): Promise<CaseResult> {
  return inScope({ client: 'libtorrent 2.0', direction: 'libtorrent pair', crypto }, async (scope) => {
    const seeder = await startLibtorrent(scope, fixture, 'seed', crypto);
    // It dials the seeder as soon as it listens, which is when this resolves: the clock starts
    // there, as it does for btui at its first dial.
    const leecher = await startLibtorrent(scope, fixture, 'leech', crypto, {
      host: '127.0.0.3',
      extraPeers: [{ host: seeder.host, port: seeder.port }],
    });
    const started = performance.now();
    await waitFor('the libtorrent leecher to hold the payload', sameBytes(leecher.payloadPath, fixture.data), timeoutMs);
    return { seconds: (performance.now() - started) / 1000 };
  });
}

/** The same seeder with a libtorrent leecher instead of btui: what the seeder gives a reference peer. */
export function libtorrentDownloads(client: Client, crypto: Crypto, { fixture, timeoutMs }: CaseOptions): Promise<CaseResult> {
  return inScope({ client: client.name, direction: 'libtorrent <- X', crypto }, async (scope) => {
    const seeder = await client.start(scope, fixture, 'seed', crypto);
    await seeder.ready(READY_MS);
    const leecher = await startLibtorrent(scope, fixture, 'leech', crypto, {
      host: '127.0.0.3',
      extraPeers: [{ host: seeder.host, port: seeder.port }],
    });
    const started = performance.now();
    await waitFor('the libtorrent leecher to hold the payload', sameBytes(leecher.payloadPath, fixture.data), timeoutMs);
    return { seconds: (performance.now() - started) / 1000 };
  });
}
