import type { Session } from '../engine/session/session.js';
import { clampRate } from './entry.js';
import type { QueueManager } from './queue-manager.js';
import type { GlobalInfo, ServiceOptions } from './types.js';

export interface GlobalSettingsHost {
  readonly session: Pick<Session, 'setLimits' | 'port' | 'dht'>;
  readonly queue: Pick<QueueManager, 'maxActive' | 'setMaxActive'>;
  /** Called when the global limits change (to keep them in the settings). */
  readonly saveLimits?: (limits: { download: number; upload: number }) => void;
  /** GlobalInfo changed: the service's global-changed. */
  changed(): void;
}

/** The service-wide settings: global limits, seed goals, download directory, queue size. */
export class GlobalSettings {
  private limits: { download: number; upload: number };
  private seedRatioLimit?: number;
  private seedIdleLimit?: number;
  private directory: string;

  constructor(
    private readonly host: GlobalSettingsHost,
    options: Pick<ServiceOptions, 'downloadDirectory' | 'limits' | 'seedRatioLimit' | 'seedIdleLimit'>,
  ) {
    this.directory = options.downloadDirectory;
    this.limits = { ...(options.limits ?? { download: 0, upload: 0 }) };
    this.seedRatioLimit = options.seedRatioLimit;
    this.seedIdleLimit = options.seedIdleLimit;
    host.session.setLimits(this.limits);
  }

  get downloadDirectory(): string {
    return this.directory;
  }

  /** The goals of torrents in mode 'global'. */
  seedGoals(): { ratio?: number; idleMinutes?: number } {
    return { ratio: this.seedRatioLimit, idleMinutes: this.seedIdleLimit };
  }

  setLimits(limits: { download?: number; upload?: number }): void {
    this.limits = { download: clampRate(limits.download ?? this.limits.download), upload: clampRate(limits.upload ?? this.limits.upload) };
    this.host.session.setLimits(this.limits);
    this.host.saveLimits?.({ ...this.limits });
    this.host.changed();
  }

  getLimits(): { download: number; upload: number } {
    return { ...this.limits };
  }

  setSeedGoals(goals: { ratio?: number | null; idleMinutes?: number | null }): void {
    if (goals.ratio !== undefined) this.seedRatioLimit = goals.ratio === null ? undefined : Math.max(0, goals.ratio);
    if (goals.idleMinutes !== undefined) this.seedIdleLimit = goals.idleMinutes === null ? undefined : Math.max(0, goals.idleMinutes);
    this.host.changed();
  }

  setMaxActiveDownloads(max: number): void {
    this.host.queue.setMaxActive(max);
    this.host.changed();
  }

  setDownloadDirectory(directory: string): void {
    this.directory = directory;
    this.host.changed();
  }

  settings(): {
    downloadDirectory: string;
    maxActiveDownloads: number;
    limits: { download: number; upload: number };
    seedRatioLimit?: number;
    seedIdleLimit?: number;
  } {
    return {
      downloadDirectory: this.directory,
      maxActiveDownloads: this.host.queue.maxActive,
      limits: { ...this.limits },
      seedRatioLimit: this.seedRatioLimit,
      seedIdleLimit: this.seedIdleLimit,
    };
  }

  global(rates: { downloadRate: number; uploadRate: number; connections: number }, torrentCount: number): GlobalInfo {
    return {
      downloadRate: rates.downloadRate,
      uploadRate: rates.uploadRate,
      downloadLimit: this.limits.download,
      uploadLimit: this.limits.upload,
      connections: rates.connections,
      port: this.host.session.port,
      dhtNodes: this.host.session.dht?.nodeCount(),
      downloadDirectory: this.directory,
      maxActiveDownloads: this.host.queue.maxActive,
      seedRatioLimit: this.seedRatioLimit,
      seedIdleLimit: this.seedIdleLimit,
      torrentCount,
    };
  }
}
