/**
 * Promise: a bound session (--bind ADDR, --interface NAME) sends from that address only.
 * Every peer, tracker (HTTP and UDP), DHT and web-seed contact is checked on the receiving
 * side (the remote address each test server saw), and every socket the process holds
 * is on the bound address. While the address is gone nothing is sent; when it returns the
 * session listens again.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { encode } from '../../source/engine/codec/bencode.js';
import { ipBytes } from '../../source/engine/extensions/ip-bytes.js';
import { Session } from '../../source/engine/session/session.js';
import { bindTargetFrom } from '../../source/engine/transport/bind-target.js';
import { NetworkBinding } from '../../source/engine/transport/binding.js';
import { resolveBindTarget } from '../../source/engine/transport/binding-watcher.js';
import { CLI } from '../helpers/cli.js';
import { randomTorrent } from '../helpers/swarm.js';
import { tempDir, until } from '../helpers/tools.js';
import { listeningSockets } from './proc-sockets.js';

const info = (address: string, family: 'IPv4' | 'IPv6') =>
  ({ address, family, netmask: '', mac: '', internal: false, cidr: null }) as never;

test('bind targets: an interface stands for its IPv4 address, else a global IPv6 one; gone when it has none', () => {
  const up = {
    tun0: [info('fe80::1', 'IPv6'), info('2001:db8::5', 'IPv6'), info('10.8.0.2', 'IPv4')],
    eth0: [info('192.168.1.9', 'IPv4')],
  };
  assert.equal(resolveBindTarget({ interface: 'tun0' }, up), '10.8.0.2');
  assert.equal(resolveBindTarget({ interface: 'tun0' }, { tun0: [info('fe80::1', 'IPv6'), info('2001:db8::5', 'IPv6')] }), '2001:db8::5');
  assert.equal(resolveBindTarget({ interface: 'tun0' }, { tun0: [info('fe80::1', 'IPv6')] }), undefined, 'link-local only: down');
  assert.equal(resolveBindTarget({ interface: 'tun0' }, { eth0: up.eth0 }), undefined, 'interface gone: down, never eth0');
  assert.equal(resolveBindTarget({ address: '10.8.0.2' }, up), '10.8.0.2');
  assert.equal(resolveBindTarget({ address: '10.8.0.2' }, { eth0: up.eth0 }), undefined);
  assert.equal(resolveBindTarget({ address: '127.0.0.2' }, {}), '127.0.0.2', 'all of 127/8 is loopback');

  assert.deepEqual(bindTargetFrom({ bind: '[::1]' }), { address: '::1' });
  assert.deepEqual(bindTargetFrom({ interface: 'wg0' }), { interface: 'wg0' });
  assert.equal(bindTargetFrom({ bind: '', interface: '' }), undefined);
  assert.throws(() => bindTargetFrom({ bind: 'vpn.example' }), /not an IP address/);
  assert.throws(() => bindTargetFrom({ bind: '0.0.0.0' }), /binds nothing/);
  assert.throws(() => bindTargetFrom({ bind: '10.0.0.1', interface: 'tun0' }), /not both/);

  const binding = new NetworkBinding('interface tun0', '10.8.0.2');
  assert.equal(binding.localFor('1.2.3.4'), '10.8.0.2');
  assert.throws(() => binding.localFor('2001:db8::1'), /not reachable from 10\.8\.0\.2/, 'no other family, which would leave unbound');
  binding.set(undefined);
  assert.throws(() => binding.require(), /network down: interface tun0 has no address/);
});

test('a bound session closes everything while its address is gone, sends nothing, and listens again when it returns', async (t) => {
  const binding = new NetworkBinding('interface test0', '127.0.0.2');
  const session = new Session({ bind: binding, port: 0 });
  const warnings: string[] = [];
  session.on('warning', (w) => warnings.push(w));
  t.after(() => session.close());
  const port = await session.listen();
  const peer = net.connect(port, '127.0.0.2');
  await new Promise((resolve) => peer.once('connect', resolve));
  const closed = new Promise((resolve) => peer.once('close', resolve));
  peer.on('error', () => undefined);

  binding.set(undefined);
  await until('the warning', () => warnings.some((w) => /network down: interface test0 has no address/.test(w)), 5000);
  await closed;
  const refused = net.connect(port, '127.0.0.2');
  await new Promise<void>((resolve, reject) => {
    refused.once('error', () => resolve());
    refused.once('connect', () => reject(new Error('still listening while the network is down')));
  });
  // Nothing leaves: a torrent started now gets no announce out, and says why.
  const rec = new Recorders(t);
  const { meta } = randomTorrent({ sizes: [1000] });
  meta.announce = [[`http://127.0.0.1:${await rec.http('tracker', '127.0.0.1')}/announce`]];
  const torrent = session.add(meta, { directory: tempDir(t) });
  await until('the announce failed', () => torrent.trackerStats().some((s) => /network down/.test(s.lastError ?? '')), 5000);
  torrent.addPeers([{ host: '127.0.0.1', port: await rec.tcp('peer', '127.0.0.1') }]);
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual([...rec.seen.keys()], [], 'nothing reached the tracker or the peer');

  binding.set('127.0.0.3');
  await until('listening again', () => warnings.some((w) => /network back: interface test0 is 127\.0\.0\.3/.test(w)), 5000);
  const again = net.connect(session.port, '127.0.0.3');
  await new Promise((resolve, reject) => {
    again.once('connect', resolve);
    again.once('error', reject);
  });
  again.destroy();
  assert.equal(session.port, port, 'the same port when it is free');
  await until('the tracker and the peer reached from the new address', () => rec.seen.has('tracker') && rec.seen.has('peer'), 10_000).catch(
    (e: Error) => {
      throw new Error(
        `${e.message}: ${JSON.stringify([...rec.seen.keys()])} ${JSON.stringify(torrent.trackerStats())} ${torrent.isRunning} ${torrent.state}`,
      );
    },
  );
  assert.deepEqual([...rec.seen.get('tracker')!], ['127.0.0.3']);
  assert.deepEqual([...rec.seen.get('peer')!], ['127.0.0.3']);
});

/** Test servers that note the remote address of everything that reaches them. */
class Recorders {
  readonly seen = new Map<string, Set<string>>();
  private closers: (() => void)[] = [];

