import { EventEmitter } from 'node:events';
import { Limiter } from '../discovery/tracker/limiter.js';
import net from 'node:net';
import os from 'node:os';
import { rm } from 'node:fs/promises';
import type { Metainfo } from '../metainfo/metainfo.js';
import type { WireExtension } from '../extensions/extension-api.js';
import type { Dht } from '../discovery/dht.js';
import { bothDhts, type PeerDht } from '../discovery/dht-pair.js';
import type { NetworkBinding } from '../transport/binding.js';
import { CachedGlobalIpv6 } from './own-address.js';
import { DhtAnnouncer } from '../discovery/dht-announcer.js';
import { LocalServiceDiscovery, type LsdOptions } from '../discovery/lsd.js';
import type { PeerAddress } from '../discovery/tracker/types.js';
import { utMetadataExtension, UT_METADATA } from '../extensions/ut-metadata.js';
import type { Magnet } from '../metainfo/magnet.js';
import { resolveMagnet, type ResolvedMagnet, type ResolveMagnetOptions } from './magnet-resolver.js';
import { RateLimiter } from '../torrent/rate-limiter.js';
import { Housekeeper } from '../torrent/housekeeper.js';
import { MAX_CHECKS } from '../torrent/check-slots.js';
import { Torrent, type TorrentStats } from '../torrent/torrent.js';
import type { Duplex } from 'node:stream';
import { Connector } from '../transport/connector.js';
import { makeFallbackTransport } from '../transport/fallback-transport.js';
import { makeTcpTransport } from '../transport/tcp-transport.js';
import { UdpEndpoint } from '../transport/udp-endpoint.js';
import { makeUtpTransport } from '../transport/utp-transport.js';
import type { UtpStream } from '../transport/utp/utp-stream.js';
import { req2Hash } from '../transport/mse/handshake.js';
import type { EncryptionMode } from '../transport/mse/policy.js';
import { makePeerId } from '../wire/peer-id.js';
import type { HandedOverPeer } from '../transport/handover.js';
import type { CheckHashing } from '../storage/storage.js';

/** Tracker announces running at once (libtorrent's default of active tracker requests is similar). */
const MAX_ANNOUNCES = 32;

export interface SessionOptions {
  /** Listen port; 0 = any free port. */
  port?: number;
  /**
   * Listen address; default all interfaces, IPv4 and IPv6 (one dual-stack socket). A specific
   * one is also where outgoing connections leave from.
   */
  host?: string;
  /**
   * Every socket (peers, trackers, DHT, LSD, web seeds) bound to this address, which may come
   * and go (--interface): while it is gone nothing is sent and every connection is closed; when
   * it returns the session listens again, on the new address. Overrides `host`.
   */
  bind?: NetworkBinding;
  peerId?: Buffer;
  maxConnections?: number;
  maxPeersPerTorrent?: number;
  uploadSlots?: number;
  /** Per torrent: pieces kept in memory for uploading; 16 MiB by default. */
  readCacheBytes?: number;
  downloadLimit?: number;
  uploadLimit?: number;
  hash?: (data: Buffer) => Promise<Buffer>;
  /** Resume file path for a torrent; none = recheck on every start. */
  resumePath?: (infoHashHex: string) => string;
  announceTimeoutMs?: number;
  udpBaseTimeoutMs?: number;
  /** A peer must complete its handshake within this (default 20 s). */
  handshakeTimeoutMs?: number;
  /** A peer silent this long, keep-alives included, is dropped (default 150 s). */
  idleTimeoutMs?: number;
  /** BEP 5 DHT on the listen port (UDP); off when absent. Private torrents never use it. */
  dht?: SessionDhtOptions;
  /**
   * BEP 14 local service discovery on the LAN, over IPv4 and (when the listen socket takes it)
   * IPv6; off when absent. Private torrents never use it. `group6`/`interface6`: the IPv6 side's.
   */
  lsd?: Omit<LsdOptions, 'listenPort' | 'family'> & { group6?: string; interface6?: string };
  /**
   * BEP 29 uTP on the listen port (UDP, shared with the DHT): accepted, and dialled first to
   * peers known to speak it, second to the others (see fallback-transport.ts). Off by default.
   */
  utp?: boolean;
  /** With both transports on: how long the first one dialled has alone before the other joins (default 500 ms). */
  transportRaceDelayMs?: number;
  /** TCP connections, in and out; on by default. */
  tcp?: boolean;
  /** MSE/PE for peer connections, in and out; default `prefer`. */
  encryption?: EncryptionMode;
}

