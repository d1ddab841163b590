import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { formatBytes } from '../format/size.js';
import type { TorrentService } from '../service/torrent-service.js';
import type { ChangeKind, TorrentRef } from '../service/types.js';
import { buildDetail, type ScrapeResult } from './detail.js';
import { rowFor } from './row.js';
import type {
  AddInput,
  GlobalSeedGoals,
  SeedGoalPatch,
  SourceGlobal,
  SourceListener,
  SourceRow,
  SourceStatus,
  TorrentSource,
} from './source.js';
import type { TorrentDetail } from './types.js';

const ONLINE: SourceStatus = { online: true };

/** The in-process session as a source: the service's events and plain copies. */
export class LocalSource implements TorrentSource {
  readonly host = undefined;
  private freeDisk?: number;
  private diskTimer?: NodeJS.Timeout;
  private readonly listeners = new Set<SourceListener>();
  /** The saved session's rows, shown until their torrents are opened (showPreview). */
  private preview?: Map<string, SourceRow>;
  /** Resolves once the preview is over: actions on a torrent not yet opened wait for it. */
  private previewOver: Promise<void> = Promise.resolve();
  private endPreviewNow?: () => void;

  constructor(
    readonly service: TorrentService,
    private readonly options: { diskIntervalMs?: number } = {},
  ) {}

