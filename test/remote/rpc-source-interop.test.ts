/**
 * The TUI's store over two real daemons at once (issue #15): a Debian transmission-daemon 3.00
 * and a `btui daemon`, each through its own RpcSource. The same torrent on both hosts: every
 * action reaches only the host of the row it was given.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeTorrentFile } from '../../source/engine/metainfo/encode-torrent-file.js';
import { metainfoFromFiles } from '../../source/engine/storage/metainfo-from-files.js';
import { RpcClient } from '../../source/remote/rpc-client.js';
import { RpcSource } from '../../source/remote/rpc-source.js';
import { Controller } from '../../source/store/controller.js';
import { TorrentStore } from '../../source/store/torrent-store.js';
import type { TorrentRow } from '../../source/store/types.js';
import { startBtuiDaemon } from '../helpers/btui-daemon.js';
import { eventually, needs, tempDir } from '../helpers/tools.js';
import { startTransmissionDaemon } from '../helpers/transmission-daemon.js';

const FAST = { pollMs: 200, sessionEveryMs: 1000, backoffMs: [200, 1000] as [number, number], timeoutMs: 3000 };
// The product's 10 s per call for the real daemons: a transmission-daemon adding a torrent took over 3 s under the suite's load.
const PATIENT = { ...FAST, timeoutMs: 10_000 };

async function waitFor<T>(what: string, get: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = get();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A small torrent whose data is already in each of `dirs`. */
function fixture(name: string, dirs: string[]): { torrent: Buffer; hash: string } {
  const data = randomBytes(300 * 1024);
  const { meta } = metainfoFromFiles({ name, pieceLength: 32 * 1024, files: [{ path: [name], data }], single: true });
  for (const dir of dirs) writeFileSync(join(dir, name), data);
  return { torrent: Buffer.from(encodeTorrentFile(meta)), hash: meta.infoHash };
}

