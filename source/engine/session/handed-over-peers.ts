import type { HandedOverPeer } from '../transport/handover.js';

/** How long a magnet's metadata connections wait for its torrent to start. */
const KEPT_MS = 60_000;

/**
 * Connections a magnet's metadata came over, by info-hash, kept for its torrent to adopt when it
 * starts; a torrent not started within a minute has them closed.
 */
export class HandedOverPeers {
  private readonly byHash = new Map<string, HandedOverPeer[]>();

  keep(infoHash: string, peers: HandedOverPeer[]): void {
    if (peers.length === 0) return;
    const kept = [...(this.byHash.get(infoHash) ?? []), ...peers];
    this.byHash.set(infoHash, kept);
    const timer = setTimeout(() => {
      if (this.byHash.get(infoHash) !== kept) return;
      this.byHash.delete(infoHash);
      for (const peer of kept) peer.wire.destroy();
    }, KEPT_MS);
    timer.unref();
  }

  has(infoHash: string): boolean {
    return this.byHash.has(infoHash);
  }

  take(infoHash: string): HandedOverPeer[] {
    const kept = this.byHash.get(infoHash);
    if (!kept) return [];
    this.byHash.delete(infoHash);
    return kept;
  }

  closeAll(): void {
    for (const peers of this.byHash.values()) for (const peer of peers) peer.wire.destroy();
    this.byHash.clear();
  }
}
