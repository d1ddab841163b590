export type AnnounceEvent = 'started' | 'completed' | 'stopped';

export interface AnnounceParams {
  infoHash: Buffer;
  peerId: Buffer;
  port: number;
  uploaded: number;
  downloaded: number;
  left: number;
  event?: AnnounceEvent;
  numwant?: number;
  key?: number;
  trackerId?: string;
  /** BEP 7: our IPv6 address, for a tracker reached over IPv4 to hand out too (HTTP only). */
  ipv6?: string;
}

/** Where a peer was learned of (Transmission's peersFrom buckets). */
export type PeerSource = 'tracker' | 'dht' | 'pex' | 'lpd' | 'incoming' | 'ltep' | 'cache';

export const PEER_SOURCES: readonly PeerSource[] = ['tracker', 'dht', 'pex', 'lpd', 'incoming', 'ltep', 'cache'];

export interface PeerAddress {
  host: string;
  port: number;
  /** Known to have every piece (peer exchange's seed flag): a seed need not dial it. */
  seed?: boolean;
  /** Known to speak uTP (peer exchange's flag 0x04): dialled over uTP first. */
  utp?: boolean;
  /** Given by the user (--peer) or the magnet (x.pe), not found: retried soon and never forgotten. */
  explicit?: boolean;
}

export interface AnnounceResult {
  /** Seconds until the next regular announce. */
  interval: number;
  minInterval?: number;
  peers: PeerAddress[];
  /** Seeders. */
  complete?: number;
  /** Leechers. */
  incomplete?: number;
  trackerId?: string;
  warning?: string;
}

export interface ScrapeStats {
  complete: number;
  incomplete: number;
  downloaded: number;
}

export interface TrackerRequestOptions {
  /** Overall deadline for the whole request, retries included. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** UDP only: first retransmission timeout; BEP 15 says 15 s, doubling each try. */
  udpBaseTimeoutMs?: number;
  /** UDP only: packets sent without an answer before giving up (BEP 15 allows 9). */
  udpMaxTries?: number;
  /** A bound session's address: the request leaves from it, and only trackers of its family are reached. */
  localAddress?: string;
}
