/**
 * The known-peer list and the one dialer over it, shared by a torrent's peer set and the
 * magnet metadata fetcher. How often an address is retried, and when it is given up, is a
 * DialPolicy: data, not a code path per caller.
 */
import type { Duplex } from 'node:stream';
import type { Handshake } from '../wire/handshake.js';
import type { PeerWire } from '../wire/peer-wire.js';
import type { Connector, WireSettings } from './connector.js';
import type { Dialing } from './transport.js';

export interface DialPolicy {
  connectTimeoutMs: number;
  /**
   * What the retry count counts: 'failures' = consecutive dials that ended without a handshake
   * we kept (reset by one); 'attempts' = every dial, and a retry waits after any connection ends.
   */
  count: 'failures' | 'attempts';
  /** The n-th retry waits min(retryMaxMs, retryBaseMs * 2^(n-1)). */
  retryBaseMs: number;
  retryMaxMs: number;
  /** After this many (of what `count` counts) the address is given up... */
  maxTries: number;
  /** ...and then forgotten, or kept (still listed, never dialled). */
  giveUp: 'forget' | 'keep';
  /** Dials under way (not yet handshaken) at most; the caller's own cap on connections comes on top. */
  maxHalfOpen: number;
  /** For the wires it opens, unless the caller's settings name their own (PeerWire's defaults otherwise). */
  handshakeTimeoutMs?: number;
  idleTimeoutMs?: number;
}

/** A torrent's swarm: 10 s to connect, then 10 s, 20 s, ... up to 10 min; forgotten after 7 failures in a row; 8 dials at a time. */
export const SWARM_DIAL_POLICY: DialPolicy = {
  connectTimeoutMs: 10_000,
  count: 'failures',
  retryBaseMs: 10_000,
  retryMaxMs: 600_000,
  maxTries: 7,
  giveUp: 'forget',
  maxHalfOpen: 8,
};

/**
 * A peer the user (--peer) or the magnet (x.pe) named: it is there on purpose, so it is
 * retried soon (1 s, 2 s, 4 s ... up to 30 s: a client may still be starting, or still hold
 * our last connection) and never forgotten.
 */
export const EXPLICIT_DIAL_POLICY: DialPolicy = {
  connectTimeoutMs: 10_000,
  count: 'failures',
  retryBaseMs: 1000,
  retryMaxMs: 30_000,
  maxTries: Infinity,
  giveUp: 'keep',
  maxHalfOpen: 8,
};

/**
 * Magnet metadata: 4 tries per address (a peer may refuse us while it starts up), 1 s, 2 s, 4 s
 * apart; a handshake within 10 s, and a minute's silence ends a connection.
 */
export const METADATA_DIAL_POLICY: DialPolicy = {
  connectTimeoutMs: 10_000,
  count: 'attempts',
  retryBaseMs: 1000,
  retryMaxMs: Infinity,
  maxTries: 4,
  giveUp: 'keep',
  maxHalfOpen: Infinity,
  handshakeTimeoutMs: 10_000,
  idleTimeoutMs: 60_000,
};

export interface KnownPeer {
  readonly key: string;
  readonly host: string;
  readonly port: number;
  tries: number;
  nextTryAt: number;
  /** A dial to it is under way (not yet handshaken or failed). */
  dialing: boolean;
  /** Its retries: the list's own policy, or EXPLICIT_DIAL_POLICY for an address given on purpose. */
  policy: DialPolicy;
}

/** Peer addresses heard of, with when each may be tried again. */
export class KnownPeers {
  private readonly peers = new Map<string, KnownPeer>();

  constructor(readonly policy: DialPolicy) {}

  get size(): number {
    return this.peers.size;
  }

  has(key: string): boolean {
    return this.peers.has(key);
  }

  /**
   * Adds the address unless known; returns whether it was new. A known one given with another
   * policy (an explicit peer a tracker also named) takes it, and starts its retries afresh.
   */
  add(host: string, port: number, policy: DialPolicy = this.policy): boolean {
    const key = addressKey(host, port);
    const known = this.peers.get(key);
    if (known) {
      if (policy !== this.policy && known.policy !== policy) {
        known.policy = policy;
        known.tries = 0;
        if (!known.dialing) known.nextTryAt = 0;
      }
      return false;
    }
    this.peers.set(key, { key, host, port, tries: 0, nextTryAt: 0, dialing: false, policy });
    return true;
  }

  delete(key: string): void {
    this.peers.delete(key);
  }

