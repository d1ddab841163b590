import { EventEmitter } from 'node:events';
import net from 'node:net';
import { rm } from 'node:fs/promises';
import type { Metainfo } from './metainfo.js';
import type { WireExtension } from './extension-api.js';
import { RateLimiter } from './rate-limiter.js';
import { Torrent, type TorrentStats } from './torrent.js';
import { PeerWire } from './wire/peer-wire.js';
import { makePeerId } from './wire/peer-id.js';

export interface SessionOptions {
  /** Listen port; 0 = any free port. */
  port?: number;
  /** Listen address; default all interfaces. */
  host?: string;
  peerId?: Buffer;
  maxConnections?: number;
  maxPeersPerTorrent?: number;
  uploadSlots?: number;
  downloadLimit?: number;
  uploadLimit?: number;
  hash?: (data: Buffer) => Promise<Buffer>;
  /** Resume file path for a torrent; none = recheck on every start. */
  resumePath?: (infoHashHex: string) => string;
  announceTimeoutMs?: number;
  udpBaseTimeoutMs?: number;
}

export interface AddOptions {
  directory: string;
  paused?: boolean;
  seedMode?: boolean;
  sequential?: boolean;
  filePriorities?: Uint8Array;
  extensions?: WireExtension[];
}

export interface SessionStats {
  torrents: TorrentStats[];
  downloadRate: number;
  uploadRate: number;
  connections: number;
  port: number;
  downloadLimit: number;
  uploadLimit: number;
}

/**
 * The engine's top level: one listen socket, the torrents, global limits. Incoming
 * connections are routed to their torrent by the info-hash in the peer's handshake.
 */
export class Session extends EventEmitter {
  readonly peerId: Buffer;
  private readonly torrents = new Map<string, Torrent>();
  private server?: net.Server;
  private listenPort = 0;
  private readonly downloadLimiter: RateLimiter;
  private readonly uploadLimiter: RateLimiter;
  private readonly incoming = new Set<PeerWire>();

  constructor(private readonly options: SessionOptions = {}) {
    super();
    this.peerId = options.peerId ?? makePeerId();
    this.downloadLimiter = new RateLimiter(options.downloadLimit ?? 0);
    this.uploadLimiter = new RateLimiter(options.uploadLimit ?? 0);
  }

  get port(): number {
    return this.listenPort;
  }

  listen(port = this.options.port ?? 0): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = net.createServer((socket) => this.onIncoming(socket));
      server.once('error', (error: NodeJS.ErrnoException) => {
        const where = `${this.options.host ?? '0.0.0.0'}:${port}`;
        reject(error.code === 'EADDRINUSE' ? new Error(`port ${port} is already in use (${where})`) : error);
      });
      server.listen({ port, host: this.options.host }, () => {
        this.server = server;
        this.listenPort = (server.address() as net.AddressInfo).port;
        resolve(this.listenPort);
      });
    });
  }

  private onIncoming(socket: net.Socket): void {
    socket.on('error', () => undefined);
    if (this.connectionCount() >= (this.options.maxConnections ?? 200)) {
      socket.destroy();
      return;
    }
    // The torrent sends its own extension handshake once the info-hash says which torrent it is.
    const wire = new PeerWire(socket, { peerId: this.peerId });
    this.incoming.add(wire);
    wire.once('close', () => this.incoming.delete(wire));
    wire.once('handshake', (h) => {
      this.incoming.delete(wire);
      const torrent = this.torrents.get(h.infoHash.toString('hex'));
      if (!torrent || !torrent.isRunning) {
        wire.destroy();
        return;
      }
      wire.sendHandshake(h.infoHash);
      torrent.attachIncoming(wire, socket);
    });
  }

  add(meta: Metainfo, options: AddOptions): Torrent {
    const existing = this.torrents.get(meta.infoHash);
    if (existing) return existing;
    const torrent = new Torrent(meta, {
      directory: options.directory,
      peerId: this.peerId,
      listenPort: () => this.listenPort,
      hash: this.options.hash,
      resumePath: this.options.resumePath?.(meta.infoHash),
      seedMode: options.seedMode,
      sequential: options.sequential,
      filePriorities: options.filePriorities,
      extensions: options.extensions,
      maxPeers: this.options.maxPeersPerTorrent,
      uploadSlots: this.options.uploadSlots,
      globalDownload: this.downloadLimiter,
      globalUpload: this.uploadLimiter,
      mayConnect: () => this.connectionCount() < (this.options.maxConnections ?? 200),
      announceTimeoutMs: this.options.announceTimeoutMs,
      udpBaseTimeoutMs: this.options.udpBaseTimeoutMs,
    });
    this.torrents.set(meta.infoHash, torrent);
    this.emit('added', torrent);
    if (!options.paused) void torrent.start();
    return torrent;
  }

  get(infoHashHex: string): Torrent | undefined {
    return this.torrents.get(infoHashHex.toLowerCase());
  }

  list(): Torrent[] {
    return [...this.torrents.values()];
  }

  async remove(infoHashHex: string, options: { deleteData?: boolean } = {}): Promise<void> {
    const torrent = this.get(infoHashHex);
    if (!torrent) return;
    this.torrents.delete(torrent.meta.infoHash);
    await torrent.stop();
    if (options.deleteData) await rm(torrent.storage.root, { recursive: true, force: true });
    this.emit('removed', torrent.meta.infoHash);
  }

  setLimits(limits: { download?: number; upload?: number }): void {
    if (limits.download !== undefined) this.downloadLimiter.setRate(limits.download);
    if (limits.upload !== undefined) this.uploadLimiter.setRate(limits.upload);
  }

  connectionCount(): number {
    let n = this.incoming.size;
    for (const t of this.torrents.values()) n += t.stats().peers;
    return n;
  }

  stats(): SessionStats {
    const torrents = this.list().map((t) => t.stats());
    let downloadRate = 0;
    let uploadRate = 0;
    let connections = this.incoming.size;
    for (const t of torrents) {
      downloadRate += t.downloadRate;
      uploadRate += t.uploadRate;
      connections += t.peers;
    }
    return { torrents, downloadRate, uploadRate, connections, port: this.listenPort, downloadLimit: this.downloadLimiter.rate, uploadLimit: this.uploadLimiter.rate };
  }

  async close(): Promise<void> {
    for (const wire of this.incoming) wire.destroy();
    this.incoming.clear();
    await Promise.all(this.list().map((t) => t.stop()));
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }
}
