import { rm } from 'node:fs/promises';
import type { Session } from '../engine/session/session.js';
import { describeError } from '../errors.js';
import { printable } from '../format/text.js';
import { entryName, goal, type Entry } from './entry.js';
import type { MagnetFetches } from './magnet-fetches.js';
import type { SessionPersistence } from './persistence.js';
import type { QueueManager } from './queue-manager.js';
import type { TorrentRegistry } from './registry.js';
import { seedGoalReached } from './seed-goal.js';
import type { LogLevel, TorrentKey } from './types.js';

export interface ActionHost {
  readonly session: Pick<Session, 'remove'>;
  readonly registry: Pick<TorrentRegistry, 'entry' | 'values' | 'touch' | 'forget'>;
  readonly magnets: Pick<MagnetFetches, 'run' | 'pause' | 'cancel'>;
  readonly queue: Pick<QueueManager, 'request' | 'withdraw'>;
  readonly persistence: Pick<SessionPersistence, 'committed' | 'scheduleSave'>;
  torrentFilePath(hash: string): string;
  /** The service-wide seed goals (a torrent's mode 'global'). */
  globalSeedGoals(): { ratio?: number; idleMinutes?: number };
  log(level: LogLevel, text: string): void;
}

/** What is done to one torrent: start, stop, verify, announce, remove; and seed goals enforced. */
export class TorrentActions {
  constructor(private readonly host: ActionHost) {}

  /** Asks a torrent to run (through the download queue), or a magnet to fetch its metadata. */
  start(key: TorrentKey): Promise<void> {
    return this.run(key, false);
  }

  /**
   * Starts a torrent outside the download queue (Transmission's torrent-start-now): it runs
   * even when every download slot is taken, takes none, and no queue pass stops it; once
   * stopped it is back under the queue. A magnet fetches its metadata and its torrent then
   * starts the same way.
   */
  startNow(key: TorrentKey): Promise<void> {
    return this.run(key, true);
  }

  /** Unpauses a torrent (`forced`: outside the queue), or a magnet's fetch. */
  private async run(key: TorrentKey, forced: boolean): Promise<void> {
    const entry = this.host.registry.entry(key);
    if (!entry) return;
    if (this.busyMoving(entry)) return;
    entry.userPaused = false;
    if (forced) entry.forced = true;
    if (entry.pending) this.host.magnets.run(entry.pending);
    else this.host.queue.request(entry);
    this.host.registry.touch(entry, 'state');
    await this.host.persistence.committed(entry);
  }

  /** Stops a torrent (paused by the user: it stays paused across restarts), or a magnet's fetch. */
  async stop(key: TorrentKey): Promise<void> {
    const entry = this.host.registry.entry(key);
    if (!entry) return;
    if (this.busyMoving(entry)) return;
    entry.userPaused = true;
    entry.forced = false;
    if (entry.pending) this.host.magnets.pause(entry.pending);
    else {
      this.host.queue.withdraw(entry);
      this.host.registry.touch(entry, 'state');
      await entry.torrent?.stop();
    }
    await this.host.persistence.committed(entry);
  }

  /** Pauses a running, queued or fetching torrent; starts a paused or failed one. */
  async toggle(key: TorrentKey): Promise<void> {
    const entry = this.host.registry.entry(key);
    if (!entry) return;
    if (this.busyMoving(entry)) return;
    const active = entry.pending ? entry.pending.status === 'metadata' : entry.torrent!.isRunning || entry.queued;
    if (active) await this.stop(key);
    else await this.start(key);
  }

  /** Checks the data on disk again (Transmission's torrent-verify). */
  async verify(key: TorrentKey): Promise<void> {
    const entry = this.host.registry.entry(key);
    if (!entry || this.stillFetching(entry)) return;
    if (this.busyMoving(entry)) return;
    const torrent = entry.torrent!;
    this.host.log('info', `rechecking ${printable(torrent.meta.name)}`);
    await torrent.recheck();
    this.host.registry.touch(entry, 'state');
    const s = torrent.stats();
    this.host.log('info', `recheck of ${printable(torrent.meta.name)}: ${s.havePieces}/${s.pieceCount} pieces good`);
  }

