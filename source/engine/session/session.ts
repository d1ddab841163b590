import { EventEmitter } from 'node:events';
import { Limiter } from '../discovery/tracker/limiter.js';
import net from 'node:net';
import { rm } from 'node:fs/promises';
import type { Metainfo } from '../metainfo/metainfo.js';
import type { Dht } from '../discovery/dht.js';
import { networkDownMessage } from '../transport/binding.js';
import { CachedGlobalIpv6 } from './own-address.js';
import { withUtMetadata } from '../extensions/ut-metadata.js';
import type { Magnet } from '../metainfo/magnet.js';
import { resolveMagnet, type ResolvedMagnet, type ResolveMagnetOptions } from './magnet-resolver.js';
import { RateLimiter } from '../torrent/rate-limiter.js';
import { Housekeeper } from '../torrent/housekeeper.js';
import { MAX_CHECKS } from '../torrent/check-slots.js';
import { Torrent } from '../torrent/torrent.js';
import { Connector } from '../transport/connector.js';
import { makeFallbackTransport } from '../transport/fallback-transport.js';
import { makeTcpTransport } from '../transport/tcp-transport.js';
import type { UdpEndpoint } from '../transport/udp-endpoint.js';
import { makeUtpTransport } from '../transport/utp-transport.js';
import type { OpenedStream } from '../transport/transport.js';
import { req2Hash } from '../transport/mse/handshake.js';
import type { EncryptionMode } from '../transport/mse/policy.js';
import { makePeerId } from '../wire/peer-id.js';
import { HandedOverPeers } from './handed-over-peers.js';
import { isIPv6Host, isWildcard } from './addresses.js';
import { SessionDiscovery } from './session-discovery.js';
import { openListenSocket, openUdpSockets, type IncomingStream } from './listen-socket.js';
import type { AddOptions, SessionEvents, SessionOptions, SessionStats } from './session-options.js';

export type { AddOptions, SessionDhtOptions, SessionEvents, SessionLsdOptions, SessionOptions, SessionStats } from './session-options.js';

/** Tracker announces running at once (libtorrent's default of active tracker requests is similar). */
const MAX_ANNOUNCES = 32;

/**
 * The engine's top level: one listen socket, the torrents, global limits. Incoming
 * connections are routed to their torrent by the info-hash in the peer's handshake.
 */
export class Session extends EventEmitter<SessionEvents> {
  readonly peerId: Buffer;
  /** Every connection, in and out, becomes a handshaken wire here. */
  private readonly connector: Connector;
  private readonly torrents = new Map<string, Torrent>();
  private server?: net.Server;
  /** The listen port's UDP socket (uTP, and the IPv4 DHT beside it), when uTP is on. */
  private udp?: UdpEndpoint;
  /** uTP (and the IPv6 DHT) over IPv6: its own socket on the listen port, IPv6 only. */
  private udp6?: UdpEndpoint;
  /** The listen socket takes IPv6 (then the IPv6 DHT runs too). */
  private ipv6Listening = false;
  private listenPort = 0;
  private readonly downloadLimiter: RateLimiter;
  private readonly uploadLimiter: RateLimiter;
  /** Accepted connections whose handshake has not named a torrent yet. */
  private readonly incoming = new Set<{ destroy(): void }>();
  /** Torrents by HASH('req2', info-hash), the name MSE/PE gives an incoming connection's torrent. */
  private readonly byReq2 = new Map<string, Torrent>();
  /** Network changes of a bound session, one at a time. */
  private networkChange: Promise<void> = Promise.resolve();
  private listenersAttached = false;
  private readonly ownIpv6Address = new CachedGlobalIpv6();
  private closed = false;
  /** The DHT and LSD, and the running torrents' announces on them. */
  private readonly discovery: SessionDiscovery;
  /** One timer for every torrent's periodic work. */
  private readonly housekeeper = new Housekeeper();
  /** Announces to trackers at once, over every torrent: a start of thousands spreads out behind it. */
  private readonly announceLimiter = new Limiter(MAX_ANNOUNCES);
  /** Full checks at once, over every torrent: a session of thousands added together checks them a few at a time. */
  private readonly checkLimiter = new Limiter(MAX_CHECKS);
  /** Connections a magnet's metadata came over, by info-hash, kept for its torrent to adopt when it starts. */
  private readonly handedOver = new HandedOverPeers();