  values(): IterableIterator<KnownPeer> {
    return this.peers.values();
  }

  /** Not being dialled, not given up, and its retry time has come. */
  isDue(peer: KnownPeer, now: number): boolean {
    return !peer.dialing && peer.tries < peer.policy.maxTries && peer.nextTryAt <= now;
  }

  /** Never to be dialled again (it was reached, and cannot help). */
  giveUp(key: string): void {
    const peer = this.peers.get(key);
    if (peer) peer.tries = peer.policy.maxTries;
  }

  /** A connection to it ended: with 'attempts', the next try waits its backoff. */
  ended(key: string, now = Date.now()): void {
    const peer = this.peers.get(key);
    if (peer && peer.policy.count === 'attempts') peer.nextTryAt = now + this.retryDelay(peer);
  }

  begin(peer: KnownPeer): void {
    peer.dialing = true;
    if (peer.policy.count === 'attempts') {
      peer.tries++;
      peer.nextTryAt = Infinity; // until this attempt ends
    }
  }

  failed(peer: KnownPeer, now = Date.now()): void {
    peer.dialing = false;
    if (peer.policy.count === 'attempts') {
      this.ended(peer.key, now);
      return;
    }
    peer.tries++;
    peer.nextTryAt = now + this.retryDelay(peer);
    if (peer.tries >= peer.policy.maxTries && peer.policy.giveUp === 'forget') this.peers.delete(peer.key);
  }

  succeeded(peer: KnownPeer): void {
    peer.dialing = false;
    if (peer.policy.count === 'failures') peer.tries = 0;
  }

  private retryDelay({ tries, policy }: KnownPeer): number {
    return Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** (tries - 1));
  }
}

export interface DialCallbacks {
  settings(): WireSettings;
  opened?(wire: PeerWire): void;
  /** The remote's handshake (see Connector): false refuses it (the wire is destroyed; a failed dial). */
  accept(wire: PeerWire, h: Handshake): boolean;
  /** An accepted handshake, once the known list counts the dial a success: attach listeners now. */
  connected(wire: PeerWire, stream: Duplex): void;
  /** After any failed dial (refused handshakes included), once the known list is updated. */
  failed?(): void;
}

/** Dials known peers through the connector and keeps their retry state. */
export class Dialer {
  readonly known: KnownPeers;
  /** Dials whose stream is not open yet. */
  connecting = 0;
  /** Dials not yet handshaken (or failed): `connecting` plus those awaiting the remote's handshake. */
  halfOpen = 0;
  private readonly dials = new Set<Dialing>();

  constructor(
    private readonly connector: Connector,
    readonly policy: DialPolicy,
  ) {
    this.known = new KnownPeers(policy);
  }

  get atHalfOpenLimit(): boolean {
    return this.halfOpen >= this.policy.maxHalfOpen;
  }

  dial(peer: KnownPeer, callbacks: DialCallbacks): void {
    this.known.begin(peer);
    this.halfOpen++;
    this.connecting++;
    let open = false;
    let settled = false;
    const settle = (ok: boolean) => {
      if (settled) return;
      settled = true;
      this.halfOpen--;
      if (!open) this.connecting--;
      this.dials.delete(dialing);
      if (ok) this.known.succeeded(peer);
      else {
        this.known.failed(peer);
        callbacks.failed?.();
      }
    };
    const dialing = this.connector.connect(peer.host, peer.port, peer.policy.connectTimeoutMs, {
      settings: () => {
        const settings = callbacks.settings();
        return {
          ...settings,
          handshakeTimeoutMs: settings.handshakeTimeoutMs ?? this.policy.handshakeTimeoutMs,
          idleTimeoutMs: settings.idleTimeoutMs ?? this.policy.idleTimeoutMs,
        };
      },
      opened: (wire) => {
        open = true;
        this.connecting--;
        callbacks.opened?.(wire);
      },
      handshake: (wire, h, stream) => {
        if (!callbacks.accept(wire, h)) {
          settle(false);
          wire.destroy();
          return;
        }
        settle(true);
        callbacks.connected(wire, stream);
      },
      failed: () => settle(false),
    });
    this.dials.add(dialing);
  }

  /** Cancels every dial under way; their callbacks do not run. */
  cancelAll(): void {
    for (const dialing of this.dials) dialing.cancel();
    this.dials.clear();
    this.halfOpen = 0;
    this.connecting = 0;
  }
}

export function addressKey(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
