import type { Session } from '../engine/session/session.js';
import { DEFAULT_ALT_SPEED, inAltSpeedWindow, normalizeAltSpeed, type AltSpeed } from './alt-speed.js';
import { clampRate } from './entry.js';
import type { QueueManager } from './queue-manager.js';
import type { GlobalInfo, ServiceOptions } from './types.js';

/** The settings every front-end shows without asking the engine. */
export interface ServiceSettings {
  downloadDirectory: string;
  maxActiveDownloads: number;
  limits: { download: number; upload: number };
  altSpeed: AltSpeed;
  seedRatioLimit?: number;
  seedIdleLimit?: number;
}

/** What to keep in the settings file after a change: only what changed (null: no goal). */
export interface SettingsChange {
  limits?: { download: number; upload: number };
  altSpeed?: AltSpeed;
  downloadDirectory?: string;
  maxActiveDownloads?: number;
  seedRatioLimit?: number | null;
  seedIdleLimit?: number | null;
}

export interface GlobalSettingsHost {
  readonly session: Pick<Session, 'setLimits' | 'port' | 'dht'>;
  readonly queue: Pick<QueueManager, 'maxActive' | 'setMaxActive'>;
  /** Called after each change (to keep it in the settings: an acknowledged change outlives a restart). */
  readonly saveSettings?: (change: SettingsChange) => void;
  readonly log?: (text: string) => void;
  /** GlobalInfo changed: the service's global-changed. */
  changed(): void;
}

/** The service-wide settings: global limits (and turtle mode's), seed goals, download directory, queue size. */
export class GlobalSettings {
  private limits: { download: number; upload: number };
  private alt: AltSpeed;
  /** Whether the last schedule check found now inside the window (undefined: not checked since the schedule changed). */
  private lastInside?: boolean;
  private seedRatioLimit?: number;
  private seedIdleLimit?: number;
  private directory: string;

  constructor(
    private readonly host: GlobalSettingsHost,
    options: Pick<ServiceOptions, 'downloadDirectory' | 'limits' | 'seedRatioLimit' | 'seedIdleLimit' | 'altSpeed'>,
  ) {
    this.directory = options.downloadDirectory;
    this.limits = { ...(options.limits ?? { download: 0, upload: 0 }) };
    this.alt = normalizeAltSpeed(DEFAULT_ALT_SPEED, options.altSpeed ?? {});
    this.seedRatioLimit = options.seedRatioLimit;
    this.seedIdleLimit = options.seedIdleLimit;
    host.session.setLimits(this.limitsInForce());
  }

  /** The limits the session applies: turtle mode's while it is on. */
  private limitsInForce(): { download: number; upload: number } {
    return this.alt.enabled ? { download: this.alt.download, upload: this.alt.upload } : { ...this.limits };
  }

  get altSpeed(): AltSpeed {
    return this.alt;
  }

  /** Turtle mode on or off, its limits, its schedule; a schedule switched on applies at once. */
  setAltSpeed(patch: Partial<AltSpeed>): void {
    const before = this.alt;
    this.alt = normalizeAltSpeed(before, patch);
    if (patch.scheduled !== undefined || patch.begin !== undefined || patch.end !== undefined || patch.days !== undefined) {
      this.lastInside = undefined;
      this.checkSchedule();
    }
    this.applyAltSpeed(before);
  }

  /**
   * Transmission's schedule: crossing into the window switches turtle mode on, crossing out
   * switches it off; in between, the key (or alt-speed-enabled) may override it until the next edge.
   */
  checkSchedule(now = new Date()): void {
    if (!this.alt.scheduled) return;
    const inside = inAltSpeedWindow(this.alt, now);
    if (inside === this.lastInside) return;
    this.lastInside = inside;
    if (inside === this.alt.enabled) return;
    const before = this.alt;
    this.alt = { ...this.alt, enabled: inside };
    this.host.log?.(`turtle mode ${inside ? 'on' : 'off'} (schedule)`);
    this.applyAltSpeed(before);
  }

  private applyAltSpeed(before: AltSpeed): void {
    const a = this.alt;
    if (Object.keys(a).every((k) => a[k as keyof AltSpeed] === before[k as keyof AltSpeed])) return;
    this.host.session.setLimits(this.limitsInForce());
    this.host.saveSettings?.({ altSpeed: a });
    this.host.changed();
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
    this.host.session.setLimits(this.limitsInForce());
    this.host.saveSettings?.({ limits: { ...this.limits } });
    this.host.changed();
  }

  getLimits(): { download: number; upload: number } {
    return { ...this.limits };
  }

  setSeedGoals(goals: { ratio?: number | null; idleMinutes?: number | null }): void {
    if (goals.ratio !== undefined) this.seedRatioLimit = goals.ratio === null ? undefined : Math.max(0, goals.ratio);
    if (goals.idleMinutes !== undefined) this.seedIdleLimit = goals.idleMinutes === null ? undefined : Math.max(0, goals.idleMinutes);
    const change: SettingsChange = {};
    if (goals.ratio !== undefined) change.seedRatioLimit = this.seedRatioLimit ?? null;
    if (goals.idleMinutes !== undefined) change.seedIdleLimit = this.seedIdleLimit ?? null;
    this.host.saveSettings?.(change);
    this.host.changed();
  }

  setMaxActiveDownloads(max: number): void {
    this.host.queue.setMaxActive(max);
    this.host.saveSettings?.({ maxActiveDownloads: this.host.queue.maxActive });
    this.host.changed();
  }

  setDownloadDirectory(directory: string): void {
    this.directory = directory;
    this.host.saveSettings?.({ downloadDirectory: directory });
    this.host.changed();
  }

  settings(): ServiceSettings {
    return {
      downloadDirectory: this.directory,
      maxActiveDownloads: this.host.queue.maxActive,
      limits: { ...this.limits },
      altSpeed: this.alt,
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
      altSpeed: this.alt,
      torrentCount,
    };
  }
}
