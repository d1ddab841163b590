/** IPv6 between btui sessions on ::1: PEX's added6, the extension handshake's yourip/ipv6 (the dual-stack socket: bind-interface.test.ts, in a namespace). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ipBytes } from '../../../source/engine/extensions/ip-bytes.js';
import { globalIpv6 } from '../../../source/engine/session/own-address.js';
import { decodeExtensionHandshake, encodeExtensionHandshake, type ExtensionHandshake } from '../../../source/engine/wire/extension.js';
import { tempDir, until } from '../../helpers/tools.js';
import { randomTorrent, startSession as session, trackDownloads, waitForDone, writeTorrentFiles } from '../../helpers/swarm.js';

test('the extension handshake carries yourip and ipv6 (BEP 10), and parses them back', async (t) => {
  const h: ExtensionHandshake = { m: { ut_pex: 1 }, yourip: Buffer.from(ipBytes('::1')!), ipv6: Buffer.from(ipBytes('2001:db8::9')!) };
  assert.deepEqual(decodeExtensionHandshake(encodeExtensionHandshake(h)), h);
  assert.equal(
    decodeExtensionHandshake(encodeExtensionHandshake({ m: {}, ipv6: Buffer.alloc(4) })).ipv6,
    undefined,
    'not 16 bytes: ignored',
  );

  const { meta, data } = randomTorrent({ sizes: [40_000] });
  const dir = tempDir(t);
  writeTorrentFiles(dir, meta, data);
  const seen: ExtensionHandshake[] = [];
  const probe = { name: 'x_probe', onPeer: (p: { remote: ExtensionHandshake }) => seen.push(p.remote), onMessage: () => undefined };
  const a = await session(t, { host: '::1' });
  const b = await session(t, { host: '::1' });
  await a.add(meta, { directory: dir, seedMode: true, extensions: [probe] }).start();
  const leech = b.add(meta, { directory: tempDir(t), extensions: [probe] });
  leech.addPeers([{ host: '::1', port: a.port }]);
  await until('both extension handshakes', () => seen.length === 2);
  for (const remote of seen) {
    assert.deepEqual(remote.yourip && [...remote.yourip], [...ipBytes('::1')!], 'yourip: where the sender sees us');
    assert.deepEqual(remote.ipv6 && [...remote.ipv6], [...ipBytes('::1')!], "ipv6: the sender's own address");
  }
});

test('PEX over IPv6: a leecher told about one peer on ::1 hears of the seeders behind it in added6', async (t) => {
  const { meta, data } = randomTorrent({ sizes: [2_000_000], pieceLength: 64 * 1024 });
  const seedDir = tempDir(t);
  writeTorrentFiles(seedDir, meta, data);
  const seeders = await Promise.all([0, 1].map(() => session(t, { host: '::1' })));
  for (const s of seeders) await s.add(meta, { directory: seedDir, seedMode: true }).start();
  const tellerSession = await session(t, { host: '::1', downloadLimit: 64 * 1024 });
  const teller = tellerSession.add(meta, { directory: tempDir(t) });
  teller.addPeers(seeders.map((s) => ({ host: '::1', port: s.port })));
  await until('the teller to connect to every seeder', () => teller.stats().peers === 2);

  const leecherSession = await session(t, { host: '::1' });
  const leechDir = tempDir(t);
  const leech = leecherSession.add(meta, { directory: leechDir });
  const fromPeer = trackDownloads(leech);
  const done = waitForDone(leech, 30_000);
  leech.addPeers([{ host: '::1', port: tellerSession.port }]);
  await done;
  for (const f of meta.files) assert.ok(readFileSync(join(leechDir, ...f.path)).equals(data.subarray(f.offset, f.offset + f.length)));
  const fromOthers = [...fromPeer].filter(([id]) => !id.endsWith(`:${tellerSession.port}`)).map(([, n]) => n);
  assert.ok(fromOthers.filter((n) => n > 0).length >= 1, `downloaded from peers learned by PEX: ${fromOthers.join(', ')}`);
  // Only the teller was given, and every address here is IPv6: the others came in added6.
  assert.ok(leech.stats().knownPeers >= 3, `known peers ${leech.stats().knownPeers}`);
});

test('our IPv6 address for peers is a global one (2000::/3): never link-local, ULA or loopback', () => {
  const i = (address: string, internal = false) => ({ address, family: 'IPv6', internal, netmask: '', mac: '', cidr: null }) as never;
  assert.equal(globalIpv6({ lo: [i('::1', true)], eth0: [i('fe80::1'), i('fd00::2'), i('2001:db8::7')] }), '2001:db8::7');
  assert.equal(globalIpv6({ eth0: [i('fe80::1'), i('fd00::2')] }), undefined);
});
