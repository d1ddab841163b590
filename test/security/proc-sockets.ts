/** Which sockets a process holds open for listening, read from /proc (Linux). */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { formatIPv6 } from '../../source/engine/discovery/tracker/compact.js';

/** The TCP port process `pid` listens on, from /proc (socket inodes of its fds matched in /proc/net/tcp). */
export function listeningPort(pid: number): number {
  const ports = listeningSockets(pid)
    .filter((s) => s.proto === 'tcp')
    .map((s) => s.port);
  assert.equal(ports.length, 1, `listening TCP ports of ${pid}: ${ports.join(', ')}`);
  return ports[0]!;
}

export interface SocketInfo {
  proto: 'tcp' | 'tcp6' | 'udp' | 'udp6';
  address: string;
  port: number;
}

/** Listening TCP sockets and bound UDP sockets owned by `pid`; with `all`, connected TCP ones too. */
export function listeningSockets(pid: number, options: { all?: boolean } = {}): SocketInfo[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  const out: SocketInfo[] = [];
  for (const proto of ['tcp', 'tcp6', 'udp', 'udp6'] as const) {
    let text: string;
    try {
      text = readFileSync(`/proc/net/${proto}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.trim().split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const [local, , state] = [cols[1]!, cols[2]!, cols[3]!];
      const inode = cols[9]!;
      if (!inodes.has(inode)) continue;
      // 0A = LISTEN for TCP; UDP sockets are listed when bound (state 07).
      if (proto.startsWith('tcp') && state !== '0A' && !options.all) continue;
      const [hex, port] = local.split(':');
      out.push({ proto, address: hexAddress(hex!), port: parseInt(port!, 16) });
    }
  }
  return out;
}

/** /proc's hex: IPv4 as one little-endian word, IPv6 as four. */
function hexAddress(hex: string): string {
  if (hex.length === 8) return [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');
  const bytes = new Uint8Array(16);
  for (let word = 0; word < 4; word++)
    for (let i = 0; i < 4; i++) bytes[word * 4 + i] = parseInt(hex.slice(word * 8 + (3 - i) * 2, word * 8 + (3 - i) * 2 + 2), 16);
  return formatIPv6(bytes);
}
