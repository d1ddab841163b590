import type { Duplex } from 'node:stream';
import { Bitfield } from '../codec/bitfield.js';
import type { PeerAddress, PeerSource } from '../discovery/tracker/types.js';
import { PEX_REACHABLE, PEX_SEED, PEX_UTP } from '../extensions/pex-codec.js';
import type { PexSwarm } from '../extensions/ut-pex.js';
import type { Connector } from '../transport/connector.js';
import { addressKey, Dialer, EXPLICIT_DIAL_POLICY, SWARM_DIAL_POLICY, type KnownPeer } from '../transport/dialer.js';
import type { HandedOverPeer } from '../transport/handover.js';
import type { ExtensionHandshake } from '../wire/extension.js';
import type { Message } from '../wire/messages.js';
import type { PeerWire } from '../wire/peer-wire.js';
import { Peer } from './peer.js';
import type { TorrentContext } from './torrent-context.js';

export interface PeerSetOptions {
  peerId: Buffer;
  maxPeers: number;
  /** Whether the session may open another connection now (global cap). */
  mayConnect?: () => boolean;
  /** Connections made for this torrent elsewhere (a magnet's metadata fetch), adopted once it runs. */
  handedOver?: () => HandedOverPeer[];
  handshakeTimeoutMs?: number;
  idleTimeoutMs?: number;
}

/** The running torrent's parts that take the connections: made for the first peer of a run (the set outlives a stop, they do not). */
export interface PeerSetLinks {
  /** Our extension handshake, sent on the connections we open. */
  extensionHandshake(peerHost: string): ExtensionHandshake;
  /** A new peer is in the set: the torrent wires up its messages. */
  attached(peer: Peer): void;
}

/** Peer exchange stops adding to the known list beyond this many addresses. */
const MAX_KNOWN_FROM_PEX = 1000;

/** Sources remembered per torrent, at most. */
const MAX_SOURCES = 5000;

/** A torrent's connections: the known addresses and dialing them, incoming ones, bans. */
export class PeerSet {
  private readonly peers = new Map<string, Peer>();
  private readonly banned = new Set<string>();
  /** Addresses known to be seeds (peer exchange said so, or a connection showed it): a seed does not dial them. */
  private readonly seeds = new Set<string>();
  private readonly dialer: Dialer;
  /** Where each address was first learned of; made on the first address (10,000 idle torrents have none). */
  private sources?: Map<string, PeerSource>;

  constructor(
    private readonly ctx: Pick<TorrentContext, 'meta' | 'state' | 'running' | 'warn'>,
    private readonly connector: Connector,
    /** The running torrent's parts, made on first use; none while it is stopped. */
    private readonly links: () => PeerSetLinks | undefined,
    private readonly options: PeerSetOptions,
  ) {
    this.dialer = new Dialer(connector, SWARM_DIAL_POLICY);
  }

  get size(): number {
    return this.peers.size;
  }

  get halfOpen(): number {
    return this.dialer.halfOpen;
  }

  get knownCount(): number {
    return this.dialer.known.size;
  }

  get(id: string): Peer | undefined {
    return this.peers.get(id);
  }

  has(id: string): boolean {
    return this.peers.has(id);
  }

  values(): IterableIterator<Peer> {
    return this.peers.values();
  }

  [Symbol.iterator](): IterableIterator<Peer> {
    return this.peers.values();
  }

  /** Addresses to dial, learned of from `from` (explicit ones, and those without a source, count as the tracker's). */
  addPeers(addresses: PeerAddress[], from: PeerSource = 'tracker'): void {
    for (const { host, port, seed, explicit, utp } of addresses) {
      if (!port || port > 65535) continue;
      const key = addressKey(host, port);
      if (this.banned.has(key)) continue;
      if (utp) this.connector.learnSpeaksUtp(host, port);
      this.sources ??= new Map();
      if (!this.sources.has(key) && this.sources.size < MAX_SOURCES) this.sources.set(key, from);
      this.dialer.known.add(host, port, explicit ? EXPLICIT_DIAL_POLICY : SWARM_DIAL_POLICY);
      if (seed) this.seeds.add(key);
    }
    if (this.ctx.running) this.connectMore();
  }