test(
  'one store over a transmission-daemon and a btui daemon: both lists; pause, resume, recheck, remove, labels, limits and seed goals act only on their host',
  { timeout: 120_000 },
  async (t) => {
    if (!needs(t, { commands: ['transmission-daemon'] })) return;
    const trDir = tempDir(t);
    const btDir = tempDir(t);
    mkdirSync(trDir, { recursive: true });
    const tr = await startTransmissionDaemon(t, { downloads: trDir });
    const bt = await startBtuiDaemon(t, { home: tempDir(t), downloads: btDir });
    const store = new TorrentStore([new RpcSource('tr', { url: tr.rpcUrl }, PATIENT), new RpcSource('bt', { url: bt.rpcUrl }, PATIENT)], {
      refreshMs: 100,
      soonMs: 10,
    });
    const controller = new Controller(store);
    t.after(() => store.stop());
    store.start();
    const rows = () => store.getSnapshot().torrents;
    const find = (host: string, hash: string): TorrentRow | undefined => rows().find((r) => r.host === host && r.infoHash === hash);
    await waitFor('both hosts online', () => store.getSnapshot().global.hosts?.every((h) => h.online));

    const shared = fixture('shared.bin', [trDir, btDir]);
    const only = fixture('only-tr.bin', [trDir]);
    // Added through the controller, as the add prompt does: to the host of the row named (a local path goes as metainfo).
    const sharedPath = join(tempDir(t), 'shared.torrent');
    writeFileSync(sharedPath, shared.torrent);
    const onlyPath = join(tempDir(t), 'only.torrent');
    writeFileSync(onlyPath, only.torrent);
    assert.deepEqual(await controller.add(sharedPath, `tr/${'0'.repeat(40)}`), { hash: shared.hash });
    assert.deepEqual(await controller.add(sharedPath, `bt/${'0'.repeat(40)}`), { hash: shared.hash });
    assert.deepEqual(await controller.add(onlyPath, `tr/${shared.hash}`), { hash: only.hash });

    const seeding = (host: string, hash: string) => find(host, hash)?.state === 'seeding';
    await waitFor('the shared torrent seeding on both hosts', () => seeding('tr', shared.hash) && seeding('bt', shared.hash), 30_000);
    await waitFor('the torrent only on tr', () => find('tr', only.hash));
    assert.equal(find('bt', only.hash), undefined, 'a torrent added to one host is not on the other');
    assert.equal(find('tr', shared.hash)!.key, `tr/${shared.hash}`);

    const trClient = new RpcClient({ url: tr.rpcUrl });
    t.after(() => trClient.close());
    const stateOn = async (host: 'tr' | 'bt'): Promise<number> => {
      const args =
        host === 'bt'
          ? await bt.rpc('torrent-get', { ids: [shared.hash], fields: ['status'] })
          : await trClient.call('torrent-get', { ids: [shared.hash], fields: ['status'] });
      return (args.torrents as { status: number }[])[0]!.status;
    };

    // Pause on tr: the row turns paused at once (before the daemon answers), tr stops, bt keeps seeding.
    const before = Date.now();
    const pausing = controller.toggle(`tr/${shared.hash}`);
    store.refresh();
    assert.equal(find('tr', shared.hash)?.state, 'paused', 'shown at once');
    assert.ok(Date.now() - before < 100);
    await pausing;
    // transmission-daemon stops a torrent a moment after answering torrent-stop.
    await eventually('tr to stop it', async () => (await stateOn('tr')) === 0);
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(find('tr', shared.hash)?.state, 'paused', 'the polls agree');
    assert.equal(await stateOn('bt'), 6, 'bt still seeds');

    // Pause on bt, resume on tr.
    await controller.toggle(`bt/${shared.hash}`);
    await controller.toggle(`tr/${shared.hash}`);
    await waitFor('bt paused, tr seeding', () => find('bt', shared.hash)?.state === 'paused' && seeding('tr', shared.hash));
    await eventually('bt to stop it', async () => (await stateOn('bt')) === 0);
    assert.equal(await stateOn('tr'), 6);

    // Recheck on bt (paused: it checks, then stays paused with all its data).
    await controller.recheck(`bt/${shared.hash}`);
    await waitFor('bt checked', () => find('bt', shared.hash)?.state === 'paused' && find('bt', shared.hash)!.progress === 1);
    assert.equal(await stateOn('tr'), 6);

    // Remove on tr: gone there, still on bt.
    await controller.remove(`tr/${shared.hash}`, false);
    await waitFor('the row gone from tr', () => !find('tr', shared.hash));
    const onBt = (await bt.rpc('torrent-get', { fields: ['hashString'] })).torrents as { hashString: string }[];
    assert.deepEqual(
      onBt.map((x) => x.hashString),
      [shared.hash],
    );
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(find('bt', shared.hash), 'still listed on bt');
    assert.ok(find('tr', only.hash), 'the other torrent of tr stays');

    // Labels, the torrent's own limits and seed goals, the host's limits and global goals: set on tr's
    // row, read back from transmission-daemon 3.00 itself (rpc-version 16 has labels).
    const onlyKey = `tr/${only.hash}`;
    await controller.setLabels(onlyKey, ['music', 'flac']);
    await controller.setTorrentLimits(onlyKey, { download: 200_000, upload: 50_000 });
    await controller.setSeedGoals(onlyKey, { seedRatioMode: 'single', seedRatioLimit: 3 });
    await controller.setSeedGoals(onlyKey, { seedIdleMode: 'single', seedIdleLimit: 45 });
    const trTorrent = async () =>
      (
        (
          await trClient.call('torrent-get', {
            ids: [only.hash],
            fields: [
              'labels',
              'downloadLimit',
              'downloadLimited',
              'uploadLimit',
              'uploadLimited',
              'seedRatioMode',
              'seedRatioLimit',
              'seedIdleMode',
              'seedIdleLimit',
            ],
          })
        ).torrents as Record<string, unknown>[]
      )[0]!;
    assert.deepEqual(await trTorrent(), {
      labels: ['music', 'flac'],
      downloadLimit: 200,
      downloadLimited: true,
      uploadLimit: 50,
      uploadLimited: true,
      seedRatioMode: 1,
      seedRatioLimit: 3,
      seedIdleMode: 1,
      seedIdleLimit: 45,
    });
    await waitFor('the labels read back into the row', () => find('tr', only.hash)?.labels.join(',') === 'music,flac');
    await controller.setLimits({ download: 300_000 }, onlyKey);
    await controller.setGlobalSeedGoals({ ratio: 1.5, idleMinutes: 20 }, onlyKey);
    const session = await trClient.call('session-get');
    assert.equal(session['speed-limit-down'], 300);
    assert.equal(session['speed-limit-down-enabled'], true);
    assert.equal(session.seedRatioLimit, 1.5);
    assert.equal(session.seedRatioLimited, true);
    assert.equal(session['idle-seeding-limit'], 20);
    assert.equal(session['idle-seeding-limit-enabled'], true);
    const onBtSession = await bt.rpc('session-get');
    assert.notEqual(onBtSession['speed-limit-down-enabled'], true, "bt's limits untouched");
    await waitFor('tr limit in the status line figures', () =>
      store.getSnapshot().global.hosts?.find((h) => h.name === 'tr' && h.downloadLimit === 300_000),
    );
    assert.ok(
      !store.getSnapshot().log.some((l) => /cannot/.test(l.text)),
      store
        .getSnapshot()
        .log.map((l) => l.text)
        .join('\n'),
    );
  },
);

