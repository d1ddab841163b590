/**
 * BEP 11 peer exchange (ut_pex) as a WireExtension. Every peer that supports it hears, at most
 * once a minute, which peers we gained and lost since the last message; what peers tell us goes
 * into the torrent's known-peer list within per-message and per-peer limits.
 */
import type { ExtensionPeer, WireExtension } from './extension-api.js';
import type { PeerAddress } from '../discovery/tracker/types.js';
import { decodePex, encodePex, PEX_SEED, PEX_UTP, type PexPeer } from './pex-codec.js';
import { ipBytes } from './ip-bytes.js';

/** What ut_pex needs of its torrent. */
export interface PexSwarm {
  /** Connected peers at the address they accept connections on, with BEP 11 flags. */
  pexPeers(): (PexPeer & { id: string })[];
  /** Addresses a peer told us about. */
  learnPeers(peers: PeerAddress[], fromId: string): void;
}

export interface UtPexOptions {
  /** Minimum time between two messages to one peer (BEP 11: one minute). */
  intervalMs?: number;
  now?: () => number;
}

/** BEP 11: no more than 50 added and 50 dropped entries per message. */
export const MAX_PER_MESSAGE = 50;
/** Taken from one incoming message; the rest is ignored. */
const MAX_ACCEPTED_PER_MESSAGE = 100;
/** Taken from one peer over its whole connection. */
const MAX_ACCEPTED_PER_PEER = 1000;
/** Messages closer together than this are ignored (a well-behaved peer sends one a minute). */
const MIN_RECEIVE_GAP_MS = 10_000;
/** Undecodable messages tolerated before the peer is dropped. */
const MAX_GARBAGE = 3;

interface PeerState {
  handle: ExtensionPeer;
  /** What this peer has been told is connected, by address key. */
  told: Set<string>;
  lastSentAt: number;
  lastReceivedAt: number;
  accepted: number;
  garbage: number;
}

export class UtPex implements WireExtension {
  readonly name = 'ut_pex';
  private readonly peers = new Map<string, PeerState>();
  private readonly intervalMs: number;
  private readonly now: () => number;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly swarm: PexSwarm,
    options: UtPexOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  onPeer(handle: ExtensionPeer): void {
    this.peers.set(handle.id, { handle, told: new Set(), lastSentAt: -Infinity, lastReceivedAt: -Infinity, accepted: 0, garbage: 0 });
    if (!this.timer) {
      // Checked more often than the interval so a peer's first message does not wait a minute.
      this.timer = setInterval(() => this.tick(), Math.min(this.intervalMs, 5000));
      this.timer.unref();
    }
    // Give the new connection a moment so the list includes peers that are being attached now.
    setTimeout(() => this.sendTo(handle.id), 500).unref();
  }

  onPeerClosed(handle: ExtensionPeer): void {
    this.peers.delete(handle.id);
    if (this.peers.size === 0) this.stopTimer();
  }

  onMessage(handle: ExtensionPeer, payload: Buffer): void {
    const state = this.peers.get(handle.id);
    if (!state) return;
    let message;
    try {
      message = decodePex(payload);
    } catch {
      if (++state.garbage >= MAX_GARBAGE) handle.disconnect('sends malformed ut_pex messages');
      return;
    }
    const now = this.now();
    if (now - state.lastReceivedAt < MIN_RECEIVE_GAP_MS) return;
    state.lastReceivedAt = now;
    const room = Math.min(MAX_ACCEPTED_PER_MESSAGE, MAX_ACCEPTED_PER_PEER - state.accepted);
    const learned = message.added.filter((p) => usable(p.host)).slice(0, Math.max(0, room));
    if (learned.length === 0) return;
    state.accepted += learned.length;
    this.swarm.learnPeers(
      learned.map(({ host, port, flags }) => ({
        host,
        port,
        ...(flags & PEX_SEED ? { seed: true } : {}),
        ...(flags & PEX_UTP ? { utp: true } : {}),
      })),
      handle.id,
    );
  }

  close(): void {
    this.stopTimer();
    this.peers.clear();
  }

  /** Sends every peer that is due its diff. */
  tick(): void {
    for (const id of this.peers.keys()) this.sendTo(id);
  }

  private sendTo(id: string): void {
    const state = this.peers.get(id);
    if (!state || this.now() - state.lastSentAt < this.intervalMs) return;
    const current = new Map<string, PexPeer>();
    const self = key(state.handle.host, state.handle.remote.p ?? state.handle.port);
    for (const p of this.swarm.pexPeers()) {
      const k = key(p.host, p.port);
      if (p.id !== id && k !== self) current.set(k, p);
    }
    const added: PexPeer[] = [];
    for (const [k, p] of current) {
      if (added.length >= MAX_PER_MESSAGE) break;
      if (!state.told.has(k)) added.push(p);
    }
    const dropped: PeerAddress[] = [];
    for (const k of state.told) {
      if (dropped.length >= MAX_PER_MESSAGE) break;
      if (!current.has(k)) dropped.push(parseKey(k));
    }
    if (added.length === 0 && dropped.length === 0) return;
    for (const p of added) state.told.add(key(p.host, p.port));
    for (const p of dropped) state.told.delete(key(p.host, p.port));
    state.lastSentAt = this.now();
    state.handle.send(encodePex({ added, dropped }));
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

function key(host: string, port: number): string {
  return `${host}|${port}`;
}

function parseKey(k: string): PeerAddress {
  const at = k.lastIndexOf('|');
  return { host: k.slice(0, at), port: Number(k.slice(at + 1)) };
}

/** Unicast addresses only: no unspecified, multicast, broadcast or "this network" entries. */
export function usable(host: string): boolean {
  const b = ipBytes(host);
  if (!b) return false;
  if (b.length === 4) return b[0] !== 0 && b[0]! < 224;
  if (b[0] === 0xff) return false;
  return b.some((x) => x !== 0);
}
