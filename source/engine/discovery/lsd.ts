/**
 * BEP 14 local service discovery: torrents announce their info-hashes to a multicast group
 * on the local network and learn peers that announce the same ones. One instance serves all
 * torrents of a session; off unless a session creates one.
 */
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import type { PeerAddress } from './tracker/types.js';

export const LSD_GROUP = '239.192.152.143';
/** BEP 14's IPv6 group (site-local scope). */
export const LSD_GROUP6 = 'ff15::efc0:988f';
export const LSD_PORT = 6771;

export interface LsdOptions {
  /** Our BitTorrent listen port, announced in each message. */
  listenPort: () => number;
  /** IPv4 (the default) or IPv6: one instance speaks one family. */
  family?: 4 | 6;
  group?: string;
  port?: number;
  /**
   * The interface to send and join on; default: the system's choice. IPv4: a local address of
   * it; IPv6: `::%NAME`, the interface's name as a scope.
   */
  interface?: string;
  /** Bind to the group's address rather than 0.0.0.0 (a bound session holds no socket on another address). */
  bindGroup?: boolean;
  /** Time between regular announces of one torrent (BEP 14: about 5 minutes). */
  intervalMs?: number;
}

export interface LsdAnnounce {
  port: number;
  infoHashes: string[];
  cookie?: string;
}

const MAX_HASHES_PER_MESSAGE = 20;
/** Info-hashes read from one incoming message; the rest is ignored. */
const MAX_HASHES_READ = 50;
/** One peer's announce of one torrent is heeded at most this often. */
const MIN_HEED_GAP_MS = 60_000;

export function encodeLsd(message: LsdAnnounce, host: string): Buffer {
  const lines = ['BT-SEARCH * HTTP/1.1', `Host: ${host}`, `Port: ${message.port}`, ...message.infoHashes.map((h) => `Infohash: ${h}`)];
  if (message.cookie) lines.push(`cookie: ${message.cookie}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n\r\n`, 'latin1');
}

/** Parses a BT-SEARCH message; undefined for anything else. Header names are case-insensitive. */
export function decodeLsd(data: Buffer): LsdAnnounce | undefined {
  if (data.length > 1400) return undefined;
  const lines = data.toString('latin1').split(/\r?\n/);
  if (!/^BT-SEARCH \* HTTP\/1\.[01]$/.test(lines[0]!.trim())) return undefined;
  let port = 0;
  let cookie: string | undefined;
  const infoHashes: string[] = [];
  for (const line of lines.slice(1)) {
    const at = line.indexOf(':');
    if (at < 0) continue;
    const name = line.slice(0, at).trim().toLowerCase();
    const value = line.slice(at + 1).trim();
    if (name === 'port') port = /^\d{1,5}$/.test(value) ? Number(value) : 0;
    else if (name === 'cookie') cookie = value;
    else if (name === 'infohash' && /^[0-9a-f]{40}$/i.test(value) && infoHashes.length < MAX_HASHES_READ)
      infoHashes.push(value.toLowerCase());
  }
  if (port < 1 || port > 65535 || infoHashes.length === 0) return undefined;
  return { port, infoHashes, cookie };
}

export class LocalServiceDiscovery {
  private socket?: dgram.Socket;
  private readonly cookie = randomBytes(6).toString('hex');
  private readonly torrents = new Map<string, (peer: PeerAddress) => void>();
  private readonly heard = new Map<string, number>();
  private readonly group: string;
  private readonly port: number;
  private timer?: NodeJS.Timeout;
  private soon?: NodeJS.Timeout;

  constructor(private readonly options: LsdOptions) {
    this.group = options.group ?? (options.family === 6 ? LSD_GROUP6 : LSD_GROUP);
    this.port = options.port ?? LSD_PORT;
  }

  async start(): Promise<void> {
    if (this.socket) return;
    const socket =
      this.options.family === 6
        ? dgram.createSocket({ type: 'udp6', reuseAddr: true, ipv6Only: true })
        : dgram.createSocket({ type: 'udp4', reuseAddr: true });
    socket.on('message', (data, from) => this.onMessage(data, from.address));
    socket.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ port: this.port, address: this.options.bindGroup ? this.group : undefined }, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    try {
      socket.addMembership(this.group, this.options.interface);
      if (this.options.interface) socket.setMulticastInterface(this.options.interface);
      socket.setMulticastLoopback(true);
      socket.setMulticastTTL(1);
    } catch (error) {
      socket.close();
      throw error;
    }
    this.socket = socket;
    this.timer = setInterval(() => this.announce(), this.options.intervalMs ?? 300_000);
    this.timer.unref();
    if (this.torrents.size > 0) this.announceSoon();
  }

  /** Announces this torrent from now on and hands its peers to `onPeer`; returns the way out. */
  register(infoHashHex: string, onPeer: (peer: PeerAddress) => void): () => void {
    const key = infoHashHex.toLowerCase();
    this.torrents.set(key, onPeer);
    this.announceSoon();
    return () => {
      if (this.torrents.get(key) === onPeer) this.torrents.delete(key);
    };
  }

  close(): void {
    clearInterval(this.timer);
    clearTimeout(this.soon);
    this.socket?.close();
    this.socket = undefined;
    this.torrents.clear();
  }

  private announceSoon(): void {
    if (this.soon || !this.socket) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      this.announce();
    }, 200);
    this.soon.unref();
  }

  private announce(): void {
    const port = this.options.listenPort();
    if (!this.socket || !port) return;
    const hashes = [...this.torrents.keys()];
    for (let i = 0; i < hashes.length; i += MAX_HASHES_PER_MESSAGE) {
      const message = encodeLsd(
        { port, infoHashes: hashes.slice(i, i + MAX_HASHES_PER_MESSAGE), cookie: this.cookie },
        net.isIPv6(this.group) ? `[${this.group}]:${this.port}` : `${this.group}:${this.port}`,
      );
      this.socket.send(message, this.port, this.group);
    }
  }

  private onMessage(data: Buffer, host: string): void {
    const message = decodeLsd(data);
    if (!message || message.cookie === this.cookie) return;
    const now = Date.now();
    for (const hash of message.infoHashes) {
      const onPeer = this.torrents.get(hash);
      if (!onPeer) continue;
      const key = `${hash}|${host}|${message.port}`;
      if (now - (this.heard.get(key) ?? -Infinity) < MIN_HEED_GAP_MS) continue;
      this.heard.set(key, now);
      if (this.heard.size > 10_000) this.heard.clear();
      onPeer({ host, port: message.port });
    }
  }
}
