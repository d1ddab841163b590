/**
 * Magnet -> Metainfo: gathers peers for the info-hash (x.pe, the magnet's trackers, the
 * DHT), fetches the info dictionary from them over ut_metadata, and returns it as a
 * Metainfo carrying the magnet's trackers and web seeds.
 */
import type { PeerDht } from '../discovery/dht-pair.js';
import type { Magnet } from '../metainfo/magnet.js';
import { metainfoFromInfoBytes, type Metainfo } from '../metainfo/metainfo.js';
import { MetadataError, MetadataFetcher, type MetadataFetchStats } from './metadata-fetcher.js';
import { announce } from '../discovery/tracker/index.js';
import type { Connector } from '../transport/connector.js';
import { addressKey } from '../transport/dialer.js';
import type { HandedOverPeer } from '../transport/handover.js';
import type { PeerAddress } from '../discovery/tracker/types.js';

export interface ResolveMagnetOptions {
  peerId: Buffer;
  /** Our listen port (told to trackers and peers); 0 when not listening. */
  listenPort: number;
  dht?: PeerDht;
  /** A bound session's address for tracker requests; throws while its network is down. */
  localAddress?: () => string | undefined;
  /** Overall deadline; default 120 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Called on each change and at least once a second. */
  onProgress?: (stats: MetadataFetchStats) => void;
  trackerTimeoutMs?: number;
  udpBaseTimeoutMs?: number;
  /** The session's, so that metadata peers are dialled like every other; default: plain TCP. */
  connector?: Connector;
  /** Takes the connections the metadata came over, for the torrent to keep; without it they are closed. */
  handOver?: (peers: HandedOverPeer[]) => void;
}

export interface ResolvedMagnet {
  meta: Metainfo;
  /** Every peer address heard of while resolving, for the download to start from (the magnet's x.pe marked explicit). */
  peers: PeerAddress[];
}

const SOURCE_RETRY_MS = 15_000;

export async function resolveMagnet(magnet: Magnet, options: ResolveMagnetOptions): Promise<ResolvedMagnet> {
  if (magnet.infoHashV2?.startsWith(magnet.infoHash)) {
    throw new MetadataError('this magnet has only a v2 info-hash (btmh); fetching metadata needs a v1 btih');
  }
  const infoHash = Buffer.from(magnet.infoHash, 'hex');
  const timeoutMs = options.timeoutMs ?? 120_000;
  const fetcher = new MetadataFetcher({ infoHash, peerId: options.peerId, listenPort: options.listenPort, connector: options.connector });
  const progress = () => options.onProgress?.(fetcher.stats());
  fetcher.on('progress', progress);
  fetcher.on('peer', progress);
  const ticker = setInterval(progress, 1000);

  let stopped = false;
  const timers: NodeJS.Timeout[] = [];
  const later = (fn: () => void, ms: number) => {
    if (stopped) return;
    const timer = setTimeout(fn, ms);
    timer.unref();
    timers.push(timer);
  };
  const askTrackers = () => {
    for (const url of magnet.trackers) {
      const params = {
        infoHash,
        peerId: options.peerId,
        port: options.listenPort || 6881,
        uploaded: 0,
        downloaded: 0,
        left: magnet.length ?? 1,
        numwant: 50,
      };
      Promise.resolve()
        .then(() =>
          announce(url, params, {
            timeoutMs: options.trackerTimeoutMs ?? 15_000,
            udpBaseTimeoutMs: options.udpBaseTimeoutMs,
            localAddress: options.localAddress?.(),
          }),
        )
        .then((result) => stopped || fetcher.addPeers(result.peers))
        .catch(() => undefined);
    }
    if (magnet.trackers.length > 0) later(askTrackers, SOURCE_RETRY_MS * 2);
  };
  let dhtRounds = 0;
  const askDht = () => {
    if (!options.dht || stopped) return;
    dhtRounds++;
    void options.dht
      .findPeers(infoHash, (peer) => stopped || fetcher.addPeers([peer]))
      .then(() => later(askDht, Math.min(SOURCE_RETRY_MS, 1000 * 2 ** dhtRounds)));
  };

  const onAbort = () => fetcher.close(new MetadataError('metadata fetch interrupted'));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const deadline = setTimeout(
    () => fetcher.close(new MetadataError(timeoutMessage(magnet, fetcher.stats(), timeoutMs, options.dht?.nodeCount()))),
    timeoutMs,
  );
  try {
    fetcher.addPeers(magnet.peers);
    askTrackers();
    askDht();
    const infoBytes = await fetcher.result;
    const handed = fetcher.takeHandedOver();
    let meta: Metainfo;
    try {
      meta = metainfoFromInfoBytes(infoBytes, { announce: magnet.trackers.map((url) => [url]), urlList: magnet.webSeeds });
    } catch (error) {
      for (const peer of handed) peer.wire.destroy();
      throw error;
    }
    if (options.handOver) options.handOver(handed);
    else for (const peer of handed) peer.wire.destroy();
    // The magnet's own peers (x.pe) are there on purpose: the torrent retries them sooner.
    const named = new Set(magnet.peers.map((p) => addressKey(p.host, p.port)));
    const peers = fetcher.peerAddresses().map((p) => (named.has(addressKey(p.host, p.port)) ? { ...p, explicit: true } : p));
    return { meta, peers };
  } finally {
    stopped = true;
    clearTimeout(deadline);
    clearInterval(ticker);
    for (const timer of timers) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    fetcher.close();
  }
}

function timeoutMessage(magnet: Magnet, s: MetadataFetchStats, timeoutMs: number, dhtNodes: number | undefined): string {
  const sources = [
    `${magnet.peers.length} x.pe`,
    `${magnet.trackers.length} tracker${magnet.trackers.length === 1 ? '' : 's'}`,
    dhtNodes === undefined ? 'no DHT' : `DHT with ${dhtNodes} node${dhtNodes === 1 ? '' : 's'}`,
  ].join(', ');
  const found =
    s.known === 0
      ? 'no peers found'
      : `${s.known} peer${s.known === 1 ? '' : 's'} found, ${s.offering} offered metadata` +
        (s.pieceCount ? `, ${s.pieces}/${s.pieceCount} pieces` : '') +
        (s.banned ? `, ${s.banned} dropped as bad` : '');
  return `no metadata for ${magnet.infoHash} within ${Math.round(timeoutMs / 1000)} s (${found}; sources: ${sources})`;
}
