import { UtPex } from '../extensions/ut-pex.js';
import { Connector } from '../transport/connector.js';
import { BufferPool } from './buffer-pool.js';
import { Choking } from './choking.js';
import { DownloadPipeline } from './download-pipeline.js';
import { PeerExtensions } from './peer-extensions.js';
import { PeerRouter } from './peer-router.js';
import { PeerSet, type PeerSetLinks } from './peer-set.js';
import type { RateLimiter } from './rate-limiter.js';
import type { TorrentContext } from './torrent-context.js';
import type { TorrentOptions } from './torrent-options.js';
import { MAX_UPLOAD_QUEUE, Uploader } from './uploader.js';
import { WebSeeds } from './web-seeds.js';

/** One torrent's collaborators, wired to each other; the Torrent drives them. */
export interface TorrentParts {
  /** Full-size piece buffers, reused once written and out of the read cache. */
  pieceBuffers: BufferPool;
  peers: PeerSet;
  extensions: PeerExtensions;
  download: DownloadPipeline;
  uploader: Uploader;
  choking: Choking;
  webSeeds: WebSeeds;
  /** What the peer set hands new connections to. */
  links: PeerSetLinks;
}

export interface TorrentHooks {
  downloadLimiter: RateLimiter;
  uploadLimiter: RateLimiter;
  /** The torrent's events that its parts report. */
  events: { piece(index: number): void; hashFailed(index: number): void; peer(id: string): void; peerClosed(id: string): void };
  /** Every wanted piece is in: the torrent checks the files and turns to seeding. */
  wantedComplete(): Promise<void>;
  /** The pieces we have changed: the resume data is to be saved. */
  markResumeOutdated(): void;
}

/**
 * Spare piece buffers kept for reuse while the torrent moves data (all go after a minute idle).
 * A spare exists only because the torrent once had that many buffers in use, so this bounds what
 * is kept, not what is used. At 8 MiB a leecher in the 8-leecher swarm dropped half the buffers
 * the read cache gave back and allocated ~105 MiB of fresh ones instead of ~50 (each fresh 4 KiB
 * page costs a fault, ~20 µs on the benchmark machine: ~0.3 s of CPU per leecher).
 */
const MAX_SPARE_BUFFER_BYTES = 64 * 1024 * 1024;
const READ_CACHE_BYTES = 16 * 1024 * 1024;

/** The torrent's known addresses, bans and connections: kept while it is stopped, unlike the other parts. */
export function makePeerSet(ctx: TorrentContext, options: TorrentOptions, links: () => PeerSetLinks | undefined): PeerSet {
  return new PeerSet(ctx, options.connector ?? new Connector({ peerId: options.peerId }), links, {
    peerId: options.peerId,
    maxPeers: options.maxPeers ?? 50,
    mayConnect: options.mayConnect,
    handedOver: options.handedOver,
    handshakeTimeoutMs: options.handshakeTimeoutMs,
    idleTimeoutMs: options.idleTimeoutMs,
  });
}

/** The parts a running torrent works with, around its peer set (which is wired to them). */
export function assembleParts(ctx: TorrentContext, options: TorrentOptions, hooks: TorrentHooks, peers: PeerSet): TorrentParts {
  const { meta } = ctx;
  const pieceBuffers = new BufferPool(meta.pieceLength, MAX_SPARE_BUFFER_BYTES);
  // Created below; the closures that reach them run only once the torrent is at work.
  let extensions!: PeerExtensions;
  let router!: PeerRouter;
  let webSeeds!: WebSeeds;
  const links: PeerSetLinks = {
    extensionHandshake: (host) => extensions.handshake(host),
    attached: (peer) => router.attached(peer),
  };
  const wireExtensions = [...(options.extensions ?? [])];
  const pexAllowed = !meta.private && options.pex !== false && !wireExtensions.some((e) => e.name === 'ut_pex');
  if (pexAllowed) wireExtensions.push(new UtPex(peers.pexSwarm()));
  extensions = new PeerExtensions(wireExtensions, options.listenPort, MAX_UPLOAD_QUEUE, {
    ownIpv6: options.ownIpv6,
    learnt: options.ownIpv6 && ((address) => peers.addPeers([address])),
  });
  const uploader = new Uploader(ctx, pieceBuffers, {
    readCacheBytes: options.readCacheBytes ?? READ_CACHE_BYTES,
    uploadLimiter: hooks.uploadLimiter,
    globalUpload: options.globalUpload,
  });
  const download = new DownloadPipeline(
    ctx,
    {
      peers,
      pieceBuffers,
      readCache: uploader,
      webSeedHashFailed: (id, sole) => webSeeds.hashFailed(id, sole),
      markResumeOutdated: hooks.markResumeOutdated,
      pieceDone: hooks.events.piece,
      hashFailed: hooks.events.hashFailed,
      wantedComplete: hooks.wantedComplete,
    },
    {
      incrementalHash: !options.hash && meta.pieces.length === meta.pieceCount * 20,
      downloadLimiter: hooks.downloadLimiter,
      globalDownload: options.globalDownload,
    },
  );
  const choking = new Choking(ctx, peers, options.uploadSlots ?? 8);
  const binding = options.binding;
  const webSeedSetting =
    binding && options.webSeeds !== false
      ? { ...(typeof options.webSeeds === 'object' ? options.webSeeds : {}), localAddress: () => binding.require() }
      : options.webSeeds;
  webSeeds = new WebSeeds(ctx, webSeedSetting, {
    hasWriteRoom: () => download.hasWriteRoom,
    deliver: (id, index, begin, data) => download.onWebSeedBlock(id, index, begin, data),
    fillOthers: () => download.fillOthers(),
  });
  router = new PeerRouter(ctx, {
    peers,
    extensions,
    download,
    uploader,
    choking,
    joined: hooks.events.peer,
    left: hooks.events.peerClosed,
  });
  return { pieceBuffers, peers, extensions, download, uploader, choking, webSeeds, links };
}
