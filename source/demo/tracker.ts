import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { encode } from '../engine/codec/bencode.js';

interface Peer {
  port: number;
  left: number;
  seenAt: number;
}

/** Percent-decoding to bytes (info_hash and peer_id are binary, not UTF-8). */
export function percentDecodeBytes(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '%' && i + 2 < text.length && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(ch === '+' ? 0x20 : ch.charCodeAt(0) & 0xff);
  }
  return Buffer.from(bytes);
}

function queryPairs(url: string): [string, string][] {
  const q = url.indexOf('?');
  if (q < 0) return [];
  return url
    .slice(q + 1)
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq < 0 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
    });
}

/**
 * A minimal HTTP tracker for the demo swarm, on 127.0.0.1 only: announce (compact peers,
 * everyone on loopback) and scrape. Peers are forgotten after two missed intervals.
 */
export class DemoTracker {
  private readonly server = http.createServer((req, res) => this.handle(req, res));
  private readonly swarms = new Map<string, Map<number, Peer>>();
  private readonly completed = new Map<string, number>();
  port = 0;

  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this.announceUrl;
  }

  get announceUrl(): string {
    return `http://127.0.0.1:${this.port}/announce`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = req.url ?? '/';
    const pairs = queryPairs(url);
    const hashes = pairs.filter(([k]) => k === 'info_hash').map(([, v]) => percentDecodeBytes(v).toString('hex'));
    let body: Buffer;
    if (url.startsWith('/announce')) body = this.announce(hashes[0], new Map(pairs));
    else if (url.startsWith('/scrape')) body = this.scrape(hashes);
    else body = encode(new Map([['failure reason', Buffer.from('not a tracker path')]]));
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
    res.end(body);
  }

  private announce(hash: string | undefined, query: Map<string, string>): Buffer {
    const port = Number(query.get('port'));
    if (!hash || hash.length !== 40 || !Number.isInteger(port) || port <= 0 || port > 65535) {
      return encode(new Map([['failure reason', Buffer.from('bad announce')]]));
    }
    let swarm = this.swarms.get(hash);
    if (!swarm) this.swarms.set(hash, (swarm = new Map()));
    const now = Date.now();
    for (const [p, peer] of swarm) if (now - peer.seenAt > 120_000) swarm.delete(p);
    const event = query.get('event');
    const left = Number(query.get('left') ?? 0);
    if (event === 'stopped') swarm.delete(port);
    else {
      if (event === 'completed') this.completed.set(hash, (this.completed.get(hash) ?? 0) + 1);
      swarm.set(port, { port, left, seenAt: now });
    }
    const others = [...swarm.values()].filter((p) => p.port !== port);
    const compact = Buffer.alloc(others.length * 6);
    others.forEach((p, i) => {
      compact.set([127, 0, 0, 1], i * 6);
      compact.writeUInt16BE(p.port, i * 6 + 4);
    });
    const { complete, incomplete } = this.counts(hash);
    return encode(
      new Map<string, number | Buffer>([
        ['interval', 60],
        ['min interval', 10],
        ['complete', complete],
        ['incomplete', incomplete],
        ['peers', compact],
      ]),
    );
  }

  private counts(hash: string): { complete: number; incomplete: number; downloaded: number } {
    const swarm = [...(this.swarms.get(hash)?.values() ?? [])];
    const complete = swarm.filter((p) => p.left === 0).length;
    return { complete, incomplete: swarm.length - complete, downloaded: this.completed.get(hash) ?? 0 };
  }

  private scrape(hashes: string[]): Buffer {
    const files = new Map<string, Map<string, number>>();
    for (const hash of hashes) {
      if (hash.length !== 40) continue;
      const c = this.counts(hash);
      files.set(
        Buffer.from(hash, 'hex').toString('latin1'),
        new Map([
          ['complete', c.complete],
          ['incomplete', c.incomplete],
          ['downloaded', c.downloaded],
        ]),
      );
    }
    return encode(new Map([['files', files]]));
  }
}
