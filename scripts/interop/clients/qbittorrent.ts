/**
 * qbittorrent-nox 4.5 with its own profile directory, driven by its Web API (authentication off
 * for localhost). Session\Encryption: 0 prefer, 1 require, 2 off.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../../test/helpers/opentracker.js';
import type { Client } from '../client.js';
import { answers, waitFor } from '../wait.js';
import { missingCommands } from './missing.js';

export const qbittorrent: Client = {
  name: 'qBittorrent 4.5',
  missing: () => missingCommands('qbittorrent-nox'),
  cryptos: ['plain', 'encrypted'],
  async start(scope, fixture, role, crypto) {
    const profile = scope.tempDir('btui-interop-qb-');
    const dir = role === 'seed' ? fixture.seedDir : scope.tempDir('btui-interop-qb-data-');
    const webPort = await freePort();
    const peerPort = await freePort();
    const configDir = join(profile, 'qBittorrent', 'config');
    mkdirSync(configDir, { recursive: true });
    writeFileSync(
      join(configDir, 'qBittorrent.conf'),
      [
        '[LegalNotice]',
        'Accepted=true',
        '[BitTorrent]',
        `Session\\Port=${peerPort}`,
        `Session\\Encryption=${crypto === 'encrypted' ? 1 : 2}`,
        'Session\\Interface=lo',
        'Session\\InterfaceName=lo',
        'Session\\InterfaceAddress=127.0.0.1',
        'Session\\DHTEnabled=false',
        'Session\\LSDEnabled=false',
        'Session\\PeXEnabled=false',
        'Session\\QueueingSystemEnabled=false',
        'Session\\TempPathEnabled=false',
        'Session\\AddExtensionToIncompleteFiles=false',
        'Session\\Preallocation=false',
        `Session\\DefaultSavePath=${dir}`,
        '[Preferences]',
        'Connection\\UPnP=false',
        'WebUI\\Address=127.0.0.1',
        `WebUI\\Port=${webPort}`,
        'WebUI\\LocalHostAuth=false',
        'WebUI\\CSRFProtection=false',
        'WebUI\\HostHeaderValidation=false',
        '',
      ].join('\n'),
    );
    scope.spawn('qbittorrent', 'qbittorrent-nox', [`--profile=${profile}`, `--webui-port=${webPort}`], {
      env: { ...process.env, HOME: profile },
    });
    const api = `http://127.0.0.1:${webPort}/api/v2`;
    await waitFor(
      'qbittorrent-nox to answer',
      answers(() => fetch(`${api}/app/version`).then((r) => r.ok || Promise.reject())),
      45_000,
      200,
    );
    const form = new FormData();
    form.append('torrents', new Blob([readFileSync(fixture.torrentPath)]), 'interop.torrent');
    form.append('savepath', dir);
    if (role === 'seed') form.append('skip_checking', 'true');
    const added = await fetch(`${api}/torrents/add`, { method: 'POST', body: form });
    if (!added.ok) throw new Error(`qBittorrent refused the torrent: ${added.status} ${await added.text()}`);
    const state = async () => {
      const list = (await (await fetch(`${api}/torrents/info`)).json()) as { state: string; progress: number }[];
      return list[0];
    };
    return {
      host: '127.0.0.1',
      port: peerPort,
      payloadPath: join(dir, fixture.name),
      ready: (timeoutMs) =>
        waitFor(
          'qBittorrent to take peers',
          async () => {
            const s = await state().catch(() => undefined);
            if (!s) return false;
            return role === 'seed' ? s.progress === 1 && /UP$/.test(s.state) : /^(stalledDL|downloading)$/.test(s.state);
          },
          timeoutMs,
          200,
        ),
    };
  },
};
