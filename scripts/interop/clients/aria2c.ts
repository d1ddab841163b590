/** aria2c: a seeder that checks the data it is given, or a leecher; MSE/PE through bt-require-crypto. */
import { join } from 'node:path';
import { freePort } from '../../../test/helpers/opentracker.js';
import type { Client } from '../client.js';
import { waitFor } from '../wait.js';
import { missingCommands } from './missing.js';
import { listening } from './listening.js';

export const aria2c: Client = {
  name: 'aria2c',
  missing: () => missingCommands('aria2c'),
  cryptos: ['plain', 'encrypted'],
  async start(scope, fixture, role, crypto) {
    const port = await freePort();
    const dir = role === 'seed' ? fixture.seedDir : scope.tempDir('btui-interop-aria2-');
    scope.spawn('aria2c', 'aria2c', [
      `--dir=${dir}`,
      ...(role === 'seed' ? ['--check-integrity=true', '--bt-seed-unverified=false'] : []),
      // a seeder seeds whatever the ratio; a leecher stops when it has everything
      ...(role === 'seed' ? ['--seed-ratio=0.0'] : ['--seed-time=0']),
      '--enable-dht=false',
      '--enable-dht6=false',
      '--bt-enable-lpd=false',
      '--enable-peer-exchange=false',
      '--file-allocation=none',
      `--listen-port=${port}`,
      '--summary-interval=0',
      '--console-log-level=notice',
      ...(crypto === 'encrypted' ? ['--bt-require-crypto=true', '--bt-min-crypto-level=arc4'] : []),
      fixture.torrentPath,
    ]);
    return {
      host: '127.0.0.1',
      port,
      payloadPath: join(dir, fixture.name),
      // aria2c listens once its check of the existing data is done.
      ready: (timeoutMs) => waitFor('aria2c to listen', listening('127.0.0.1', port), timeoutMs),
    };
  },
};
