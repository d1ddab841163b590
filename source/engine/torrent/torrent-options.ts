import type { Limiter } from '../discovery/tracker/limiter.js';
import type { WireExtension } from '../extensions/extension-api.js';
import type { WebSeedOptions } from '../discovery/webseed/web-seed.js';
import type { CheckHashing } from '../storage/storage.js';
import type { Connector } from '../transport/connector.js';
import type { HandedOverPeer } from '../transport/handover.js';
import type { NetworkBinding } from '../transport/binding.js';
import type { Housekeeper } from './housekeeper.js';
import type { RateLimiter } from './rate-limiter.js';
import type { TorrentState } from './torrent-context.js';

export interface TorrentOptions {
  directory: string;
  peerId: Buffer;
  /** Our listen port, announced to trackers. */
  listenPort: () => number;
  hash?: (data: Buffer) => Promise<Buffer>;
  /** Where full checks hash (see Storage). */
  check?: CheckHashing;
  /** Where the resume file lives; none = always recheck on start. */
  resumePath?: string;
  /** Skip the check on start: the data is known to be complete (a fresh `create`). */
  seedMode?: boolean;
  maxPeers?: number;
  uploadSlots?: number;
  /** Pieces kept in memory for uploading (finished ones, and ones read from disk); 16 MiB by default. */
  readCacheBytes?: number;
  globalDownload?: RateLimiter;
  globalUpload?: RateLimiter;
  /** Whether the session may open another connection now (global cap). */
  mayConnect?: () => boolean;
  sequential?: boolean;
  filePriorities?: Uint8Array;
  announceTimeoutMs?: number;
  /** The session's bound on announces running at once. */
  announceLimiter?: Limiter;
  /** The session's bound on full checks running at once (see check-slots.ts). */
  checkLimiter?: Limiter;
  udpBaseTimeoutMs?: number;
  handshakeTimeoutMs?: number;
  idleTimeoutMs?: number;
  /**
   * BEP 10 extensions (ut_metadata, ...); local message ids follow this order from 1. The torrent
   * adds its own ut_pex after them unless the torrent is private or `pex` is false.
   */
  extensions?: WireExtension[];
  pex?: boolean;
  /** BEP 19 web seeds from the metainfo's url-list; on unless false. */
  webSeeds?: boolean | WebSeedOptions;
  /** Drives the periodic work (tick, rechoke, resume save); the session passes its own. */
  housekeeper?: Housekeeper;
  /** Turns addresses into handshaken wires; the session passes its own (one per peer id). */
  connector?: Connector;
  /** Our IPv6 address for the extension handshake; absent when we take no IPv6 connections (then none are learnt either). */
  ownIpv6?: () => string | undefined;
  /** A bound session's address (--bind, --interface): trackers and web seeds use it, and stop while it is down. */
  binding?: NetworkBinding;
  /** Connections made for this torrent before it ran (a magnet's metadata came over them): adopted when it starts. */
  handedOver?: () => HandedOverPeer[];
  /** Whether there are connections to hand over (without taking them). */
  hasHandedOver?: () => boolean;
}

/** Every event a Torrent emits, with its arguments. */
export interface TorrentEvents {
  state: [state: TorrentState];
  /** The torrent was started (true) or stopped (false): at start() and stop(), before their work is done. */
  running: [running: boolean];
  /** Progress of a full check: pieces hashed of total. */
  checking: [done: number, total: number];
  /** Every wanted piece is had: on completion, and on a start that finds the download complete. */
  done: [];
  piece: [index: number];
  'hash-failed': [index: number];
  peer: [id: string];
  'peer-closed': [id: string];
  trackers: [];
  tick: [];
  warning: [message: string];
  'error-state': [message: string];
}