  constructor(private readonly options: SessionOptions = {}) {
    super();
    this.peerId = options.peerId ?? makePeerId();
    const utp = options.utp ? makeUtpTransport((host) => (isIPv6Host(host) ? this.udp6 : this.udp)?.utp) : undefined;
    const tcp = options.tcp !== false ? makeTcpTransport({ localAddress: options.host, binding: options.bind }) : undefined;
    this.connector = new Connector({
      peerId: this.peerId,
      transport: makeFallbackTransport(utp, tcp, { raceDelayMs: options.transportRaceDelayMs }),
      encryption: options.encryption,
    });
    this.downloadLimiter = new RateLimiter(options.downloadLimit ?? 0);
    this.uploadLimiter = new RateLimiter(options.uploadLimit ?? 0);
    this.discovery = new SessionDiscovery(
      {
        host: () => this.host,
        ipv6Listening: () => this.ipv6Listening,
        listenPort: () => this.listenPort,
        udp: () => this.udp,
        udp6: () => this.udp6,
        torrents: () => this.torrents.values(),
        warn: (message) => this.emit('warning', message),
      },
      options.dht?.announceIntervalMs,
    );
  }

  get port(): number {
    return this.listenPort;
  }

  /** The IPv4 DHT node, once listening with the dht option. */
  get dht(): Dht | undefined {
    return this.discovery.dht;
  }

  /** The IPv6 DHT node (BEP 32), once listening with the dht option on an IPv6 (or dual-stack) address. */
  get dht6(): Dht | undefined {
    return this.discovery.dht6;
  }

  /** Where the session listens and sends from now; undefined: everywhere. */
  private get host(): string | undefined {
    return this.options.bind ? this.options.bind.address : this.options.host;
  }

  /**
   * Our IPv6 address for peers (BEP 10 `ipv6`), when the listen socket takes IPv6: the bound or
   * listen address when it is one, else a global one of this machine (looked up once a minute).
   */
  private ownIpv6(): string | undefined {
    if (!this.ipv6Listening) return undefined;
    const host = this.host;
    if (host && !isWildcard(host)) return net.isIP(host) === 6 ? host : undefined;
    return this.ownIpv6Address.get();
  }

  /** Where a request of the session's own (a .torrent URL) must leave from; undefined: anywhere. Throws while a bound network is down. */
  localAddress(): string | undefined {
    return this.options.bind?.require();
  }

  async listen(port = this.options.port ?? 0): Promise<number> {
    const bind = this.options.bind;
    if (bind && !this.listenersAttached) {
      this.listenersAttached = true;
      bind.on('change', () => {
        this.networkChange = this.networkChange.then(() => this.onNetworkChange());
      });
    }
    if (bind && !bind.up) {
      // Nothing to listen on yet: the port is kept for when the address appears.
      this.listenPort = port;
      this.emit('warning', networkDownMessage(bind));
      return port;
    }
    return this.startNetwork(port);
  }

  private async startNetwork(port: number): Promise<number> {
    const bound = await this.listenTcp(port);
    if (this.options.utp && !this.udp && !this.udp6) await this.listenUdp(bound);
    if (this.options.dht && !this.discovery.dht) await this.discovery.startDht(this.options.dht);
    if (this.options.lsd && !this.discovery.lsdRunning) await this.discovery.startLsd(this.options.lsd);
    return bound;
  }

