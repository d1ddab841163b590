// The settings screen over a real session host with its RPC: what a Transmission client changes
// with session-set shows at once, and an edit on the screen does not write it back.
import React from 'react';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { render } from 'ink-testing-library';
import { startRpc } from '../../source/host/rpc-host.js';
import { openSessionHost } from '../../source/host/session-host.js';
import { RpcClient } from '../../source/remote/rpc-client.js';
import { SettingsStore } from '../../source/settings.js';
import { Controller } from '../../source/store/controller.js';
import { LocalSource } from '../../source/store/local-source.js';
import { TorrentStore } from '../../source/store/torrent-store.js';
import { App } from '../../source/ui/app.js';
import { settledFrame, until } from '../helpers/ink-frames.js';
import { tempDir } from '../helpers/tools.js';

void React;
const strip = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');

test('session-set over the RPC shows on the settings screen and the status bar; an edit on the screen keeps it', async (t) => {
  const dir = tempDir(t);
  const settingsStore = new SettingsStore({ cwd: join(dir, 'config') });
  settingsStore.update({ colours: 'none' });
  // --download-dir for this run: an RPC change of the directory still wins over it, and stays.
  // --encryption likewise: a change while running applies at once.
  const host = await openSessionHost(join(dir, 'state'), settingsStore, {
    port: 0,
    dht: false,
    downloadDirectory: join(dir, 'flag'),
    encryption: 'plaintext',
  });
  t.after(() => host.close());
  const rpc = await startRpc(
    host,
    { bind: '127.0.0.1', port: 0 },
    { version: 'test', stateDirectory: join(dir, 'state'), log: () => undefined },
  );
  t.after(() => rpc.server.close());
  const client = new RpcClient({ url: rpc.url });

  const store = new TorrentStore([new LocalSource(host.service, { diskIntervalMs: 0 })], { refreshMs: 50 });
  store.start();
  t.after(() => store.stop());
  const app = render(
    <App
      store={store}
      commands={new Controller(store)}
      settings={{ read: host.settings, update: host.updateSettings, subscribe: host.subscribeSettings, path: settingsStore.path }}
      width={100}
      height={40}
      onQuit={() => undefined}
    />,
  );
  t.after(() => app.unmount());
  const frame = () => strip(app.lastFrame() ?? '');
  const press = async (...keys: string[]) => {
    for (const key of keys) {
      app.stdin.write(key);
      await settledFrame(app);
    }
  };
  const shows = (pattern: RegExp, what: string) => until(() => pattern.test(frame()), what, 20_000);

  await press('S');
  await shows(/Active downloads \(0 = no limit\)\s+5\b/, 'the settings screen');
  assert.match(frame(), new RegExp(`Download directory\\s+${join(dir, 'flag')}`));
  const before = await client.call<{ encryption: string }>('session-get', { fields: ['encryption'] });
  assert.equal(before.encryption, 'tolerated', "the flag's plaintext, as Transmission names its nearest mode");

  await client.call('session-set', {
    'download-queue-size': 9,
    'download-dir': join(dir, 'rpc'),
    'speed-limit-down': 512,
    'speed-limit-down-enabled': true, // Transmission's kB/s: 1000 bytes
    'alt-speed-up': 1024,
    'alt-speed-enabled': true,
    'peer-port': 51500,
    encryption: 'required',
  });
  await shows(/Active downloads \(0 = no limit\)\s+9\b/, 'the queue size set over the RPC');
  assert.match(frame(), new RegExp(`Download directory\\s+${join(dir, 'rpc')}`));
  assert.match(frame(), /Download limit \(KiB\/s; 0 = none\)\s+500 KiB\/s/);
  assert.match(frame(), /Turtle upload limit \(KiB\/s\)\s+1000 KiB\/s/);
  await shows(/turtle/, 'the status bar in turtle mode');
  assert.match(frame(), /\[50 KiB\/s\]/, "the status bar shows turtle mode's download limit");
  assert.match(frame(), /Encryption \(MSE\/PE\)\s+require\b/);
  assert.equal(host.session.encryption, 'require', 'the engine dials and answers with RC4 only from now on');

  // An edit of another field (Refresh interval): the RPC's values stay, in the service and in the file.
  const steps = frame().split('\n');
  const down = steps.findIndex((l) => l.includes('Refresh interval')) - steps.findIndex((l) => l.includes('Download directory'));
  for (let i = 0; i < down; i++) await press('j');
  await press('\r', '\x15', '250\r');
  await shows(/Refresh interval \(ms\)\s+250\b/, 'the edited field');
  const service = host.service.settings();
  assert.deepEqual(
    [service.maxActiveDownloads, service.downloadDirectory, service.limits.download, service.altSpeed.upload, service.altSpeed.enabled],
    [9, join(dir, 'rpc'), 512_000, 1_024_000, true],
  );
  const file = JSON.parse(readFileSync(settingsStore.path, 'utf8')) as Record<string, unknown>;
  assert.deepEqual(
    [
      file.maxActiveDownloads,
      file.downloadDirectory,
      file.downloadLimit,
      file.altUploadLimit,
      file.altSpeedEnabled,
      file.refreshMs,
      file.port,
      file.encryption,
    ],
    [9, join(dir, 'rpc'), 512_000, 1_024_000, true, 250, 51500, 'require'],
  );

  // The screen's own edit of a service setting goes to the service, and session-get reads it back.
  await press('j', 'j', 'j', '\r', '\x15', '3\r');
  await shows(/Active downloads \(0 = no limit\)\s+3\b/, "the screen's queue size");
  const got = await client.call<{ 'download-queue-size': number; encryption: string }>('session-get', {
    fields: ['download-queue-size', 'encryption'],
  });
  assert.equal(got['download-queue-size'], 3);
  assert.equal(got.encryption, 'required');
});
