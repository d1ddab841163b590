import type { Torrent } from '../engine/torrent/torrent.js';
import { printable } from '../format/text.js';
import { clampRate, entryName, normalizeLabels, type Entry } from './entry.js';
import type { SessionPersistence } from './persistence.js';
import { MAX_PRIORITY, MIN_PRIORITY, PRIORITY_NAMES, type QueueManager } from './queue-manager.js';
import type { TorrentRegistry } from './registry.js';
import type { LogLevel, TorrentKey, TorrentSettings } from './types.js';

const FILE_PRIORITY_NAMES = ['skip', 'normal', 'high'];

export interface SettingsHost {
  readonly registry: Pick<TorrentRegistry, 'entry' | 'touch' | 'queueOrder' | 'reorder'>;
  readonly queue: Pick<QueueManager, 'moved'>;
  readonly persistence: Pick<SessionPersistence, 'committed'>;
  log(level: LogLevel, text: string): void;
}

/** Per-torrent settings: labels, seed goals, limits, priority, place in the queue, file priorities. */
export class TorrentSettingsEditor {
  constructor(private readonly host: SettingsHost) {}

  /** Several per-torrent settings at once (Transmission's torrent-set); saved before it resolves. */
  async set(key: TorrentKey, settings: TorrentSettings): Promise<void> {
    const entry = this.host.registry.entry(key);
    if (!entry) return;
    if (settings.labels !== undefined) entry.labels = normalizeLabels(settings.labels);
    if (settings.seedRatioLimit !== undefined) entry.seedRatioLimit = Math.max(0, settings.seedRatioLimit);
    if (settings.seedRatioMode !== undefined) entry.seedRatioMode = settings.seedRatioMode;
    if (settings.seedIdleLimit !== undefined) entry.seedIdleLimit = Math.max(0, settings.seedIdleLimit);
    if (settings.seedIdleMode !== undefined) entry.seedIdleMode = settings.seedIdleMode;
    if (settings.downloadLimit !== undefined || settings.uploadLimit !== undefined) {
      entry.downloadLimit = clampRate(settings.downloadLimit ?? entry.downloadLimit);
      entry.uploadLimit = clampRate(settings.uploadLimit ?? entry.uploadLimit);
      entry.torrent?.setLimits({ download: entry.downloadLimit, upload: entry.uploadLimit });
    }
    if (settings.priority !== undefined) this.setPriorityOf(entry, settings.priority);
    this.host.registry.touch(entry, 'settings');
    await this.host.persistence.committed(entry);
  }

  /**
   * Moves a torrent to `position` (0 first) in the download queue: it takes the priority of
   * the torrent now there and goes just before it.
   */
  async setQueuePosition(key: TorrentKey, position: number): Promise<void> {
    const { registry } = this.host;
    const entry = registry.entry(key);
    if (!entry) return;
    const others = registry.queueOrder(entry);
    const at = Math.max(0, Math.min(others.length, Math.floor(position)));
    const next = others[at];
    const before = others[at - 1];
    // Every torrent whose place shifts is reported changed, the moved one too.
    registry.reorder(() => {
      if (next) {
        entry.priority = next.priority;
        entry.order = before && before.priority === next.priority ? (before.order + next.order) / 2 : next.order - 1;
      } else if (before) {
        entry.priority = before.priority;
        entry.order = before.order + 1;
      }
    });
    registry.touch(entry, 'settings');
    this.host.queue.moved(entry.hash);
    await this.host.persistence.committed(entry);
  }

  /** One file's priority: 0 skip, 1 normal, 2 high. */
  async setFilePriority(key: TorrentKey, fileIndex: number, priority: number): Promise<void> {
    const entry = this.host.registry.entry(key);
    const torrent = entry?.torrent;
    if (!entry || !torrent || fileIndex < 0 || fileIndex >= entry.filePriorities.length) return;
    const next = Math.max(0, Math.min(2, Math.round(priority)));
    if (next === entry.filePriorities[fileIndex]) return;
    const priorities = Uint8Array.from(entry.filePriorities);
    priorities[fileIndex] = next;
    this.applyFilePriorities(entry, torrent, priorities);
    this.host.log('info', `${printable(torrent.meta.files[fileIndex]!.path.join('/'))}: ${FILE_PRIORITY_NAMES[next]}`);
    await this.host.persistence.committed(entry);
  }

  /** Every file's priority at once (one per file). */
  async setFilePriorities(key: TorrentKey, priorities: ArrayLike<number>): Promise<void> {
    const entry = this.host.registry.entry(key);
    const torrent = entry?.torrent;
    if (!entry || !torrent || priorities.length !== entry.filePriorities.length) return;
    this.applyFilePriorities(
      entry,
      torrent,
      Uint8Array.from(priorities, (p) => Math.max(0, Math.min(2, Math.round(p)))),
    );
    await this.host.persistence.committed(entry);
  }

  private applyFilePriorities(entry: Entry, torrent: Torrent, priorities: Uint8Array): void {
    entry.filePriorities = priorities;
    torrent.setFilePriorities(priorities);
    this.host.registry.touch(entry, 'settings');
  }

  private setPriorityOf(entry: Entry, priority: number): void {
    const next = Math.max(MIN_PRIORITY, Math.min(MAX_PRIORITY, Math.round(priority)));
    if (next === entry.priority) return;
    this.host.registry.reorder(() => {
      entry.priority = next;
    });
    this.host.log('info', `${printable(entryName(entry))}: priority ${PRIORITY_NAMES[next]}`);
    this.host.queue.moved(entry.hash);
  }
}
