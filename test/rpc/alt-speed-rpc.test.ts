// Turtle mode over the RPC: transmission-remote's alt-speed flags reach the service (and the limits in force), session-get reads them back.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import type { AltSpeed } from '../../source/service/alt-speed.js';
import { ServiceRpcBackend } from '../../source/host/rpc-backend.js';
import { createRpcServer } from '../../source/rpc/server.js';
import { openService } from '../helpers/service.js';
import { needs, tempDir } from '../helpers/tools.js';
import { rpc } from './http-client.js';

const run = promisify(execFile);

test('transmission-remote --alt-speed / --no-alt-speed and the schedule flags drive turtle mode; session-get reads it', async (t) => {
  if (!needs(t, { commands: ['transmission-remote'] })) return;
  const dir = tempDir(t);
  const saved: AltSpeed[] = [];
  const s = openService(dir, {
    t,
    limits: { download: 4_000_000, upload: 0 },
    saveSettings: (change) => void (change.altSpeed && saved.push(change.altSpeed)),
    altSpeedCheckMs: 0,
  });
  const applied: { download?: number; upload?: number }[] = [];
  const setLimits = s.session.setLimits.bind(s.session);
  s.session.setLimits = (limits) => {
    applied.push(limits);
    setLimits(limits);
  };
  const backend = new ServiceRpcBackend(s.service, {
    version: 'test',
    configDir: join(dir, 'state'),
    peerPort: () => 0,
    settings: () => ({ dht: false, lsd: false, maxPeersPerTorrent: 50, maxConnections: 200, encryption: 'prefer' }),
  });
  const server = createRpcServer({ backend, host: '127.0.0.1', port: 0 });
  const { port } = await server.listen();
  t.after(() => server.close());
  const remote = async (...args: string[]) => {
    const { stdout, stderr } = await run('transmission-remote', [`127.0.0.1:${port}`, ...args], { timeout: 15_000 });
    assert.doesNotMatch(stdout + stderr, /error/i, `${args.join(' ')}: ${stdout}${stderr}`);
    return stdout;
  };

  await remote('-asd', '100', '-asu', '20', '--alt-speed');
  assert.equal(s.service.global().altSpeed.enabled, true);
  assert.deepEqual(applied.at(-1), { download: 100_000, upload: 20_000 }, "turtle limits in force, in Transmission's kB/s");
  assert.equal(saved.at(-1)?.enabled, true, 'kept in the settings');
  const info = await remote('-si');
  assert.match(info, /Download speed limit: 100 kB\/s \(Enabled limit: 4\.00 MB\/s; Enabled turtle limit: 100 kB\/s\)/);

  await remote('--no-alt-speed');
  assert.equal(s.service.global().altSpeed.enabled, false);
  assert.deepEqual(applied.at(-1), { download: 4_000_000, upload: 0 }, 'the usual limits back');

  await remote('--alt-speed-scheduler', '--alt-speed-time-begin', '2200', '--alt-speed-time-end', '0630', '--alt-speed-days', '6-7');
  const alt = s.service.global().altSpeed;
  assert.deepEqual(
    { scheduled: alt.scheduled, begin: alt.begin, end: alt.end, days: alt.days },
    { scheduled: true, begin: 22 * 60, end: 6 * 60 + 30, days: 64 | 1 },
    'Saturday and Sunday (transmission-remote counts 7 as Sunday)',
  );
  const got = await rpc(port, {
    method: 'session-get',
    arguments: {
      fields: [
        'alt-speed-enabled',
        'alt-speed-down',
        'alt-speed-up',
        'alt-speed-time-enabled',
        'alt-speed-time-begin',
        'alt-speed-time-end',
        'alt-speed-time-day',
      ],
    },
  });
  assert.deepEqual(got.arguments, {
    'alt-speed-enabled': s.service.global().altSpeed.enabled,
    'alt-speed-down': 100,
    'alt-speed-up': 20,
    'alt-speed-time-enabled': true,
    'alt-speed-time-begin': 1320,
    'alt-speed-time-end': 390,
    'alt-speed-time-day': 65,
  });
  await remote('--no-alt-speed-scheduler');
  assert.equal(s.service.global().altSpeed.scheduled, false);
});
