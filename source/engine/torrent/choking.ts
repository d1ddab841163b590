import { chooseUnchoked, pickOptimistic, type ChokerPeer } from './choker.js';
import type { Peer } from './peer.js';
import type { TorrentContext } from './torrent-context.js';

const CHOKE_INTERVAL_MS = 10_000;
const OPTIMISTIC_INTERVAL_MS = 30_000;

/** The rechoke loop around the pure choker: every 10 s, and soon after a peer turns interested. */
export class Choking {
  private rechokeTimer?: NodeJS.Timeout;
  private lastRechokeAt = 0;
  private optimistic?: string;
  private lastOptimisticAt = 0;

  constructor(
    private readonly ctx: Pick<TorrentContext, 'running' | 'state'>,
    private readonly peers: { values(): IterableIterator<Peer>; has(id: string): boolean; readonly size: number },
    private readonly uploadSlots: number,
  ) {}

  start(now: number): void {
    this.lastRechokeAt = now;
  }

  /** From the housekeeper, once a second. */
  housekeep(now: number): void {
    if (now - this.lastRechokeAt < CHOKE_INTERVAL_MS) return;
    this.lastRechokeAt = now;
    if (this.peers.size > 0) this.rechoke();
  }

  peerGone(id: string): void {
    if (this.optimistic === id) this.optimistic = undefined;
  }

  rechokeSoon(): void {
    if (this.rechokeTimer || !this.ctx.running) return;
    this.rechokeTimer = setTimeout(() => {
      this.rechokeTimer = undefined;
      this.rechoke();
    }, 50);
    this.rechokeTimer.unref();
  }

  private rechoke(): void {
    if (!this.ctx.running) return;
    const now = Date.now();
    const seeding = this.ctx.state === 'seeding';
    const list: ChokerPeer[] = [...this.peers.values()].map((p) => ({
      id: p.id,
      interested: p.peerInterested,
      downloadRate: p.wire.downloadRate.rate(now),
      uploadRate: p.wire.uploadRate.rate(now),
      snubbed: p.snubbed,
      connectedAt: p.connectedAt,
      lastUnchokedAt: p.lastUnchokedAt,
      isSeed: p.isSeed,
    }));
    const slots = this.uploadSlots;
    if (!this.optimistic || now - this.lastOptimisticAt >= OPTIMISTIC_INTERVAL_MS || !this.peers.has(this.optimistic)) {
      const regular = chooseUnchoked(list, { uploadSlots: slots, seeding });
      this.optimistic = pickOptimistic(list, regular, now, Math.random);
      this.lastOptimisticAt = now;
    }
    const unchoke = chooseUnchoked(list, { uploadSlots: slots, seeding, optimistic: this.optimistic });
    for (const p of this.peers.values()) {
      const shouldChoke = !unchoke.has(p.id);
      if (shouldChoke === p.amChoking) continue;
      p.amChoking = shouldChoke;
      if (shouldChoke) {
        const fast = p.wire.remoteHandshake?.fast ?? false;
        if (fast) for (const r of p.uploadQueue) p.wire.send({ type: 'reject', ...r });
        p.uploadQueue.length = 0;
        p.wire.send({ type: 'choke' });
      } else {
        p.lastUnchokedAt = now;
        p.wire.send({ type: 'unchoke' });
      }
    }
  }
}
