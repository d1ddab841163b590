// BEP 14 over IPv6: loopback carries no IPv6 multicast, so the test runs two sessions in a private
// network namespace joined by a veth pair (nothing outside the namespace sees a packet).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const probe = fileURLToPath(new URL('../../helpers/lsd6-probe.ts', import.meta.url));

test('LSD over IPv6: a leecher finds a seeder through the ff15::efc0:988f group alone and downloads from it', (t) => {
  const setup = [
    'ip link set lo up',
    'ip link add v0 type veth peer name v1',
    'ip link set v0 up',
    'ip link set v1 up',
    'ip -6 addr add fd01::1/64 dev v0 nodad',
    'ip -6 addr add fd01::2/64 dev v1 nodad',
  ].join(' && ');
  const check = spawnSync('unshare', ['-n', 'sh', '-c', setup], { encoding: 'utf8' });
  if (check.status !== 0) {
    t.skip(`no private network namespace here (needs root and iproute2): ${check.stderr.trim() || check.error?.message}`);
    return;
  }
  const run = spawnSync('unshare', ['-n', 'sh', '-c', `${setup} && exec "$0" --import tsx "$1" fd01::1 fd01::2`, process.execPath, probe], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(run.status, 0, `the probe failed: ${run.stderr}`);
  const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {
    done: boolean;
    peers: string[];
    warnings: string[];
    error?: string;
  };
  assert.ok(result.done, `not downloaded: ${run.stdout}`);
  assert.deepEqual(result.peers, ['fd01::1'], 'the seeder, found over IPv6');
  assert.deepEqual(
    result.warnings.filter((w) => /discovery/.test(w)),
    [],
    'both sides joined the IPv6 group',
  );
});
