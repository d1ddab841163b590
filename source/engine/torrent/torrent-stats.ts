import type { PeerSource } from '../discovery/tracker/types.js';
import type { Bitfield } from '../codec/bitfield.js';
import type { Metainfo } from '../metainfo/metainfo.js';
import { clientFromPeerId } from '../wire/peer-id.js';
import type { Peer } from './peer.js';
import { pieceSizeUnchecked } from '../metainfo/piece-layout.js';
import type { PiecePicker } from './picker.js';
import type { TorrentState } from './torrent-context.js';

export type PeersFrom = Record<PeerSource, number>;

export interface TorrentStats {
  infoHash: string;
  name: string;
  state: TorrentState;
  error?: string;
  length: number;
  pieceCount: number;
  pieceLength: number;
  havePieces: number;
  /** Bytes of verified data we hold (wanted or not). */
  completedBytes: number;
  progress: number;
  downloadRate: number;
  uploadRate: number;
  /** Payload bytes received and sent since the torrent was added (this run). */
  downloaded: number;
  uploaded: number;
  wasted: number;
  ratio: number;
  peers: number;
  seeds: number;
  /** Connected peers by where they were learned of. */
  peersFrom: PeersFrom;
  knownPeers: number;
  etaSeconds?: number;
  addedAt: number;
  completedAt?: number;
  directory: string;
  hashFailures: number;
}

export interface PeerStats {
  id: string;
  host: string;
  port: number;
  client: string;
  incoming: boolean;
  /** How the connection's bytes travel. */
  transport: 'tcp' | 'utp';
  /** RC4 over MSE/PE. */
  encrypted: boolean;
  amChoking: boolean;
  amInterested: boolean;
  peerChoking: boolean;
  peerInterested: boolean;
  snubbed: boolean;
  progress: number;
  downloadRate: number;
  uploadRate: number;
  downloaded: number;
  uploaded: number;
  requests: number;
  uploadQueue: number;
}

export interface PieceStats {
  have: Uint8Array;
  downloading: number[];
  availability: Uint16Array;
}

/** A torrent's payload byte counts and the samples its rates are measured over. */
export class Traffic {
  downloaded = 0;
  uploaded = 0;
  wasted = 0;
  hashFailures = 0;
  /** Bytes of pieces that failed their hash check and were discarded (Transmission's corruptEver). */
  corrupt = 0;
  private readonly samples: { at: number; down: number; up: number }[] = [];

  sample(now: number): void {
    this.samples.push({ at: now, down: this.downloaded, up: this.uploaded });
    while (this.samples.length > 6) this.samples.shift();
  }

  /** Whether the rate window saw no traffic; if so it is emptied. */
  settleIfQuiet(): boolean {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (first && last && (first.down !== last.down || first.up !== last.up)) return false;
    // Traffic after a quiet spell measures from its own start, not from samples long past.
    this.samples.length = 0;
    return true;
  }

  rates(running: boolean): { down: number; up: number } {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.at === first.at || !running) return { down: 0, up: 0 };
    const seconds = (last.at - first.at) / 1000;
    return { down: (last.down - first.down) / seconds, up: (last.up - first.up) / seconds };
  }
}

export interface TorrentStatsInput {
  meta: Metainfo;
  /** The pieces we have: the picker's, or a stopped torrent's saved ones. */
  have: Bitfield;
  traffic: Traffic;
  running: boolean;
  state: TorrentState;
  error?: string;
  peers: Iterable<Peer>;
  peerCount: number;
  knownPeers: number;
  addedAt: number;
  completedAt?: number;
  directory: string;
}

export function torrentStats(t: TorrentStatsInput): TorrentStats {
  const { meta, traffic } = t;
  const have = t.have;
  const haveCount = have.count();
  const completedBytes = have.isComplete() ? meta.length : completedBytesOf(have, meta);
  const rates = traffic.rates(t.running);
  let seeds = 0;
  const peersFrom: PeersFrom = { tracker: 0, dht: 0, pex: 0, lpd: 0, incoming: 0, ltep: 0, cache: 0 };
  for (const p of t.peers) {
    if (p.isSeed) seeds++;
    peersFrom[p.source]++;
  }
  const left = meta.length - completedBytes;
  return {
    infoHash: meta.infoHash,
    name: meta.name,
    state: t.state,
    error: t.error,
    length: meta.length,
    pieceCount: meta.pieceCount,
    pieceLength: meta.pieceLength,
    havePieces: haveCount,
    completedBytes,
    progress: meta.length === 0 ? 1 : completedBytes / meta.length,
    downloadRate: rates.down,
    uploadRate: rates.up,
    downloaded: traffic.downloaded,
    uploaded: traffic.uploaded,
    wasted: traffic.wasted,
    ratio: traffic.downloaded > 0 ? traffic.uploaded / traffic.downloaded : 0,
    peers: t.peerCount,
    seeds,
    peersFrom,
    knownPeers: t.knownPeers,
    etaSeconds: rates.down > 0 && left > 0 ? left / rates.down : undefined,
    addedAt: t.addedAt,
    completedAt: t.completedAt,
    directory: t.directory,
    hashFailures: traffic.hashFailures,
  };
}

function completedBytesOf(have: Bitfield, meta: Metainfo): number {
  const count = have.count();
  if (count === 0) return 0;
  const last = meta.pieceCount - 1;
  return (
    count * meta.pieceLength -
    (have.get(last) ? meta.pieceLength - pieceSizeUnchecked(meta.length, meta.pieceLength, meta.pieceCount, last) : 0)
  );
}

export function peerStatsOf(peers: Iterable<Peer>, pieceCount: number, now = Date.now()): PeerStats[] {
  return [...peers].map((p) => ({
    id: p.id,
    host: p.host,
    port: p.port,
    client: p.wire.remoteHandshake ? clientFromPeerId(p.wire.remoteHandshake.peerId) : 'unknown',
    incoming: p.incoming,
    transport: (p.socket as { transport?: string }).transport === 'utp' ? 'utp' : 'tcp',
    encrypted: p.wire.encrypted,
    amChoking: p.amChoking,
    amInterested: p.amInterested,
    peerChoking: p.peerChoking,
    peerInterested: p.peerInterested,
    snubbed: p.snubbed,
    progress: pieceCount ? p.bitfield.count() / pieceCount : 0,
    downloadRate: p.wire.downloadRate.rate(now),
    uploadRate: p.wire.uploadRate.rate(now),
    downloaded: p.wire.downloadRate.total,
    uploaded: p.wire.uploadRate.total,
    requests: p.requests.size,
    uploadQueue: p.uploadQueue.length,
  }));
}

/** Per piece: have, downloading (blocks in flight) and how many connected peers have it (none without a picker: a stopped torrent). */
export function pieceStatsOf(
  have: Bitfield,
  picker: Pick<PiecePicker, 'availability'> | undefined,
  pieceCount: number,
  assembling: Iterable<number>,
  peers: Iterable<Peer>,
): PieceStats {
  const availability = new Uint16Array(pieceCount);
  if (picker) for (let i = 0; i < availability.length; i++) availability[i] = picker.availability(i);
  const downloading = new Set<number>(assembling);
  for (const p of peers) for (const r of p.requests.values()) downloading.add(r.index);
  return { have: Uint8Array.from(have.buffer), downloading: [...downloading], availability };
}
