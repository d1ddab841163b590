/**
 * transmission-daemon 3.00 with its own config directory, driven by transmission-remote. It never
 * dials 127.x peers (martian addresses), so on loopback btui dials it in both directions.
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

export const transmission: Client = {
  name: 'Transmission 3.00',
  missing: () => missingCommands('transmission-daemon', 'transmission-remote'),
  cryptos: ['plain', 'encrypted'],
  async start(scope, fixture, role, crypto) {
    const config = scope.tempDir('btui-interop-tr-');
    const dir = role === 'seed' ? fixture.seedDir : scope.tempDir('btui-interop-tr-data-');
    const rpcPort = await freePort();
    const peerPort = await freePort();
    writeFileSync(
      join(config, 'settings.json'),
      JSON.stringify({
        'bind-address-ipv4': '127.0.0.1',
        'rpc-bind-address': '127.0.0.1',
        'pex-enabled': false,
        'utp-enabled': false,
        'rename-partial-files': false,
        // 0 prefers plaintext (and takes it), 2 requires encryption
        encryption: crypto === 'encrypted' ? 2 : 0,
        'message-level': 1,
      }),
    );
    scope.spawn('transmission', 'transmission-daemon', [
      ...['-f', '-g', config, '-p', String(rpcPort), '-w', dir, '-P', String(peerPort)],
      ...['-O', '--no-dht', '--no-lpd', '--no-auth'],
    ]);
    const remote = async (...args: string[]) =>
      (await run('transmission-remote', [`127.0.0.1:${rpcPort}`, ...args], { encoding: 'utf8' })).stdout;
    await waitFor(
      'transmission-daemon to answer',
      answers(() => remote('-l')),
      15_000,
    );
    await remote('-a', fixture.torrentPath, '-w', dir);
    const info = () => remote('-t', '1', '-i').catch(() => '');
    return {
      host: '127.0.0.1',
      port: peerPort,
      payloadPath: join(dir, fixture.name),
      // It holds incoming handshakes for a torrent it is still checking.
      ready: (timeoutMs) =>
        waitFor(
          'transmission-daemon to check its copy',
          async () => (role === 'seed' ? /Percent Done: 100%/ : /State: (Idle|Downloading)/).test(await info()),
          timeoutMs,
          200,
        ),
    };
  },
};