  listen(listener: SourceListener): () => void {
    const service = this.service;
    const onAdded = (ref: TorrentRef) => {
      // A torrent of the preview opening: listed already, in the same place (the service
      // registers them in the saved order); only its row is built again, from the service. A
      // list of 10,000 is then not rebuilt and drawn again for each torrent that opens.
      if (this.preview?.has(ref.hash)) listener.changed(ref.hash, false);
      else listener.structure();
    };
    const onChanged = (ref: TorrentRef, kind: ChangeKind) => listener.changed(ref.hash, kind === 'state' || kind === 'settings');
    const onRemoved = () => listener.structure();
    const onGlobal = () => listener.global();
    const onLog = (level: 'info' | 'warn' | 'error', text: string) => listener.log(level, text);
    service.on('torrent-added', onAdded);
    service.on('torrent-changed', onChanged);
    service.on('torrent-removed', onRemoved);
    service.on('global-changed', onGlobal);
    service.on('log', onLog);
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      service.off('torrent-added', onAdded);
      service.off('torrent-changed', onChanged);
      service.off('torrent-removed', onRemoved);
      service.off('global-changed', onGlobal);
      service.off('log', onLog);
    };
  }

  start(): void {
    const diskMs = this.options.diskIntervalMs ?? 10_000;
    if (diskMs <= 0 || this.diskTimer) return;
    void this.measureDisk();
    this.diskTimer = setInterval(() => void this.measureDisk(), diskMs);
    this.diskTimer.unref();
  }

  stop(): void {
    clearInterval(this.diskTimer);
    this.diskTimer = undefined;
  }

  /**
   * Lists the saved session's rows (store/session-preview.ts) while the service opens the
   * torrents; each row is the service's own once its torrent is there. endPreview() ends it.
   */
  showPreview(rows: Map<string, SourceRow>): void {
    this.preview = rows;
    this.previewOver = new Promise((resolve) => (this.endPreviewNow = resolve));
    for (const listener of this.listeners) listener.structure();
  }

  /** Every saved torrent has been opened (or failed to): rows the service does not have are gone. */
  endPreview(): void {
    if (!this.preview) return;
    this.preview = undefined;
    this.endPreviewNow?.();
    for (const listener of this.listeners) listener.structure();
  }

  *hashes(): Iterable<string> {
    const refs = this.service.list();
    for (const ref of refs) yield ref.hash;
    const preview = this.preview;
    if (!preview) return;
    const opened = new Set(refs.map((ref) => ref.hash));
    for (const hash of preview.keys()) if (!opened.has(hash)) yield hash;
  }

  row(hash: string): SourceRow | undefined {
    const summary = this.service.summary(hash);
    return summary ? rowFor(summary) : this.preview?.get(hash);
  }

  /** An action on a listed torrent whose turn to be opened has not come waits for the restore; any other runs at once. */
  private whenOpen<T>(hash: string, act: () => Promise<T>): Promise<T> {
    return this.preview?.has(hash) && !this.service.has(hash) ? this.previewOver.then(act) : act();
  }

  global(): SourceGlobal {
    const settings = this.service.settings();
    return {
      downloadLimit: settings.limits.download,
      uploadLimit: settings.limits.upload,
      altSpeedEnabled: settings.altSpeed.enabled,
      altDownloadLimit: settings.altSpeed.download,
      altUploadLimit: settings.altSpeed.upload,
      port: this.service.session.port,
      freeDisk: this.freeDisk,
      downloadDirectory: settings.downloadDirectory,
      dhtNodes: this.service.session.dht?.nodeCount(),
      maxActiveDownloads: settings.maxActiveDownloads,
      seedRatioLimit: settings.seedRatioLimit,
      seedIdleLimit: settings.seedIdleLimit,
    };
  }

  status(): SourceStatus {
    return ONLINE;
  }

  focus(): void {}

  detail(hash: string, scrapes?: ReadonlyMap<string, ScrapeResult>): TorrentDetail | undefined {
    return buildDetail(this.service, hash, scrapes);
  }

  add(input: AddInput, options: { directory?: string } = {}): Promise<string | undefined> {
    return 'text' in input ? this.service.add(input.text, options) : this.service.addTorrentBytes(input.torrent, options);
  }

  toggle(hash: string): Promise<void> {
    return this.whenOpen(hash, () => this.service.toggle(hash));
  }

  verify(hash: string): Promise<void> {
    return this.whenOpen(hash, () => this.service.verify(hash));
  }

  remove(hash: string, deleteData: boolean): Promise<void> {
    return this.whenOpen(hash, () => this.service.remove(hash, { deleteData }));
  }

  reannounce(hash: string): Promise<void> {
    return this.whenOpen(hash, () => {
      this.service.reannounce(hash);
      return Promise.resolve();
    });
  }

  setPriority(hash: string, priority: number): Promise<void> {
    return this.whenOpen(hash, () => this.service.setPriority(hash, priority));
  }

  setFilePriority(hash: string, fileIndex: number, priority: number): Promise<void> {
    return this.whenOpen(hash, () => this.service.setFilePriority(hash, fileIndex, priority));
  }

  setLabels(hash: string, labels: readonly string[]): Promise<void> {
    return this.whenOpen(hash, () => this.service.setLabels(hash, labels));
  }

  setTorrentLimits(hash: string, limits: { download?: number; upload?: number }): Promise<void> {
    return this.whenOpen(hash, () => this.service.setTorrentLimits(hash, limits));
  }

  setSeedGoals(hash: string, goals: SeedGoalPatch): Promise<void> {
    return this.whenOpen(hash, () => this.service.setSeedGoals(hash, goals));
  }

  move(hash: string, directory: string): Promise<boolean> {
    return this.whenOpen(hash, () => this.service.move(hash, directory));
  }

  setGlobalLimits(limits: { download?: number; upload?: number }): Promise<void> {
    this.service.setGlobalLimits(limits);
    return Promise.resolve();
  }

  setGlobalSeedGoals(goals: GlobalSeedGoals): Promise<void> {
    this.service.setGlobalSeedGoals(goals);
    return Promise.resolve();
  }

  setAltSpeed(enabled: boolean): Promise<void> {
    this.service.setAltSpeed({ enabled });
    return Promise.resolve();
  }

  private async measureDisk(): Promise<void> {
    let dir = this.service.settings().downloadDirectory;
    // The download directory may not exist yet: its nearest existing parent is on the same disk.
    for (let i = 0; i < 64; i++) {
      try {
        const s = await statfs(dir);
        const free = s.bavail * s.bsize;
        // Redrawn only when the figure shown changes (a write somewhere should not repaint the screen).
        if (this.freeDisk === undefined || formatBytes(free) !== formatBytes(this.freeDisk)) {
          this.freeDisk = free;
          for (const listener of this.listeners) listener.global();
        }
        return;
      } catch {
        const parent = dirname(dir);
        if (parent === dir) break;
        dir = parent;
      }
    }
  }

  /** Measures free space again (the download directory changed). */
  remeasureDisk(): void {
    void this.measureDisk();
  }
}