export interface SessionDhtOptions {
  /** HOST:PORT nodes to bootstrap from; [] = none (DEFAULT_DHT_BOOTSTRAP in dht.ts has the public routers). */
  bootstrap: string[];
  /** Routing table saved here on close and reloaded on listen. */
  nodesFile?: string;
  /** The IPv6 DHT's (BEP 32) routing table; it runs whenever the session listens on IPv6. */
  nodesFile6?: string;
  /** Re-announce period per torrent; default 15 minutes. */
  announceIntervalMs?: number;
  queryTimeoutMs?: number;
}

export interface AddOptions {
  directory: string;
  paused?: boolean;
  seedMode?: boolean;
  sequential?: boolean;
  filePriorities?: Uint8Array;
  extensions?: WireExtension[];
  /** Where the check at start (and any recheck) hashes; default: the process-wide pool. */
  check?: CheckHashing;
}

export interface SessionStats {
  torrents: TorrentStats[];
  downloadRate: number;
  uploadRate: number;
  connections: number;
  port: number;
  downloadLimit: number;
  uploadLimit: number;
  /** Nodes in the DHT routing table; undefined when the DHT is off. */
  dhtNodes?: number;
}

/** Every event a Session emits, with its arguments. */
export interface SessionEvents {
  added: [torrent: Torrent];
  /** The removed torrent's info-hash (hex). */
  removed: [infoHash: string];
  warning: [message: string];
}

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
  private dhtNode?: Dht;
  private dhtNode6?: Dht;
  /** Whichever DHTs run now, as one: announcers and magnet lookups outlive a DHT restarted after the network returns. */
  private readonly peerDht: PeerDht = {
    findPeers: (infoHash, onPeer) => bothDhts(this.dhts()).findPeers(infoHash, onPeer),
    announce: (infoHash, port) => bothDhts(this.dhts()).announce(infoHash, port),
    nodeCount: () => bothDhts(this.dhts()).nodeCount(),
  };
  /** Network changes of a bound session, one at a time. */
  private networkChange: Promise<void> = Promise.resolve();
  private listenersAttached = false;
  private readonly ownIpv6Address = new CachedGlobalIpv6();
  private closed = false;
  private readonly dhtAnnouncers = new Map<string, DhtAnnouncer>();
  private lsds: LocalServiceDiscovery[] = [];
  private readonly lsdRegistrations = new Map<string, () => void>();
  /** One timer for every torrent's periodic work. */
  private readonly housekeeper = new Housekeeper();
  /** Announces to trackers at once, over every torrent: a start of thousands spreads out behind it. */
  private readonly announceLimiter = new Limiter(MAX_ANNOUNCES);
  /** Full checks at once, over every torrent: a session of thousands added together checks them a few at a time. */
  private readonly checkLimiter = new Limiter(MAX_CHECKS);
  /** Connections a magnet's metadata came over, by info-hash, kept for its torrent to adopt when it starts. */
  private readonly handedOver = new Map<string, HandedOverPeer[]>();

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
  }

  get port(): number {
    return this.listenPort;
  }

  /** The IPv4 DHT node, once listening with the dht option. */
  get dht(): Dht | undefined {
    return this.dhtNode;
  }

  /** The IPv6 DHT node (BEP 32), once listening with the dht option on an IPv6 (or dual-stack) address. */
  get dht6(): Dht | undefined {
    return this.dhtNode6;
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

  private dhts(): Dht[] {
    return [this.dhtNode, this.dhtNode6].filter((dht) => dht !== undefined);
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
    if (this.options.dht && !this.dhtNode) await this.startDht(this.options.dht);
    if (this.options.lsd && this.lsds.length === 0) await this.startLsd(this.options.lsd);
    return bound;
  }

  /** One UDP socket per family the listen socket takes: IPv4 unless it is an IPv6 address, IPv6 when it takes IPv6. */
  private async listenUdp(port: number): Promise<void> {
    const host = this.host;
    const family = host && !isWildcard(host) ? net.isIP(host) : 0;
    const onUtpConnection = (stream: UtpStream) => this.onIncoming(stream);
    if (family !== 6) {
      try {
        this.udp = await UdpEndpoint.bind({ port, host: family === 4 ? host : undefined, family: 4, onUtpConnection });
      } catch (error) {
        this.emit('warning', `uTP is off: UDP port ${port}: ${(error as Error).message}`);
      }
    }
    if (family !== 4 && this.ipv6Listening) {
      try {
        this.udp6 = await UdpEndpoint.bind({ port, host: family === 6 ? host : '::', family: 6, onUtpConnection });
      } catch (error) {
        this.emit('warning', `uTP over IPv6 is off: UDP port ${port}: ${(error as Error).message}`);
      }
    }
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
    for (const peers of this.handedOver.values()) for (const peer of peers) peer.wire.destroy();
    this.handedOver.clear();
    for (const wire of this.incoming) wire.destroy();
    this.incoming.clear();
    for (const torrent of this.torrents.values()) torrent.dropConnections();
    for (const lsd of this.lsds) lsd.close();
    this.lsds = [];
    this.lsdRegistrations.clear();
    const dhts = this.dhts();
    this.dhtNode = undefined;
    this.dhtNode6 = undefined;
    await Promise.all(dhts.map((dht) => dht.close()));
    this.udp?.close();
    this.udp = undefined;
    this.udp6?.close();
    this.udp6 = undefined;
    const server = this.server;
    this.server = undefined;
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  /** LSD on each family the listen socket takes: the IPv4 group, and the IPv6 one beside it. */
  private async startLsd(options: NonNullable<SessionOptions['lsd']>): Promise<void> {
    const host = this.host;
    const bound = host && !isWildcard(host) ? host : undefined;
    const family = bound ? net.isIP(bound) : host === '0.0.0.0' ? 4 : 0;
    const started: LocalServiceDiscovery[] = [];
    const start = async (lsd: LocalServiceDiscovery, what: string) => {
      try {
        await lsd.start();
        started.push(lsd);
      } catch (error) {
        // Another program may hold the LSD port without SO_REUSEADDR: LSD is a nicety, not a reason to fail.
        this.emit('warning', `${what} is off: ${(error as Error).message}`);
      }
    };
    if (family !== 6) {
      const lsd = new LocalServiceDiscovery({
        listenPort: () => this.listenPort,
        ...options,
        ...(bound ? { interface: bound, bindGroup: true } : {}),
      });
      await start(lsd, 'local service discovery');
    }
    if (family !== 4 && this.ipv6Listening) {
      // IPv6 joins a group on an interface named by its scope: a bound session's is the one holding its address.
      const name = bound ? interfaceHolding(bound) : undefined;
      if (!bound || name) {
        const lsd = new LocalServiceDiscovery({
          listenPort: () => this.listenPort,
          ...options,
          family: 6,
          group: options.group6,
          interface: name ? `::%${name}` : options.interface6,
          ...(bound ? { bindGroup: true } : {}),
        });
        await start(lsd, 'local service discovery over IPv6');
      }
    }
    this.lsds = started;
    for (const torrent of this.torrents.values()) this.announceOnLan(torrent);
  }

  /** Announces a torrent on the DHT and the LAN while it runs, and withdraws it once it stops. */
  private followRunning(torrent: Torrent): void {
    if (!this.torrents.has(torrent.meta.infoHash)) return;
    if (torrent.isRunning) {
      this.announceOnDht(torrent);
      this.announceOnLan(torrent);
    } else {
      this.withdraw(torrent);
    }
  }

  private withdraw(torrent: Torrent): void {
    const key = torrent.meta.infoHash;
    this.dhtAnnouncers.get(key)?.stop();
    this.dhtAnnouncers.delete(key);
    this.lsdRegistrations.get(key)?.();
    this.lsdRegistrations.delete(key);
  }

  private announceOnLan(torrent: Torrent): void {
    const key = torrent.meta.infoHash;
    if (this.lsds.length === 0 || !torrent.isRunning || torrent.meta.private || this.lsdRegistrations.has(key)) return;
    const onPeer = (peer: PeerAddress) => torrent.isRunning && torrent.addPeers([peer], 'lpd');
    const ways = this.lsds.map((lsd) => lsd.register(key, onPeer));
    this.lsdRegistrations.set(key, () => ways.forEach((out) => out()));
  }

  private async startDht(options: SessionDhtOptions): Promise<void> {
    // Loaded only when the DHT is on: --no-dht runs do not pay for the library.
    const { Dht } = await import('../discovery/dht.js');
    const host = this.host;
    const family = host && !isWildcard(host) ? net.isIP(host) : host === '0.0.0.0' ? 4 : 0;
    const common = { bootstrap: options.bootstrap, queryTimeoutMs: options.queryTimeoutMs };
    if (family !== 6) {
      // Each DHT shares its family's listen-port UDP socket with uTP when uTP is on.
      const dht = await Dht.create({ ...common, nodesFile: options.nodesFile, udp: this.udp });
      dht.on('warning', (message: string) => this.emit('warning', message));
      await dht.listen(this.listenPort, family === 4 ? host : undefined);
      this.dhtNode = dht;
    }
    if (family !== 4 && this.ipv6Listening) {
      const dht6 = await Dht.create({ ...common, nodesFile: options.nodesFile6, family: 6, udp: this.udp6 });
      dht6.on('warning', (message: string) => this.emit('warning', message));
      try {
        await dht6.listen(this.listenPort, family === 6 ? host : '::');
        this.dhtNode6 = dht6;
      } catch (error) {
        await dht6.close();
        this.emit('warning', `IPv6 DHT is off: ${(error as Error).message}`);
      }
    }
    for (const torrent of this.torrents.values()) this.announceOnDht(torrent);
  }

  private announceOnDht(torrent: Torrent): void {
    const key = torrent.meta.infoHash;
    if (this.dhts().length === 0 || !torrent.isRunning || torrent.meta.private || this.dhtAnnouncers.has(key)) return;
    const announcer = new DhtAnnouncer(
      this.peerDht,
      torrent.infoHash,
      () => this.listenPort,
      (peers) => torrent.addPeers(peers, 'dht'),
      {
        intervalMs: this.options.dht?.announceIntervalMs,
        active: () => torrent.isRunning,
      },
    );
    this.dhtAnnouncers.set(key, announcer);
    announcer.start();
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
      dht: this.dhts().length > 0 ? this.peerDht : undefined,
      connector: this.connector,
      localAddress: this.options.bind ? () => this.options.bind!.require() : undefined,
      // The metadata's connections carry on with the data once the torrent is added and started.
      handOver: (peers) => this.keepForTorrent(magnet.infoHash.toLowerCase(), peers),
    });
  }

  /** Kept for a while: a torrent not started by then has them closed. */
  private keepForTorrent(infoHash: string, peers: HandedOverPeer[]): void {
    if (peers.length === 0) return;
    const kept = [...(this.handedOver.get(infoHash) ?? []), ...peers];
    this.handedOver.set(infoHash, kept);
    const timer = setTimeout(() => {
      if (this.handedOver.get(infoHash) !== kept) return;
      this.handedOver.delete(infoHash);
      for (const peer of kept) peer.wire.destroy();
    }, HANDED_OVER_KEPT_MS);
    timer.unref();
  }

  private takeHandedOver(infoHash: string): HandedOverPeer[] {
    const kept = this.handedOver.get(infoHash);
    if (!kept) return [];
    this.handedOver.delete(infoHash);
    return kept;
  }

  private listenTcp(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = net.createServer((socket) => this.onIncoming(socket));
      const host = this.host;
      server.once('error', (error: NodeJS.ErrnoException) => {
        const where = host?.includes(':') ? `[${host}]:${port}` : `${host ?? '[::]'}:${port}`;
        reject(error.code === 'EADDRINUSE' ? new Error(`port ${port} is already in use (${where})`) : error);
      });
      // No host: '::' with IPv4 too where the system has IPv6, else 0.0.0.0 (Node's choice).
      server.listen({ port, host, ipv6Only: false }, () => {
        this.server = server;
        const address = server.address() as net.AddressInfo;
        this.listenPort = address.port;
        this.ipv6Listening = address.family === 'IPv6';
        resolve(this.listenPort);
      });
    });
  }

  private onIncoming(socket: IncomingStream): void {
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
    const handle = this.connector.accept(socket, settings, {
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
      extensions: withUtMetadata(meta, options.extensions),
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
      handedOver: () => this.takeHandedOver(meta.infoHash),
      hasHandedOver: () => this.handedOver.has(meta.infoHash),
    });
    this.torrents.set(meta.infoHash, torrent);
    this.byReq2.set(req2Hash(meta.infoHashBuffer).toString('hex'), torrent);
    this.emit('added', torrent);
    // The DHT and LAN announce only running torrents: a paused one costs no timer and no multicast bytes.
    torrent.on('running', () => this.followRunning(torrent));
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
    this.withdraw(torrent);
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
      dhtNodes: this.dhts().length > 0 ? this.peerDht.nodeCount() : undefined,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.networkChange;
    for (const peers of this.handedOver.values()) for (const peer of peers) peer.wire.destroy();
    this.handedOver.clear();
    for (const wire of this.incoming) wire.destroy();
    this.incoming.clear();
    for (const announcer of this.dhtAnnouncers.values()) announcer.stop();
    this.dhtAnnouncers.clear();
    for (const lsd of this.lsds) lsd.close();
    this.lsds = [];
    this.lsdRegistrations.clear();
    await Promise.all([...this.list().map((t) => t.stop()), ...this.dhts().map((dht) => dht.close())]);
    this.dhtNode = undefined;
    this.dhtNode6 = undefined;
    this.udp?.close();
    this.udp = undefined;
    this.udp6?.close();
    this.udp6 = undefined;
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }
}

