/**
 * rtorrent 0.9.8 as a daemon (no terminal), configured with -o commands. It treats every peer on
 * one IP as the same peer, so it gets an address of its own (127.0.0.2). Its settings go in
 * $HOME/.rtorrent.rc (-o splits at commas, which several of them need). It writes a flag file
 * when its hash check is done: it takes peers from then on.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../../test/helpers/opentracker.js';
import type { Client } from '../client.js';
import { waitFor } from '../wait.js';
import { missingCommands } from './missing.js';

const HOST = '127.0.0.2';

export const rtorrent: Client = {
  name: 'rtorrent 0.9.8',
  missing: () => missingCommands('rtorrent'),
  cryptos: ['plain', 'encrypted'],
  async start(scope, fixture, role, crypto) {
    const home = scope.tempDir('btui-interop-rt-');
    const session = join(home, 'session');
    const dir = role === 'seed' ? fixture.seedDir : scope.tempDir('btui-interop-rt-data-');
    const checked = join(home, 'checked');
    const port = await freePort(HOST);
    const set = [
      'system.daemon.set=true',
      `session.path.set=${session}`,
      `directory.default.set=${dir}`,
      `network.bind_address.set=${HOST}`,
      `network.local_address.set=${HOST}`,
      `network.port_range.set=${port}-${port}`,
      'network.port_random.set=no',
      'dht.mode.set=off',
      'protocol.pex.set=no',
      'trackers.use_udp.set=no',
      `protocol.encryption.set=${crypto === 'encrypted' ? 'require,require_RC4,allow_incoming,try_outgoing' : 'none'}`,
      `method.set_key=event.download.hash_done,interop_checked,"execute.nothrow=touch,${checked}"`,
    ];
    mkdirSync(session, { recursive: true });
    writeFileSync(join(home, '.rtorrent.rc'), set.join('\n') + '\n');
    scope.spawn('rtorrent', 'rtorrent', [fixture.torrentPath], {
      env: { ...process.env, HOME: home, TERM: 'xterm' },
    });
    return {
      host: HOST,
      port,
      payloadPath: join(dir, fixture.name),
      ready: (timeoutMs) => waitFor('rtorrent to check its copy', () => existsSync(checked), timeoutMs, 200),
    };
  },
};
