import type { WireExtension } from '../extensions/extension-api.js';
import type { LsdOptions } from '../discovery/lsd.js';
import type { CheckHashing } from '../storage/storage.js';
import type { Torrent, TorrentStats } from '../torrent/torrent.js';
import type { NetworkBinding } from '../transport/binding.js';
import type { EncryptionMode } from '../transport/mse/policy.js';

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
  lsd?: SessionLsdOptions;
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

export type SessionLsdOptions = Omit<LsdOptions, 'listenPort' | 'family'> & { group6?: string; interface6?: string };

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
