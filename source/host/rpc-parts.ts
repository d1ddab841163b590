/** The heavy parts of one torrent for the RPC (files, peers, trackers), built only when asked. */
import { scrapeUrlFor } from '../engine/discovery/tracker/scrape-url.js';
import type { RpcFile, RpcPeer, RpcTracker } from '../rpc/backend.js';
import type { TorrentService } from '../service/torrent-service.js';

const TRACKER_REUSE_MS = 5000;

export class RpcParts {
  private readonly trackerViews = new Map<number, { at: number; list: RpcTracker[] }>();

  constructor(private readonly service: TorrentService) {}

  forget(id: number): void {
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
      isUtp: false,
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
    const now = Date.now();
    const cached = this.trackerViews.get(id);
    if (cached && now - cached.at < TRACKER_REUSE_MS) return cached.list;
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
    // Unchanged since the last build: the same array, so what the RPC made of it stays valid.
    if (cached && sameTrackers(cached.list, list)) {
      this.trackerViews.set(id, { at: now, list: cached.list });
      return cached.list;
    }
    this.trackerViews.set(id, { at: now, list });
    return list;
  }
}

function sameTrackers(a: readonly RpcTracker[], b: readonly RpcTracker[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]! as unknown as Record<string, unknown>;
    for (const key of Object.keys(x) as (keyof RpcTracker)[]) if (x[key] !== y[key]) return false;
  }
  return true;
}

function scrapeUrl(announce: string): string {
  try {
    return /^udp:/i.test(announce) ? announce : scrapeUrlFor(announce);
  } catch {
    return '';
  }
}