  /** An incoming connection whose handshake named this torrent (the session answered it). */
  attachIncoming(wire: PeerWire, stream: Duplex & { remoteAddress?: string; remotePort?: number }): void {
    const host = normalizeHost(stream.remoteAddress ?? '?');
    const port = stream.remotePort ?? 0;
    if (!this.ctx.running || this.ctx.state === 'checking' || this.peers.size >= this.options.maxPeers || this.isBanned(host, port, wire)) {
      wire.destroy();
      return;
    }
    this.attach(wire, stream, host, port, true);
  }

  connectMore(): void {
    if (!this.ctx.running || this.ctx.state === 'checking') return;
    for (const handed of this.options.handedOver?.() ?? []) this.adopt(handed);
    const max = this.options.maxPeers;
    const now = Date.now();
    const seeding = this.ctx.state === 'seeding';
    const known = this.dialer.known;
    for (const candidate of known.values()) {
      if (this.peers.size + this.dialer.halfOpen >= max || this.dialer.atHalfOpenLimit) break;
      // A seed dials leechers too (as libtorrent does): a firewalled seed, or one whose leechers
      // never dial (Transmission does not dial 127.x), would serve no one otherwise.
      if (seeding && this.seeds.has(candidate.key)) continue;
      if (!known.isDue(candidate, now)) continue;
      if (this.peers.has(candidate.key) || this.banned.has(candidate.key)) continue;
      if (this.options.mayConnect && !this.options.mayConnect()) break;
      this.connectTo(candidate);
    }
  }

  private connectTo(candidate: KnownPeer): void {
    const infoHash = this.ctx.meta.infoHashBuffer;
    this.dialer.dial(candidate, {
      settings: () => ({
        infoHash,
        // A dial that outlived the torrent's run offers no extensions; accept() turns it away anyway.
        extensions: this.links()?.extensionHandshake(candidate.host),
        handshakeTimeoutMs: this.options.handshakeTimeoutMs,
        idleTimeoutMs: this.options.idleTimeoutMs,
      }),
      accept: (wire, h) =>
        h.infoHash.equals(infoHash) &&
        !h.peerId.equals(this.options.peerId) &&
        this.ctx.running &&
        this.keepsNew(wire, candidate.host, false),
      connected: (wire, stream) => this.attach(wire, stream, candidate.host, candidate.port, false),
      // The slot is free now: trackers list peers long gone, and the live ones behind them
      // should not wait for the next tick.
      failed: () =>
        setImmediate(() => {
          if (this.ctx.running) this.connectMore();
        }),
    });
  }

  /** A connection the metadata fetcher made: it joins as one we dialled, and what the peer said meanwhile is replayed. */
  private adopt(handed: HandedOverPeer): void {
    const { wire } = handed;
    const said = handed.release();
    const h = wire.remoteHandshake;
    if (!said || wire.destroyed || !h || !h.infoHash.equals(this.ctx.meta.infoHashBuffer) || this.peers.size >= this.options.maxPeers) {
      wire.destroy();
      return;
    }
    this.attach(wire, handed.stream, handed.host, handed.port, false, said);
  }

  private isBanned(host: string, port: number, wire: PeerWire): boolean {
    if (this.banned.has(addressKey(host, port))) return true;
    const id = wire.remoteHandshake?.peerId;
    return id !== undefined && this.banned.has(`id:${id.toString('hex')}`);
  }

