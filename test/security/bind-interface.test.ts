/**
 * Each test runs in a network namespace of its own with a veth pair (root only: skipped
 * elsewhere, a failure under CI, where the tests run as root).
 *
 * Promise: `--interface NAME` stops all traffic when NAME loses its address (no socket left
 * open, no byte more downloaded, a warning saying so) and resumes when the address returns.
 * And the default listen socket takes IPv4 and IPv6 on one port (tested here because a
 * namespace is the one place where listening on every address exposes nothing).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { CLI } from '../helpers/cli.js';
import { tempDir, until } from '../helpers/tools.js';

function ip(...args: string[]): void {
  const result = spawnSync('ip', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ip ${args.join(' ')}: ${result.stderr || result.error?.message}`);
}

/** A namespace with veth0 (10.77.0.1, the one btui binds to) and veth1 (10.77.1.1, the seeder's); undefined when unavailable. */
function namespace(t: TestContext): string | undefined {
  const name = `btui-test-${process.pid}-${randomBytes(3).toString('hex')}`;
  try {
    if (process.getuid?.() !== 0) throw new Error('not root');
    ip('netns', 'add', name);
  } catch (error) {
    if (process.env.CI) throw new Error(`a network namespace is needed in CI: ${(error as Error).message}`);
    t.skip(`no network namespace here (${(error as Error).message})`);
    return undefined;
  }
  t.after(() => ip('netns', 'del', name));
  ip('-n', name, 'link', 'set', 'lo', 'up');
  ip('-n', name, 'link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth1');
  ip('-n', name, 'addr', 'add', '10.77.0.1/24', 'dev', 'veth0');
  ip('-n', name, 'addr', 'add', '10.77.1.1/24', 'dev', 'veth1');
  ip('-n', name, 'link', 'set', 'veth0', 'up');
  ip('-n', name, 'link', 'set', 'veth1', 'up');
  return name;
}

