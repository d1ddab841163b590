import type { PeerDht } from './dht-pair.js';
import type { PeerAddress } from './tracker/types.js';

export interface DhtAnnouncerOptions {
  /** Between rounds once peers were found (BEP 5 suggests re-announcing every 15 minutes or so). */
  intervalMs?: number;
  /** First retry after a round that found nobody; doubles up to intervalMs. */
  retryMs?: number;
  /** Whether to run a round now (e.g. the torrent is not paused). */
  active?: () => boolean;
  /** First wait while the routing table is empty; doubles up to a minute. */
  emptyWaitMs?: number;
}

const MAX_EMPTY_WAIT_MS = 60_000;

/** One torrent on the DHT: get_peers, then announce_peer, at start and then periodically. */
export class DhtAnnouncer {
  private timer?: NodeJS.Timeout;
  private misses = 0;
  private emptyWaits = 0;
  private running = false;
  private stopped = false;

  constructor(
    private readonly dht: PeerDht,
    private readonly infoHash: Buffer,
    private readonly port: () => number,
    private readonly onPeers: (peers: PeerAddress[]) => void,
    private readonly options: DhtAnnouncerOptions = {},
  ) {}

  start(): void {
    this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.round(), delayMs);
    this.timer.unref();
  }

  private async round(): Promise<void> {
    const interval = this.options.intervalMs ?? 15 * 60_000;
    if (this.running || this.stopped) return;
    if (this.options.active && !this.options.active()) return this.schedule(1000);
    // A lookup with no nodes to ask finds nobody: wait for the table to fill, with backoff.
    if (this.dht.nodeCount() === 0) {
      const wait = Math.min(MAX_EMPTY_WAIT_MS, (this.options.emptyWaitMs ?? 500) * 2 ** this.emptyWaits);
      this.emptyWaits++;
      return this.schedule(wait);
    }
    this.emptyWaits = 0;
    this.running = true;
    let found = 0;
    try {
      await this.dht.findPeers(this.infoHash, (peer) => {
        found++;
        this.onPeers([peer]);
      });
      if (this.stopped) return;
      await this.dht.announce(this.infoHash, this.port()).catch(() => undefined);
    } finally {
      this.running = false;
    }
    this.misses = found > 0 ? 0 : this.misses + 1;
    const retry = (this.options.retryMs ?? 5000) * 2 ** Math.max(0, this.misses - 1);
    this.schedule(found > 0 ? interval : Math.min(interval, retry));
  }
}