  private attach(wire: PeerWire, stream: Duplex, host: string, port: number, incoming: boolean, said?: Message[]): void {
    const id = addressKey(host, port);
    const links = this.links();
    if (
      !links ||
      this.peers.has(id) ||
      this.isBanned(host, port, wire) ||
      wire.remoteHandshake?.peerId.equals(this.options.peerId) ||
      !this.keepsNew(wire, host, incoming)
    ) {
      wire.destroy();
      return;
    }
    // The connection this one replaces closes (and leaves the set) on its own.
    this.sameRemote(wire)?.wire.destroy();
    (stream as Duplex & { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
    const peer = new Peer(id, wire, stream, host, port, incoming, new Bitfield(this.ctx.meta.pieceCount));
    peer.source = incoming ? 'incoming' : (this.sources?.get(addressKey(host, port)) ?? 'tracker');
    peer.handedOver = said;
    this.peers.set(id, peer);
    if (!incoming) this.dialer.known.add(host, port);
    else if (isUtp(stream)) this.learnListenPortSpeaksUtp(wire, host);
    links.attached(peer);
  }

  /** A peer that reached us over uTP speaks it at the listen port its extension handshake names too. */
  private learnListenPortSpeaksUtp(wire: PeerWire, host: string): void {
    const learn = (p: number | undefined) => p && p <= 65535 && this.connector.learnSpeaksUtp(host, p);
    if (wire.remoteExtensions) learn(wire.remoteExtensions.p);
    else wire.once('extended-handshake', (h: ExtensionHandshake) => learn(h.p));
  }

  /** The peer on another connection with this wire's peer id (e.g. one we learned through PEX), if any. */
  private sameRemote(wire: PeerWire): Peer | undefined {
    const pid = wire.remoteHandshake?.peerId;
    if (!pid) return undefined;
    for (const p of this.peers.values()) if (p.wire !== wire && !p.wire.destroyed && p.wire.remoteHandshake?.peerId.equals(pid)) return p;
    return undefined;
  }

  /**
   * Whether a new connection to a peer stays: yes unless we are connected to its peer id already.
   * When both ends dialled each other at once (a seed dials leechers too), each would otherwise
   * drop the other's and both connections die: both ends keep the one the lower peer id dialled.
   * A peer that dials us again from the same host while we still count its last connection has
   * lost that one (its address went away, say, and the close never reached us): the new one
   * stays and the old goes, where refusing it kept the peer out until ours timed out (minutes).
   * Only from the same host: a peer id is no secret, and another host must not close a peer's
   * connection by claiming its id.
   */
  private keepsNew(wire: PeerWire, host: string, incoming: boolean): boolean {
    const existing = this.sameRemote(wire);
    const theirs = wire.remoteHandshake?.peerId;
    if (!existing || !theirs) return true;
    if (existing.incoming === incoming) return incoming && existing.host === host;
    const oursIsLower = Buffer.compare(this.options.peerId, theirs) < 0;
    return incoming ? !oursIsLower : oursIsLower;
  }

  /** Takes a closed peer out; false if it was not (or no longer) in the set. */
  remove(peer: Peer): boolean {
    if (this.peers.get(peer.id) !== peer) return false;
    this.peers.delete(peer.id);
    if (peer.isSeed && !peer.incoming) this.seeds.add(peer.id);
    return true;
  }

  ban(peer: Peer, reason: string): void {
    this.banned.add(peer.id);
    const pid = peer.wire.remoteHandshake?.peerId;
    if (pid) this.banned.add(`id:${pid.toString('hex')}`);
    this.dialer.known.delete(peer.id);
    this.ctx.warn(`banned ${peer.id}: ${reason}`);
    peer.wire.destroy(new Error(reason));
  }

  /** Closes every connection of a running torrent: each goes the way of any closed peer (its requests are freed, its address dialled again later). */
  dropAll(): void {
    for (const peer of [...this.peers.values()]) peer.wire.destroy();
  }

  /** Closes every connection (dials under way finish on their own and find the torrent stopped). */
  closeAll(): void {
    for (const peer of [...this.peers.values()]) peer.wire.destroy();
    this.peers.clear();
  }

  /** What peer exchange sees of this torrent: connected peers at their listen ports, and a way in for new ones. */
  pexSwarm(): PexSwarm {
    return {
      pexPeers: () => {
        const out = [];
        for (const p of this.peers.values()) {
          const port = p.incoming ? p.wire.remoteExtensions?.p : p.port;
          if (!port) continue;
          const utp = isUtp(p.socket) ? PEX_UTP : 0;
          out.push({ id: p.id, host: p.host, port, flags: (p.isSeed ? PEX_SEED : 0) | (p.incoming ? 0 : PEX_REACHABLE) | utp });
        }
        return out;
      },
      learnPeers: (addresses) => {
        const known = this.dialer.known.size;
        if (known < MAX_KNOWN_FROM_PEX) this.addPeers(addresses.slice(0, MAX_KNOWN_FROM_PEX - known), 'pex');
      },
    };
  }
}

function isUtp(stream: Duplex): boolean {
  return (stream as { transport?: string }).transport === 'utp';
}

function normalizeHost(host: string): string {
  return host.startsWith('::ffff:') ? host.slice(7) : host;
}
