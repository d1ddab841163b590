import { EventEmitter } from 'node:events';
import { announce } from './tracker/index.js';
import { Limiter } from './tracker/limiter.js';
import type { AnnounceEvent, AnnounceParams, PeerAddress } from './tracker/types.js';
import { describeError } from '../../errors.js';

export type TrackerStatus = 'idle' | 'announcing' | 'working' | 'error';

export interface TrackerStats {
  url: string;
  tier: number;
  status: TrackerStatus;
  lastAnnounceAt?: number;
  nextAnnounceAt?: number;
  seeders?: number;
  leechers?: number;
  peersReceived: number;
  lastError?: string;
  failures: number;
}

interface TierState {
  urls: string[];
  /** Index of the tracker in `urls` now in use (BEP 12: a working one moves to the front). */
  current: number;
  timer?: NodeJS.Timeout;
  busy: boolean;
  startedSent: boolean;
}

export interface AnnouncerOptions {
  params: () => Omit<AnnounceParams, 'event'>;
  timeoutMs?: number;
  /** Lower bound on the re-announce interval, whatever a tracker says. */
  minIntervalSeconds?: number;
  udpBaseTimeoutMs?: number;
  /** Shared by the session's torrents: how many announces run at once. */
  limiter?: Limiter;
  /** A bound session's address for each request; throws while the network is down (the attempt fails, nothing is sent). */
  localAddress?: () => string | undefined;
}

/**
 * 'stopped' announces under way at once, across the process: 10,000 seeding torrents stopping
 * together sent 10,000 requests in one tick (more sockets than a default file limit allows).
 */
export const stopSends = new Limiter(64);
/** A 'stopped' announce not under way this long after its stop is skipped: quitting does not wait on the queue. */
export const STOP_SEND_BUDGET_MS = 5000;

/** The tiers with announce URLs we speak (HTTP, UDP), empty tiers dropped; fresh arrays. */
function usableTiers(tiers: string[][]): string[][] {
  return tiers.map((urls) => urls.filter((u) => /^(https?|udp):\/\//i.test(u))).filter((urls) => urls.length > 0);
}

/** What stats() says of an announcer that never ran: so that a stopped torrent lists its trackers without one. */
export function idleTrackerStats(tiers: string[][]): TrackerStats[] {
  const trackers = new Map<string, TrackerStats>();
  usableTiers(tiers).forEach((urls, t) => {
    for (const url of urls) if (!trackers.has(url)) trackers.set(url, { url, tier: t, status: 'idle', peersReceived: 0, failures: 0 });
  });
  return [...trackers.values()];
}

/**
 * Announces a torrent to its tracker tiers (BEP 12): every tier independently, one tracker
 * of each tier at a time, rotating to the next on failure with exponential backoff.
 * Emits 'peers' (PeerAddress[]) and 'update' after each attempt.
 */
export class Announcer extends EventEmitter {
  private readonly tiers: TierState[];
  private readonly trackers = new Map<string, TrackerStats>();
  private running = false;
  private completedPending = false;

  constructor(
    tiers: string[][],
    private readonly options: AnnouncerOptions,
  ) {
    super();
    this.tiers = usableTiers(tiers).map((urls) => ({ urls, current: 0, busy: false, startedSent: false }));
    for (const s of idleTrackerStats(tiers)) this.trackers.set(s.url, s);
  }

  get hasTrackers(): boolean {
    return this.tiers.length > 0;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    for (const tier of this.tiers) {
      tier.startedSent = false;
      void this.announceTier(tier, 'started');
    }
  }

  /** Sends 'stopped' to every tier that was told 'started', best effort, bounded in time. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    const sends: Promise<unknown>[] = [];
    const stoppedAt = Date.now();
    for (const tier of this.tiers) {
      clearTimeout(tier.timer);
      if (!tier.startedSent) continue;
      const url = tier.urls[tier.current]!;
      sends.push(
        stopSends
          .run(async () => {
            if (Date.now() - stoppedAt > STOP_SEND_BUDGET_MS) return;
            await announce(
              url,
              { ...this.options.params(), event: 'stopped', numwant: 0 },
              { timeoutMs: 3000, udpBaseTimeoutMs: 1000, localAddress: this.options.localAddress?.() },
            );
          })
          .catch(() => undefined),
      );
    }
    await Promise.all(sends);
  }

  completed(): void {
    this.completedPending = true;
    if (this.running) for (const tier of this.tiers) if (!tier.busy) void this.announceTier(tier, 'completed');
  }

  announceNow(): void {
    if (!this.running) return;
    for (const tier of this.tiers) if (!tier.busy) void this.announceTier(tier, tier.startedSent ? undefined : 'started');
  }

  stats(): TrackerStats[] {
    return [...this.trackers.values()].map((s) => ({ ...s }));
  }

  private async announceTier(tier: TierState, event?: AnnounceEvent): Promise<void> {
    clearTimeout(tier.timer);
    if (!this.running) return;
    tier.busy = true;
    const url = tier.urls[tier.current]!;
    const stats = this.trackers.get(url)!;
    stats.status = 'announcing';
    if (!event && this.completedPending && tier.startedSent) event = 'completed';
    this.emit('update');
    try {
      // Queued behind other torrents' announces, it may come up after stop(): a stopped torrent sends nothing more.
      const send = () =>
        !this.running
          ? Promise.reject(new Error('stopped'))
          : announce(
              url,
              { ...this.options.params(), event },
              {
                timeoutMs: this.options.timeoutMs ?? 20_000,
                udpBaseTimeoutMs: this.options.udpBaseTimeoutMs,
                localAddress: this.options.localAddress?.(),
              },
            );
      const result = await (this.options.limiter ? this.options.limiter.run(send) : send());
      if (!this.running) return;
      tier.startedSent = true;
      if (event === 'completed') this.completedPending = false;
      stats.status = 'working';
      stats.failures = 0;
      stats.lastError = result.warning;
      stats.lastAnnounceAt = Date.now();
      stats.seeders = result.complete;
      stats.leechers = result.incomplete;
      stats.peersReceived += result.peers.length;
      if (tier.current !== 0) {
        tier.urls.splice(tier.current, 1);
        tier.urls.unshift(url);
        tier.current = 0;
      }
      const interval = Math.max(this.options.minIntervalSeconds ?? 30, result.minInterval ?? 0, result.interval || 1800);
      this.schedule(tier, stats, interval * 1000);
      if (result.peers.length > 0) this.emit('peers', result.peers as PeerAddress[]);
    } catch (error) {
      if (!this.running) return;
      stats.status = 'error';
      stats.failures++;
      stats.lastError = describeError(error);
      stats.lastAnnounceAt = Date.now();
      tier.current = (tier.current + 1) % tier.urls.length;
      const backoff = Math.min(3600, 15 * 2 ** Math.min(stats.failures - 1, 8));
      const next = this.trackers.get(tier.urls[tier.current]!)!;
      // A fresh tracker in the tier gets tried at once; a full cycle of failures waits.
      this.schedule(tier, next, next.failures === 0 ? 0 : backoff * 1000, event);
    } finally {
      tier.busy = false;
      this.emit('update');
    }
  }

  private schedule(tier: TierState, stats: TrackerStats, delayMs: number, event?: AnnounceEvent): void {
    stats.nextAnnounceAt = Date.now() + delayMs;
    tier.timer = setTimeout(() => void this.announceTier(tier, event), delayMs);
    tier.timer.unref();
  }
}