function networkDownMessage(bind: NetworkBinding): string {
  return `network down: ${bind.what} has no address; no peer, tracker, DHT or web seed traffic until it returns`;
}

/** An IPv6 peer address (an IPv4-mapped one is IPv4's). */
function isIPv6Host(host: string): boolean {
  return net.isIPv6(host) && !host.toLowerCase().startsWith('::ffff:');
}

/** An address that names no one interface. */
function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

/** The name of the interface that holds a local address, if any does. */
function interfaceHolding(address: string): string | undefined {
  for (const [name, addresses] of Object.entries(os.networkInterfaces())) if (addresses?.some((a) => a.address === address)) return name;
  return undefined;
}

/** An accepted connection: a TCP socket or a uTP stream. */
type IncomingStream = Duplex & { remoteAddress?: string; remotePort?: number };

/** How long a magnet's metadata connections wait for its torrent to start. */
const HANDED_OVER_KEPT_MS = 60_000;

/** Every torrent serves its info dictionary to peers (BEP 9), before any extensions given. */
function withUtMetadata(meta: Metainfo, extensions: WireExtension[] = []): WireExtension[] {
  if (extensions.some((e) => e.name === UT_METADATA)) return extensions;
  return [utMetadataExtension(() => meta.infoBytes), ...extensions];
}