  constructor(t: TestContext) {
    t.after(() => this.closers.forEach((close) => close()));
  }

  private note(name: string, address: string): void {
    const set = this.seen.get(name) ?? new Set();
    set.add(address.replace(/^::ffff:/, ''));
    this.seen.set(name, set);
  }

  async tcp(name: string, host: string): Promise<number> {
    const server = net.createServer((socket) => {
      this.note(name, socket.remoteAddress!);
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    this.closers.push(() => server.close());
    return (server.address() as net.AddressInfo).port;
  }

  async udp(name: string, host: string): Promise<number> {
    const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    socket.on('message', (_, rinfo) => this.note(name, rinfo.address));
    await new Promise<void>((resolve) => socket.bind(0, host, resolve));
    this.closers.push(() => socket.close());
    return socket.address().port;
  }

  /** An HTTP tracker (replies with `peer`, compact), a .torrent's server (`file`) or a web seed (404). */
  async http(name: string, host: string, peer?: { host: string; port: number }, file?: Buffer): Promise<number> {
    const server = http.createServer((req, res) => {
      this.note(name, req.socket.remoteAddress!);
      if (file) return res.end(file);
      if (!peer) return res.writeHead(404).end();
      const compact = Buffer.concat([ipBytes(peer.host)!, Buffer.from([peer.port >> 8, peer.port & 255])]);
      const key = net.isIPv6(peer.host) ? 'peers6' : 'peers';
      res.end(
        encode(
          new Map<string, number | Buffer>([
            ['interval', 1800],
            [key, compact],
          ]),
        ),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    this.closers.push(() => server.close());
    return (server.address() as net.AddressInfo).port;
  }
}

/** Every contact a `btui download` can make, on `hosts`; returns the flags and the torrent. */
async function swarmOfRecorders(t: TestContext, rec: Recorders, hosts: string[]) {
  const { meta } = randomTorrent({ sizes: [50_000] });
  const args: string[] = [];
  const trackers: string[] = [];
  const webSeeds: string[] = [];
  for (const host of hosts) {
    const url = net.isIPv6(host) ? `[${host}]` : host;
    const peerPort = await rec.tcp(`peer ${host}`, host);
    const trackerPeerPort = await rec.tcp(`tracker's peer ${host}`, host);
    trackers.push(`http://${url}:${await rec.http(`http tracker ${host}`, host, { host, port: trackerPeerPort })}/announce`);
    trackers.push(`udp://${url}:${await rec.udp(`udp tracker ${host}`, host)}`);
    webSeeds.push(`http://${url}:${await rec.http(`web seed ${host}`, host)}/`);
    args.push('--dht-bootstrap', `${url}:${await rec.udp(`dht ${host}`, host)}`, '--peer', `${url}:${peerPort}`);
  }
  meta.raw.set(
    'announce-list',
    trackers.map((u) => [Buffer.from(u)]),
  );
  meta.raw.set(
    'url-list',
    webSeeds.map((u) => Buffer.from(u)),
  );
  const dir = tempDir(t);
  const torrentPath = join(dir, 'x.torrent');
  writeFileSync(torrentPath, encode(meta.raw));
  return { args: ['-o', dir, ...args], torrentPath, torrent: encode(meta.raw) };
}

async function runBound(t: TestContext, args: string[], done: () => boolean) {
  const child = spawn(process.execPath, [CLI, 'download', ...args, '--json'], {
    env: { ...process.env, BTUI_HOME: tempDir(t) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr.on('data', (b: Buffer) => (output += b.toString()));
  t.after(() => child.kill('SIGKILL'));
  await until('every test server reached', done, 20_000).catch((error: Error) => {
    throw new Error(`${error.message}; btui said: ${output.slice(-1500)}`);
  });
  const sockets = listeningSockets(child.pid!, { all: true });
  child.kill('SIGKILL');
  return sockets;
}

test(
  'exposure: `btui download --bind 127.0.0.2` fetches the .torrent URL and reaches peers, trackers (HTTP, UDP), the DHT and web seeds from 127.0.0.2 only',
  { timeout: 60_000 },
  async (t) => {
    const rec = new Recorders(t);
    const { args, torrent } = await swarmOfRecorders(t, rec, ['127.0.0.1']);
    // The .torrent itself comes from a URL: that request leaves from the bound address too.
    args.unshift(`http://127.0.0.1:${await rec.http('.torrent URL 127.0.0.1', '127.0.0.1', undefined, torrent)}/x.torrent`);
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const kinds = ['.torrent URL', 'peer', "tracker's peer", 'http tracker', 'udp tracker', 'dht', 'web seed'].map((k) => `${k} 127.0.0.1`);
    const sockets = await runBound(t, [...args, '--bind', '127.0.0.2', '--port', String(port)], () => kinds.every((k) => rec.seen.has(k)));
    for (const [name, from] of rec.seen) assert.deepEqual([...from], ['127.0.0.2'], `${name} was reached from ${[...from].join(', ')}`);
    const listed = sockets.map((s) => `${s.proto} ${s.address}:${s.port}`);
    assert.ok(listed.includes(`tcp 127.0.0.2:${port}`) && listed.includes(`udp 127.0.0.2:${port}`), listed.join(', '));
    assert.deepEqual(
      listed.filter((s) => !/ 127\.0\.0\.2:/.test(s)),
      [],
      'every socket on 127.0.0.2',
    );
  },
);

test(
  'exposure: `btui download --bind ::1` reaches the IPv6 swarm from ::1 (HTTP peers6, UDP tracker and DHT over IPv6) and nothing on IPv4',
  { timeout: 60_000 },
  async (t) => {
    const rec = new Recorders(t);
    const { args, torrentPath } = await swarmOfRecorders(t, rec, ['::1', '127.0.0.1']);
    args.unshift('-t', torrentPath);
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const kinds = ['peer', "tracker's peer", 'http tracker', 'udp tracker', 'dht', 'web seed'].map((k) => `${k} ::1`);
    const sockets = await runBound(t, [...args, '--bind', '::1', '--port', String(port)], () => kinds.every((k) => rec.seen.has(k)));
    // A moment more for anything that would go to the IPv4 servers.
    await new Promise((r) => setTimeout(r, 500));
    for (const [name, from] of rec.seen) assert.deepEqual([...from], ['::1'], `${name} was reached from ${[...from].join(', ')}`);
    assert.equal([...rec.seen.keys()].filter((k) => k.endsWith('127.0.0.1')).length, 0, 'no IPv4 server reached');
    const listed = sockets.map((s) => `${s.proto} ${s.address}:${s.port}`);
    assert.ok(listed.includes(`tcp6 ::1:${port}`) && listed.includes(`udp6 ::1:${port}`), listed.join(', '));
    assert.deepEqual(
      listed.filter((s) => !/ ::1:/.test(s)),
      [],
      'every socket on ::1',
    );
  },
);