function inNamespace(t: TestContext, ns: string, args: string[]) {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, CLI, ...args], {
    env: { ...process.env, BTUI_HOME: tempDir(t) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let pending = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    let at: number;
    while ((at = pending.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(pending.slice(0, at)) as Record<string, unknown>);
      pending = pending.slice(at + 1);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  t.after(() => child.kill('SIGKILL'));
  return { child, lines, stderr: () => stderr };
}

/** Internet sockets (TCP, UDP, either family) process `pid` holds, as its own namespace lists them; stdio socketpairs do not count. */
function socketCount(pid: number): number {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  let count = 0;
  for (const proto of ['tcp', 'tcp6', 'udp', 'udp6']) {
    for (const line of readFileSync(`/proc/${pid}/net/${proto}`, 'utf8').trim().split('\n').slice(1))
      if (inodes.has(line.trim().split(/\s+/)[9]!)) count++;
  }
  return count;
}

test(
  '--interface: traffic stops while the interface has no address (no socket, no byte, a warning) and resumes when it returns',
  { timeout: 90_000 },
  async (t) => {
    const ns = namespace(t);
    if (!ns) return;
    const dir = tempDir(t);
    const data = randomBytes(6_000_000);
    writeFileSync(join(dir, 'big.bin'), data);
    const seeder = inNamespace(t, ns, ['serve', '-f', join(dir, 'big.bin'), '--host', '10.77.1.1', '--port', '0', '--no-dht', '--json']);
    await until('the magnet', () => seeder.lines.length > 0, 15_000);
    const magnet = String(seeder.lines[0]!.magnet);
    const out = tempDir(t);
    const leecher = inNamespace(t, ns, [
      'download',
      magnet,
      '-o',
      out,
      '--interface',
      'veth0',
      '--port',
      '0',
      '--no-dht',
      '--download-limit',
      '600',
      '--json',
    ]);
    const completed = () => Number([...leecher.lines].reverse().find((l) => l.event === 'progress')?.completed ?? 0);
    const warned = (pattern: RegExp) => leecher.lines.some((l) => l.event === 'warning' && pattern.test(String(l.message)));
    await until('some data', () => completed() > 500_000, 20_000).catch((e: Error) => {
      throw new Error(`${e.message}: ${leecher.stderr()}`);
    });

    ip('-n', ns, 'addr', 'del', '10.77.0.1/24', 'dev', 'veth0');
    await until('the warning', () => warned(/network down: interface veth0 has no address/), 10_000);
    await until('every socket closed', () => socketCount(leecher.child.pid!) === 0, 5000);
    // Progress lines come once a second: the next one may still count pieces that arrived before.
    await new Promise((r) => setTimeout(r, 1500));
    const before = completed();
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(socketCount(leecher.child.pid!), 0, 'no socket opened while the interface is down');
    assert.ok(completed() - before < 100_000, `downloaded ${completed() - before} bytes while the interface was down`);
    assert.ok(completed() < data.length, 'not finished while down');

    ip('-n', ns, 'addr', 'add', '10.77.0.1/24', 'dev', 'veth0');
    await until('the network back', () => warned(/network back: interface veth0 is 10\.77\.0\.1/), 10_000);
    const exited = new Promise<number | null>((resolve) => leecher.child.once('close', resolve));
    const late = new Promise<string>((resolve) => setTimeout(() => resolve('still running'), 40_000).unref());
    const end = await Promise.race([exited, late]);
    assert.equal(end, 0, `${leecher.stderr()} ${JSON.stringify(leecher.lines.slice(-3))}`);
    assert.ok(readFileSync(join(out, 'big.bin')).equals(data));
  },
);

test('no --host: one dual-stack port takes IPv4 and IPv6 peers (in a namespace of its own)', { timeout: 60_000 }, async (t) => {
  const ns = namespace(t);
  if (!ns) return;
  const dir = tempDir(t);
  const data = randomBytes(300_000);
  writeFileSync(join(dir, 'both.bin'), data);
  const seeder = inNamespace(t, ns, ['serve', '-f', join(dir, 'both.bin'), '--port', '0', '--no-dht', '--json']);
  await until('the magnet', () => seeder.lines.length > 0, 15_000);
  const { infoHash } = seeder.lines[0] as { infoHash: string };
  const port = listeningPorts(seeder.child.pid!).find((p) => p.proto === 'tcp6' && p.address === '::')?.port;
  assert.ok(port, `listening on [::]: ${JSON.stringify(listeningPorts(seeder.child.pid!))}`);
  for (const [host, peer] of [
    ['127.0.0.1', `127.0.0.1:${port}`],
    ['::1', `[::1]:${port}`],
  ]) {
    const out = tempDir(t);
    const leecher = inNamespace(t, ns, [
      'download',
      infoHash,
      '--peer',
      peer!,
      '--host',
      host!,
      '--port',
      '0',
      '--no-dht',
      '-o',
      out,
      '--json',
    ]);
    const code = await new Promise<number | null>((resolve) => leecher.child.once('close', resolve));
    assert.equal(code, 0, `over ${host}: ${leecher.stderr()}`);
    assert.ok(readFileSync(join(out, 'both.bin')).equals(data));
  }
});

/** Listening TCP sockets of `pid`, from its own namespace's /proc/PID/net. */
function listeningPorts(pid: number): { proto: string; address: string; port: number }[] {
  const out = [];
  for (const proto of ['tcp', 'tcp6']) {
    for (const line of readFileSync(`/proc/${pid}/net/${proto}`, 'utf8').trim().split('\n').slice(1)) {
      const [local, , state] = line.trim().split(/\s+/).slice(1);
      if (state !== '0A') continue;
      const [hex, port] = local!.split(':');
      out.push({ proto, address: /^0+$/.test(hex!) ? (proto === 'tcp' ? '0.0.0.0' : '::') : hex!, port: parseInt(port!, 16) });
    }
  }
  return out;
}