test(
  'a host killed shows offline (rows kept, dimmed), the other keeps working, and it comes back by itself',
  { timeout: 90_000 },
  async (t) => {
    if (!needs(t, { commands: ['transmission-daemon'] })) return;
    const trDir = tempDir(t);
    const btDir = tempDir(t);
    const tr = await startTransmissionDaemon(t, { downloads: trDir });
    const home = tempDir(t);
    let bt = await startBtuiDaemon(t, { home, downloads: btDir });
    const store = new TorrentStore([new RpcSource('tr', { url: tr.rpcUrl }, PATIENT), new RpcSource('bt', { url: bt.rpcUrl }, PATIENT)], {
      refreshMs: 100,
      soonMs: 10,
    });
    const controller = new Controller(store);
    t.after(() => store.stop());
    store.start();
    const a = fixture('a.bin', [btDir]);
    const b = fixture('b.bin', [trDir]);
    await waitFor('both online', () => store.getSnapshot().global.hosts?.every((h) => h.online));
    await controller.add(writeTemp(t, a.torrent), 'bt/x');
    await controller.add(writeTemp(t, b.torrent), 'tr/x');
    const rowOf = (hash: string) => store.getSnapshot().torrents.find((r) => r.infoHash === hash);
    await waitFor('both rows', () => rowOf(a.hash) && rowOf(b.hash));

    await bt.stop();
    await waitFor('bt offline', () => store.getSnapshot().global.hosts?.find((h) => h.name === 'bt' && !h.online));
    const hostBt = store.getSnapshot().global.hosts!.find((h) => h.name === 'bt')!;
    assert.match(hostBt.reason ?? '', /connection refused/);
    assert.equal(rowOf(a.hash)?.offline, true, 'its rows stay, marked offline');
    assert.ok(store.getSnapshot().log.some((l) => l.level === 'error' && /^bt: offline: connection refused/.test(l.text)));
    // The other host still answers actions.
    await controller.toggle(`tr/${b.hash}`);
    await waitFor('tr paused while bt is down', () => rowOf(b.hash)?.state === 'paused');
    assert.notEqual(rowOf(b.hash)?.offline, true);

    bt = await startBtuiDaemon(t, { home, downloads: btDir, rpcPort: bt.rpcPort });
    await waitFor('bt back', () => store.getSnapshot().global.hosts?.find((h) => h.name === 'bt' && h.online), 20_000);
    await waitFor('its row lit again', () => rowOf(a.hash) && rowOf(a.hash)!.offline !== true);
    assert.ok(store.getSnapshot().log.some((l) => /^bt: back online/.test(l.text)));
  },
);

function writeTemp(t: import('node:test').TestContext, bytes: Buffer): string {
  const path = join(tempDir(t), `${randomBytes(4).toString('hex')}.torrent`);
  writeFileSync(path, bytes);
  return path;
}
