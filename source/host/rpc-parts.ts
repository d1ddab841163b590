/** The heavy parts of one torrent for the RPC (files, peers, trackers), built only when asked. */
import { scrapeUrlFor } from '../engine/discovery/tracker/scrape-url.js';
import type { RpcFile, RpcPeer, RpcTracker } from '../rpc/backend.js';
import type { TorrentService } from '../service/torrent-service.js';

export class RpcParts {
  /** Each torrent's trackers as last built, until the service says they changed. */
  private readonly trackerViews = new Map<number, RpcTracker[]>();

  constructor(private readonly service: TorrentService) {}

  forget(id: number): void {
    this.trackerViews.delete(id);
  }

  /** An announce (or a start, stop, replacement) changed what the trackers show. */
  trackersChanged(id: number): void {
    this.trackerViews.delete(id);
  }

  files(id: number): RpcFile[] {
    const meta = this.service.metainfo(id);
    const files = this.service.files(id);
    if (!meta || !files) return [];
    return files.map((f) => ({
      name: meta.files[f.index]!.path.join('/'),
      length: f.length,
      bytesCompleted: Math.min(f.length, f.completed),
      wanted: f.priority !== 0,
      priority: f.priority === 2 ? 1 : 0,
    }));
  }

  peers(id: number): RpcPeer[] {
    return (this.service.peers(id) ?? []).map((p) => ({
      address: p.host,
      port: p.port,
      clientName: p.client,
      progress: p.progress,
      rateToClient: p.downloadRate,
      rateToPeer: p.uploadRate,
      isEncrypted: p.encrypted,
      isIncoming: p.incoming,
      isUtp: p.transport === 'utp',
      clientIsChoked: p.peerChoking,
      clientIsInterested: p.amInterested,
      peerIsChoked: p.amChoking,
      peerIsInterested: p.peerInterested,
      isDownloadingFrom: p.downloadRate > 0,
      isUploadingTo: p.uploadRate > 0,
    }));
  }

  /** Announces change them every few minutes: a poll every 2 s reuses the same array (the RPC caches what it made of it). */
  trackers(id: number): RpcTracker[] {
    const cached = this.trackerViews.get(id);
    if (cached) return cached;
    const list: RpcTracker[] = (this.service.trackers(id) ?? []).map((t, i) => ({
      id: i,
      announce: t.url,
      scrape: scrapeUrl(t.url),
      tier: t.tier,
      announceState: t.status === 'announcing' ? 3 : 1,
      hasAnnounced: t.lastAnnounceAt !== undefined,
      lastAnnounceSucceeded: t.status === 'working',
      lastAnnounceResult: t.lastError ?? (t.status === 'working' ? 'Success' : ''),
      lastAnnounceTime: t.lastAnnounceAt ?? 0,
      nextAnnounceTime: t.nextAnnounceAt ?? 0,
      seederCount: t.seeders ?? -1,
      leecherCount: t.leechers ?? -1,
      downloadCount: -1,
    }));
    this.trackerViews.set(id, list);
    return list;
  }
}

function scrapeUrl(announce: string): string {
  try {
    return /^udp:/i.test(announce) ? announce : scrapeUrlFor(announce);
  } catch {
    return '';
  }
}