  private async listenUdp(port: number): Promise<void> {
    const sockets = await openUdpSockets(
      port,
      this.host,
      this.ipv6Listening,
      (stream) => this.onIncoming(stream),
      (message) => this.emit('warning', message),
    );
    this.udp = sockets.udp;
    this.udp6 = sockets.udp6;
  }

  /** The bound address went away or came back (maybe another one): stop everything, then listen again. */
  private async onNetworkChange(): Promise<void> {
    const bind = this.options.bind!;
    if (this.closed) return;
    await this.stopNetwork();
    if (!bind.up) {
      this.emit('warning', networkDownMessage(bind));
      return;
    }
    try {
      await this.startNetwork(this.listenPort).catch(() => this.startNetwork(0));
    } catch (error) {
      this.emit('warning', `network: cannot listen on ${bind.address}: ${(error as Error).message}`);
      return;
    }
    this.emit('warning', `network back: ${bind.what} is ${bind.address}; listening on port ${this.listenPort} again`);
    for (const torrent of this.torrents.values()) if (torrent.isRunning) torrent.announceNow();
  }

  /** Closes every socket: the listen socket, the DHTs, LSD and every peer connection. */
  private async stopNetwork(): Promise<void> {
    this.handedOver.closeAll();
    for (const wire of this.incoming) wire.destroy();
    this.incoming.clear();
    for (const torrent of this.torrents.values()) torrent.dropConnections();
    await this.discovery.stopNetwork();
    this.udp?.close();
    this.udp = undefined;
    this.udp6?.close();
    this.udp6 = undefined;
    const server = this.server;
    this.server = undefined;
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  /**
   * Fetches a magnet's info dictionary from the swarm (x.pe, trackers, the DHT) over
   * ut_metadata. Add the result with add(); its `peers` are worth passing to addPeers().
   */
  resolveMagnet(
    magnet: Magnet,
    options: Omit<ResolveMagnetOptions, 'peerId' | 'listenPort' | 'dht' | 'connector' | 'handOver' | 'localAddress'> = {},
  ): Promise<ResolvedMagnet> {
    return resolveMagnet(magnet, {
      udpBaseTimeoutMs: this.options.udpBaseTimeoutMs,
      trackerTimeoutMs: this.options.announceTimeoutMs,
      ...options,
      peerId: this.peerId,
      listenPort: this.listenPort,
      dht: this.discovery.lookupDht(),
      connector: this.connector,
      localAddress: this.options.bind ? () => this.options.bind!.require() : undefined,
      // The metadata's connections carry on with the data once the torrent is added and started.
      handOver: (peers) => this.handedOver.keep(magnet.infoHash.toLowerCase(), peers),
    });
  }

  private async listenTcp(port: number): Promise<number> {
    const { server, port: bound, ipv6 } = await openListenSocket(port, this.host, (...accepted) => this.onIncoming(...accepted));
    this.server = server;
    this.listenPort = bound;
    this.ipv6Listening = ipv6;
    return bound;
  }

  /** `deliverTo`: where a TCP connection's reads go (the shared read buffer); uTP streams emit 'data'. */
  private onIncoming(socket: IncomingStream, deliverTo?: OpenedStream['deliverTo']): void {
    socket.on('error', () => undefined);
    const overTcp = socket instanceof net.Socket;
    if ((overTcp && this.options.tcp === false) || this.connectionCount() >= (this.options.maxConnections ?? 200)) {
      socket.destroy();
      return;
    }
    // A uTP peer sends from its listen port's UDP socket (libtorrent, btui): dialled back over uTP first.
    if (!overTcp && socket.remotePort) this.connector.learnSpeaksUtp(socket.remoteAddress ?? '', socket.remotePort);
    // The torrent sends its own extension handshake once the info-hash says which torrent it is.
    const settings = { handshakeTimeoutMs: this.options.handshakeTimeoutMs, idleTimeoutMs: this.options.idleTimeoutMs };
    const handle = this.connector.accept({ stream: socket, deliverTo }, settings, {
      infoHashFor: (req2) => this.infoHashForReq2(req2),
      handshake: (wire, h) => {
        this.incoming.delete(handle);
        const torrent = this.torrents.get(h.infoHash.toString('hex'));
        if (!torrent || !torrent.isRunning) {
          wire.destroy();
          return;
        }
        wire.sendHandshake(h.infoHash);
        torrent.attachIncoming(wire, socket);
      },
      closed: () => this.incoming.delete(handle),
    });
    this.incoming.add(handle);
  }

  /** MSE/PE names a torrent by HASH('req2', info-hash): which running torrent's is it? */
  private infoHashForReq2(req2: Buffer): Buffer | undefined {
    const torrent = this.byReq2.get(req2.toString('hex'));
    return torrent?.isRunning ? torrent.meta.infoHashBuffer : undefined;
  }

  /** Outgoing and incoming connections from now on (those open stay as they are). */
  setEncryption(mode: EncryptionMode): void {
    this.connector.encryption = mode;
  }

  get encryption(): EncryptionMode {
    return this.connector.encryption;
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
      check: options.check,
      extensions: withUtMetadata(() => meta.infoBytes, options.extensions),
      maxPeers: this.options.maxPeersPerTorrent,
      uploadSlots: this.options.uploadSlots,
      readCacheBytes: this.options.readCacheBytes,
      binding: this.options.bind,
      ownIpv6: () => this.ownIpv6(),
      globalDownload: this.downloadLimiter,
      globalUpload: this.uploadLimiter,
      // No dials while a bound network is down: they could only fail, and failures make the dialer forget peers.
      mayConnect: () => (this.options.bind?.up ?? true) && this.connectionCount() < (this.options.maxConnections ?? 200),
      announceTimeoutMs: this.options.announceTimeoutMs,
      announceLimiter: this.announceLimiter,
      checkLimiter: this.checkLimiter,
      udpBaseTimeoutMs: this.options.udpBaseTimeoutMs,
      handshakeTimeoutMs: this.options.handshakeTimeoutMs,
      idleTimeoutMs: this.options.idleTimeoutMs,
      housekeeper: this.housekeeper,
      connector: this.connector,
      handedOver: () => this.handedOver.take(meta.infoHash),
      hasHandedOver: () => this.handedOver.has(meta.infoHash),
    });
    this.torrents.set(meta.infoHash, torrent);
    this.byReq2.set(req2Hash(meta.infoHashBuffer).toString('hex'), torrent);
    this.emit('added', torrent);
    // The DHT and LAN announce only running torrents: a paused one costs no timer and no multicast bytes.
    torrent.on('running', () => this.torrents.has(torrent.meta.infoHash) && this.discovery.follow(torrent));
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
    this.byReq2.delete(req2Hash(torrent.meta.infoHashBuffer).toString('hex'));
    this.discovery.withdraw(torrent);
    await torrent.stop();
    // Its resume data describes a torrent no longer in the session (stop() has saved it last).
    const resume = this.options.resumePath?.(torrent.meta.infoHash);
    if (resume) await rm(resume, { force: true });
    if (options.deleteData) await rm(torrent.root, { recursive: true, force: true });
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
    return {
      torrents,
      downloadRate,
      uploadRate,
      connections,
      port: this.listenPort,
      downloadLimit: this.downloadLimiter.rate,
      uploadLimit: this.uploadLimiter.rate,
      dhtNodes: this.discovery.nodeCount(),
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.networkChange;
    this.handedOver.closeAll();
    for (const wire of this.incoming) wire.destroy();
    this.incoming.clear();
    const discoveryClosed = this.discovery.close();
    await Promise.all([...this.list().map((t) => t.stop()), discoveryClosed]);
    this.udp?.close();
    this.udp = undefined;
    this.udp6?.close();
    this.udp6 = undefined;
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }
}
