/**
 * deluged 2.0 (libtorrent inside) with its own config directory, driven by deluge-console.
 * enc_in_policy/enc_out_policy: 0 forced, 1 enabled, 2 disabled; enc_level: 0 plaintext, 1 RC4, 2 either.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../../test/helpers/opentracker.js';
import type { Client } from '../client.js';
import { answers, waitFor } from '../wait.js';
import { missingCommands } from './missing.js';

const run = promisify(execFile);

export const deluge: Client = {
  name: 'Deluge 2.0',
  missing: () => missingCommands('deluged', 'deluge-console'),
  cryptos: ['plain', 'encrypted'],
  async start(scope, fixture, role, crypto) {
    const config = scope.tempDir('btui-interop-deluge-');
    const dir = role === 'seed' ? fixture.seedDir : scope.tempDir('btui-interop-deluge-data-');
    const rpcPort = await freePort();
    const peerPort = await freePort();
    const policy = crypto === 'encrypted' ? 0 : 2;
    const core = {
      listen_ports: [peerPort, peerPort],
      random_port: false,
      listen_interface: '127.0.0.1',
      daemon_port: rpcPort,
      allow_remote: false,
      dht: false,
      lsd: false,
      upnp: false,
      natpmp: false,
      utpex: false,
      new_release_check: false,
      enc_in_policy: policy,
      enc_out_policy: policy,
      enc_level: crypto === 'encrypted' ? 1 : 0,
      download_location: dir,
      move_completed: false,
      pre_allocate_storage: false,
      queue_new_to_top: false,
      max_active_downloading: -1,
      max_active_seeding: -1,
      max_active_limit: -1,
    };
    writeFileSync(join(config, 'core.conf'), JSON.stringify({ file: 1, format: 1 }) + JSON.stringify(core, null, 2));
    const secret = 'interop';
    writeFileSync(join(config, 'auth'), `localclient:${secret}:10\n`);
    scope.spawn('deluged', 'deluged', ['-c', config, '-d', '-p', String(rpcPort), '-u', '127.0.0.1', '-i', '127.0.0.1', '-L', 'error']);
    const console_ = async (command: string) =>
      (
        await run('deluge-console', ['-c', config, '-d', '127.0.0.1', '-p', String(rpcPort), '-U', 'localclient', '-P', secret, command], {
          encoding: 'utf8',
          // it waits for ever for a daemon that went away
          timeout: 60_000,
        })
      ).stdout;
    await waitFor(
      'deluged to answer',
      answers(() => console_('info')),
      60_000,
      500,
    );
    await console_(`add -p ${dir} ${fixture.torrentPath}`);
    return {
      host: '127.0.0.1',
      port: peerPort,
      payloadPath: join(dir, fixture.name),
      ready: (timeoutMs) =>
        waitFor(
          'Deluge to take peers',
          async () => (role === 'seed' ? /State: Seeding/ : /State: Downloading/).test(await console_('info -v').catch(() => '')),
          timeoutMs,
          300,
        ),
    };
  },
};
