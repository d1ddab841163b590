import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Session } from '../../../source/engine/session/session.js';
import type { ExtensionPeer, WireExtension } from '../../../source/engine/extensions/extension-api.js';
import { tempDir } from '../../helpers/tools.js';
import { randomTorrent, writeTorrentFiles } from '../../helpers/swarm.js';

/** Records what it sees; the leecher's side says hello on connect and the seeder echoes. */
function echoExtension(role: 'seeder' | 'leecher', log: string[]): WireExtension {
  return {
    name: 'x_echo',
    handshakeFields: () => ({ v: `echo-${role}` }),
    onPeer(peer: ExtensionPeer) {
      log.push(`${role}: peer ${peer.remote.v}`);
      if (role === 'leecher') peer.send(Buffer.from('hello'));
    },
    onMessage(peer, payload) {
      log.push(`${role}: got ${payload.toString()}`);
      if (role === 'seeder') peer.send(Buffer.from(`echo ${payload.toString()}`));
    },
  };
}

test('BEP 10 extensions are negotiated both ways and their messages routed by name', async (t) => {
  const { meta, data } = randomTorrent({ sizes: [50_000] });
  const dir = tempDir(t);
  writeTorrentFiles(dir, meta, data);
  const log: string[] = [];
  const seeder = new Session({ host: '127.0.0.1', port: 0 });
  const leecher = new Session({ host: '127.0.0.1', port: 0 });
  await seeder.listen();
  await leecher.listen();
  t.after(() => Promise.all([seeder.close(), leecher.close()]));
  await seeder.add(meta, { directory: dir, seedMode: true, extensions: [echoExtension('seeder', log)] }).start();
  const torrent = leecher.add(meta, { directory: tempDir(t), extensions: [echoExtension('leecher', log)] });
  await torrent.start();
  torrent.addPeers([{ host: '127.0.0.1', port: seeder.port }]);
  const deadline = Date.now() + 5000;
  while (!log.includes('leecher: got echo hello') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  // The remote's `v` is the client string from its handshake fields.
  assert.ok(log.includes('seeder: peer echo-leecher'), log.join('; '));
  assert.ok(log.includes('leecher: peer echo-seeder'), log.join('; '));
  assert.ok(log.includes('seeder: got hello'), log.join('; '));
  assert.ok(log.includes('leecher: got echo hello'), log.join('; '));
});