  reannounce(key: TorrentKey): void {
    const entry = this.host.registry.entry(key);
    if (!entry || this.stillFetching(entry)) return;
    const torrent = entry.torrent!;
    if (torrent.meta.announce.length === 0) this.host.log('warn', `${printable(torrent.meta.name)} has no trackers`);
    else if (!torrent.isRunning) this.host.log('warn', `${printable(torrent.meta.name)} is paused: start it to announce`);
    else {
      torrent.announceNow();
      this.host.log('info', `announcing ${printable(torrent.meta.name)}`);
    }
  }

  /** Removes a torrent (and its .torrent copy and resume data), with its data or not. */
  async remove(key: TorrentKey, options: { deleteData?: boolean } = {}): Promise<void> {
    const entry = this.host.registry.entry(key);
    if (!entry) return;
    if (this.busyMoving(entry)) return;
    if (entry.pending && !entry.torrent) {
      const name = printable(entryName(entry));
      this.host.magnets.cancel(entry.pending);
      entry.pending = undefined;
      this.host.registry.forget(entry);
      this.host.log('info', `removed ${name} (its metadata had not arrived)`);
      await this.host.persistence.committed(entry);
      return;
    }
    const torrent = entry.torrent!;
    const name = printable(torrent.meta.name);
    const root = printable(torrent.root);
    try {
      await this.host.session.remove(entry.hash, { deleteData: options.deleteData });
      await rm(this.host.torrentFilePath(entry.hash), { force: true });
      this.host.log('info', options.deleteData ? `removed ${name} and deleted ${root}` : `removed ${name} (data kept in ${root})`);
    } catch (error) {
      this.host.log('error', `cannot remove ${name}: ${describeError(error)}`);
    }
    await this.host.persistence.committed(entry);
  }

  /**
   * Stops complete torrents that reached their seed goal (ratio, or minutes without
   * transfer); run every seedCheckMs. Returns the hashes stopped.
   */
  checkSeedGoals(now = Date.now()): string[] {
    const stopped: string[] = [];
    const global = this.host.globalSeedGoals();
    for (const entry of this.host.registry.values()) {
      const torrent = entry.torrent;
      if (!torrent?.isRunning || torrent.state !== 'seeding') continue;
      const ratio = goal(entry.seedRatioMode, entry.seedRatioLimit, global.ratio);
      const idle = goal(entry.seedIdleMode, entry.seedIdleLimit, global.idleMinutes);
      if (ratio === undefined && idle === undefined) continue;
      const s = torrent.stats();
      if (s.uploadRate > 0 || s.downloadRate > 0 || entry.lastActiveAt === undefined) entry.lastActiveAt = now;
      const length = torrent.meta.contentLength ?? torrent.meta.length;
      const reached = seedGoalReached(
        { ratio, minutes: idle },
        { uploaded: entry.uploadedBase + s.uploaded, length, minutes: (now - entry.lastActiveAt) / 60_000 },
      );
      if (!reached) continue;
      entry.userPaused = true;
      entry.forced = false;
      this.host.queue.withdraw(entry);
      void torrent.stop();
      this.host.registry.touch(entry, 'state');
      this.host.persistence.scheduleSave();
      this.host.log(
        'info',
        reached === 'ratio'
          ? `${printable(torrent.meta.name)} reached its seed ratio ${ratio}: stopped`
          : `${printable(torrent.meta.name)} was idle ${idle} min: stopped seeding`,
      );
      stopped.push(entry.hash);
    }
    return stopped;
  }

  /** A torrent whose data is being moved takes no other action until the move is over. */
  private busyMoving(entry: Entry): boolean {
    if (entry.moving) this.host.log('warn', `${printable(entryName(entry))} is being moved: try again when the move is over`);
    return entry.moving;
  }

  private stillFetching(entry: Entry): boolean {
    if (entry.torrent) return false;
    this.host.log('warn', `${printable(entryName(entry))} has no metadata yet`);
    return true;
  }
}
