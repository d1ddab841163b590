import type { Dht } from '../discovery/dht.js';
import { bothDhts, type PeerDht } from '../discovery/dht-pair.js';
import { DhtAnnouncer } from '../discovery/dht-announcer.js';
import { LocalServiceDiscovery } from '../discovery/lsd.js';
import type { PeerAddress } from '../discovery/tracker/types.js';
import type { Torrent } from '../torrent/torrent.js';
import type { UdpEndpoint } from '../transport/udp-endpoint.js';
import { interfaceHolding, isWildcard, listenFamily } from './addresses.js';
import type { SessionDhtOptions, SessionLsdOptions } from './session-options.js';

/** What discovery needs of its session: where it listens, its UDP sockets, its torrents. */
export interface DiscoverySession {
  /** Where the session listens and sends from now; undefined: everywhere. */
  host(): string | undefined;
  /** The listen socket takes IPv6 (then the IPv6 DHT and LSD run too). */
  ipv6Listening(): boolean;
  listenPort(): number;
  udp(): UdpEndpoint | undefined;
  udp6(): UdpEndpoint | undefined;
  torrents(): Iterable<Torrent>;
  warn(message: string): void;
}

/**
 * A session's DHT nodes (BEP 5, BEP 32) and local service discovery (BEP 14), and each running
 * public torrent's announces on them. The nodes and LSD sockets come and go with the network
 * (a bound interface lost and back); the torrents' announcers outlive them.
 */
export class SessionDiscovery {
  private dhtNode?: Dht;
  private dhtNode6?: Dht;
  private readonly dhtAnnouncers = new Map<string, DhtAnnouncer>();
  private lsds: LocalServiceDiscovery[] = [];
  private readonly lsdRegistrations = new Map<string, () => void>();
  /** Whichever DHTs run now, as one: announcers and magnet lookups outlive a DHT restarted after the network returns. */
  readonly peerDht: PeerDht = {
    findPeers: (infoHash, onPeer) => bothDhts(this.dhts()).findPeers(infoHash, onPeer),
    announce: (infoHash, port) => bothDhts(this.dhts()).announce(infoHash, port),
    nodeCount: () => bothDhts(this.dhts()).nodeCount(),
  };

  constructor(
    private readonly session: DiscoverySession,
    private readonly dhtAnnounceIntervalMs?: number,
  ) {}

  get dht(): Dht | undefined {
    return this.dhtNode;
  }

  get dht6(): Dht | undefined {
    return this.dhtNode6;
  }

  get lsdRunning(): boolean {
    return this.lsds.length > 0;
  }

  /** Nodes in the DHT routing tables; undefined when no DHT runs. */
  nodeCount(): number | undefined {
    return this.dhts().length > 0 ? this.peerDht.nodeCount() : undefined;
  }

  /** The DHT as one for a magnet's lookup, when one runs. */
  lookupDht(): PeerDht | undefined {
    return this.dhts().length > 0 ? this.peerDht : undefined;
  }

  private dhts(): Dht[] {
    return [this.dhtNode, this.dhtNode6].filter((dht) => dht !== undefined);
  }

  async startDht(options: SessionDhtOptions): Promise<void> {
    // Loaded only when the DHT is on: --no-dht runs do not pay for the library.
    const { Dht } = await import('../discovery/dht.js');
    const host = this.session.host();
    const family = listenFamily(host);
    const common = { bootstrap: options.bootstrap, queryTimeoutMs: options.queryTimeoutMs };
    if (family !== 6) {
      // Each DHT shares its family's listen-port UDP socket with uTP when uTP is on.
      const dht = await Dht.create({ ...common, nodesFile: options.nodesFile, udp: this.session.udp() });
      dht.on('warning', (message: string) => this.session.warn(message));
      await dht.listen(this.session.listenPort(), family === 4 ? host : undefined);
      this.dhtNode = dht;
    }
    if (family !== 4 && this.session.ipv6Listening()) {
      const dht6 = await Dht.create({ ...common, nodesFile: options.nodesFile6, family: 6, udp: this.session.udp6() });
      dht6.on('warning', (message: string) => this.session.warn(message));
      try {
        await dht6.listen(this.session.listenPort(), family === 6 ? host : '::');
        this.dhtNode6 = dht6;
      } catch (error) {
        await dht6.close();
        this.session.warn(`IPv6 DHT is off: ${(error as Error).message}`);
      }
    }
    for (const torrent of this.session.torrents()) this.announceOnDht(torrent);
  }

  /** LSD on each family the listen socket takes: the IPv4 group, and the IPv6 one beside it. */
  async startLsd(options: SessionLsdOptions): Promise<void> {
    const host = this.session.host();
    const bound = host && !isWildcard(host) ? host : undefined;
    const family = listenFamily(host);
    const listenPort = () => this.session.listenPort();
    const started: LocalServiceDiscovery[] = [];
    const start = async (lsd: LocalServiceDiscovery, what: string) => {
      try {
        await lsd.start();
        started.push(lsd);
      } catch (error) {
        // Another program may hold the LSD port without SO_REUSEADDR: LSD is a nicety, not a reason to fail.
        this.session.warn(`${what} is off: ${(error as Error).message}`);
      }
    };
    if (family !== 6) {
      const lsd = new LocalServiceDiscovery({ listenPort, ...options, ...(bound ? { interface: bound, bindGroup: true } : {}) });
      await start(lsd, 'local service discovery');
    }
    if (family !== 4 && this.session.ipv6Listening()) {
      // IPv6 joins a group on an interface named by its scope: a bound session's is the one holding its address.
      const name = bound ? interfaceHolding(bound) : undefined;
      if (!bound || name) {
        const lsd = new LocalServiceDiscovery({
          listenPort,
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
    for (const torrent of this.session.torrents()) this.announceOnLan(torrent);
  }

  /** Announces a torrent on the DHT and the LAN while it runs, and withdraws it once it stops. */
  follow(torrent: Torrent): void {
    if (torrent.isRunning) {
      this.announceOnDht(torrent);
      this.announceOnLan(torrent);
    } else {
      this.withdraw(torrent);
    }
  }

  withdraw(torrent: Torrent): void {
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

  private announceOnDht(torrent: Torrent): void {
    const key = torrent.meta.infoHash;
    if (this.dhts().length === 0 || !torrent.isRunning || torrent.meta.private || this.dhtAnnouncers.has(key)) return;
    const announcer = new DhtAnnouncer(
      this.peerDht,
      torrent.infoHash,
      () => this.session.listenPort(),
      (peers) => torrent.addPeers(peers, 'dht'),
      { intervalMs: this.dhtAnnounceIntervalMs, active: () => torrent.isRunning },
    );
    this.dhtAnnouncers.set(key, announcer);
    announcer.start();
  }

  /** The network went away: the LSD sockets and DHT nodes close; the announcers wait for new ones. */
  async stopNetwork(): Promise<void> {
    for (const lsd of this.lsds) lsd.close();
    this.lsds = [];
    this.lsdRegistrations.clear();
    const dhts = this.dhts();
    this.dhtNode = undefined;
    this.dhtNode6 = undefined;
    await Promise.all(dhts.map((dht) => dht.close()));
  }

  /** Everything stops; the announcers and LSD at once, the DHT nodes (saving their tables) when the promise settles. */
  close(): Promise<void> {
    for (const announcer of this.dhtAnnouncers.values()) announcer.stop();
    this.dhtAnnouncers.clear();
    return this.stopNetwork();
  }
}
