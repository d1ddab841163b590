// Run inside a private network namespace by lsd-ipv6.test.ts: two sessions bound to the two ends
// of a veth pair find each other over BEP 14's IPv6 group alone, and one downloads from the other.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from '../../source/engine/session/session.js';
import { randomTorrent, waitForDone, writeTorrentFiles } from './swarm.js';

const [seedAddress, leechAddress] = process.argv.slice(2) as [string, string];
const root = mkdtempSync(join(tmpdir(), 'btui-lsd6-'));
const { meta, data } = randomTorrent({ sizes: [400_000] });
writeTorrentFiles(join(root, 'seed'), meta, data);
const warnings: string[] = [];
const seeder = new Session({ host: seedAddress, port: 0, lsd: {} });
const leecher = new Session({ host: leechAddress, port: 0, lsd: {} });
for (const s of [seeder, leecher]) s.on('warning', (w: string) => warnings.push(w));
let result: Record<string, unknown>;
try {
  await seeder.listen();
  await leecher.listen();
  await seeder.add(meta, { directory: join(root, 'seed'), seedMode: true }).start();
  const leech = leecher.add(meta, { directory: join(root, 'leech') });
  await waitForDone(leech, 15_000);
  result = { done: leech.stats().progress === 1, peers: leech.peerStats().map((p) => p.host), warnings };
} catch (error) {
  result = { done: false, error: (error as Error).message, warnings };
}
await Promise.all([seeder.close(), leecher.close()]);
rmSync(root, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify(result)}\n`);
