/**
 * BEP 5 DHT node (the bittorrent-dht package) behind a packet gate (dht-guard.ts): find
 * peers for an info-hash, announce ourselves, keep the routing table across runs.
 */
import { EventEmitter } from 'node:events';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { dirname } from 'node:path';
import type DHT from 'bittorrent-dht';
import { importModule } from '../../esm-import.js';
import { GuardedSocket, type SharedUdp } from './dht-guard.js';
import { Ipv6DhtSocket } from './dht-ipv6.js';
import type { PeerAddress } from './tracker/types.js';

import { parseNodeAddress } from './dht-address.js';

export { DEFAULT_DHT_BOOTSTRAP, parseNodeAddress } from './dht-address.js';

export interface DhtOptions {
  /** HOST:PORT of nodes to start from (no default here: the caller decides, so tests never reach the internet). */
  bootstrap: string[];
  /** Where the routing table is saved on close and loaded on listen. */
  nodesFile?: string;
  nodeId?: Buffer;
  /** Per-query timeout (the library retries within it); default 2000 ms. */
  queryTimeoutMs?: number;
  /** 6: the IPv6 DHT of BEP 32 (its own socket, routing table and nodes file); default 4. */
  family?: 4 | 6;
  /** The listen port's UDP socket of the DHT's family, shared with uTP; without it the DHT binds its own. */
  udp?: SharedUdp;
}

const MAX_SAVED_NODES = 300;

export class Dht extends EventEmitter {
  private readonly socket: GuardedSocket | Ipv6DhtSocket;
  private readonly dht: DHT;
  private boundPort = 0;
  private readonly namedNodes: PeerAddress[];
  private closed = false;

  /**
   * Call listen() in the same tick: the library starts bootstrapping on the next one. The
   * library is an ES module only, imported here rather than at the top, so that the built
   * CLI's CommonJS bundles can hold this file (see esm-import.ts).
   */
  static async create(options: DhtOptions): Promise<Dht> {
    const { default: library } = await importModule<typeof import('bittorrent-dht')>('bittorrent-dht');
    return new Dht(library, options);
  }

  private constructor(
    library: typeof DHT,
    private readonly options: DhtOptions,
  ) {
    super();
    this.socket = options.family === 6 ? new Ipv6DhtSocket(options.udp) : new GuardedSocket('udp4', options.udp);
    const nodes = options.bootstrap.map(parseNodeAddress);
    // The library resolves names itself, to IPv4: the IPv6 DHT resolves its own (see listen()).
    const bootstrap = nodes.filter((node) => isIP(node.host) === this.family || (this.family === 4 && isIP(node.host) === 0));
    this.namedNodes = this.family === 6 ? nodes.filter((node) => isIP(node.host) === 0) : [];
    this.dht = new library({
      bootstrap: bootstrap.map((node) => this.toLibrary(node)),
      nodeId: options.nodeId,
      socket: this.socket,
      timeout: options.queryTimeoutMs,
    });
    // The library reports unexpected replies and send failures as warnings: nothing to act on.
    this.dht.on('warning', () => undefined);
    this.dht.on('error', (error: Error) => this.emit('warning', `DHT: ${error.message}`));
  }

  get port(): number {
    return this.boundPort;
  }

  get family(): 4 | 6 {
    return this.options.family ?? 4;
  }

  /** The IPv6 DHT's library sees stand-in IPv4 addresses (dht-ipv6.ts); a name is left for it to resolve. */
  private toLibrary(node: PeerAddress): PeerAddress {
    if (!(this.socket instanceof Ipv6DhtSocket) || isIP(node.host) !== 6) return node;
    return { host: this.socket.addresses.standIn(node.host), port: node.port };
  }

  private fromLibrary(node: PeerAddress): PeerAddress | undefined {
    if (!(this.socket instanceof Ipv6DhtSocket)) return node;
    const host = this.socket.addresses.real(node.host);
    return host === undefined ? undefined : { host, port: node.port };
  }

  get nodeId(): Buffer {
    return this.dht.nodeId;
  }

  /** Packets the gate refused (malformed or hostile). */
  get droppedPackets(): number {
    return this.socket.dropped;
  }

  nodeCount(): number {
    return this.closed ? 0 : this.dht.nodes.count();
  }

  /** Binds UDP on `port` (falling back to any port when it is taken) and loads saved nodes. */
  async listen(port: number, host?: string): Promise<number> {
    try {
      await this.bind(port, host);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0) throw error;
      await this.bind(0, host);
    }
    for (const node of await this.loadNodes()) this.dht.addNode(this.toLibrary(node));
    for (const node of this.namedNodes) {
      lookup(node.host, { family: 6 }).then(
        ({ address }) => this.closed || this.dht.addNode(this.toLibrary({ host: address, port: node.port })),
        () => undefined, // no IPv6 address for it
      );
    }
    return this.boundPort;
  }

  private bind(port: number, host?: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.socket.once('error', onError);
      this.socket.once('listening', () => {
        this.socket.off('error', onError);
        this.boundPort = this.socket.address().port;
        resolve();
      });
      this.dht.listen(port, host);
    });
  }

  /** A recursive get_peers; `onPeer` hears each peer found. Resolves when the lookup ends. */
  findPeers(infoHash: Buffer, onPeer: (peer: PeerAddress) => void): Promise<void> {
    if (this.closed) return Promise.resolve();
    const listener = (peer: PeerAddress, hash: Buffer) => {
      const found = this.fromLibrary(peer);
      if (Buffer.from(hash).equals(infoHash) && found && found.port > 0) onPeer(found);
    };
    this.dht.on('peer', listener);
    return new Promise((resolve) => {
      this.dht.lookup(infoHash, () => {
        this.dht.off('peer', listener);
        resolve();
      });
    });
  }

  /** announce_peer to the nodes closest to the info-hash; rejects when none took it. */
  announce(infoHash: Buffer, port: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve, reject) => this.dht.announce(infoHash, port, (error) => (error ? reject(error) : resolve())));
  }

  async save(): Promise<void> {
    const file = this.options.nodesFile;
    if (!file || this.closed) return;
    const nodes = this.dht
      .toJSON()
      .nodes.map((node) => this.fromLibrary(node))
      .filter((node) => node !== undefined)
      .slice(0, MAX_SAVED_NODES);
    await mkdir(dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    await writeFile(temp, `${JSON.stringify({ nodes })}\n`);
    await rename(temp, file);
  }

  private async loadNodes(): Promise<PeerAddress[]> {
    if (!this.options.nodesFile) return [];
    try {
      const parsed = JSON.parse(await readFile(this.options.nodesFile, 'utf8')) as { nodes?: unknown };
      if (!Array.isArray(parsed.nodes)) return [];
      return parsed.nodes
        .filter(
          (n): n is PeerAddress =>
            typeof n?.host === 'string' && isIP(n.host) === this.family && Number.isInteger(n.port) && n.port > 0 && n.port < 65536,
        )
        .slice(0, MAX_SAVED_NODES);
    } catch {
      return []; // missing or damaged: start from the bootstrap nodes
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.save().catch((error: Error) => this.emit('warning', `DHT: could not save nodes: ${error.message}`));
    this.closed = true;
    await new Promise<void>((resolve) => this.dht.destroy(() => resolve()));
  }
}
