import type { SourceGlobal, SourceListener, SourceRow, TorrentSource } from '../../source/store/source.js';
import { torrentRow } from './torrent-row.js';

/** A source of `count` plain rows (hash i in hex, named torrent-i) whose rows a test changes by hand; only the reads are real. */
export class FakeSource {
  readonly rows = new Map<string, SourceRow>();
  private listener?: SourceListener;
  /** How many rows the store asked for. */
  reads = 0;

  constructor(count: number) {
    for (let i = 0; i < count; i++) this.rows.set(hashOf(i), torrentRow(`torrent-${i}`, { infoHash: hashOf(i), addedAt: i }));
  }

  /** Changes a row and tells the store, as a service's event would. */
  change(i: number, patch: Partial<SourceRow>): void {
    const hash = hashOf(i);
    this.rows.set(hash, { ...this.rows.get(hash)!, ...patch });
    this.listener?.changed(hash, false);
  }

  /** Marks a row changed without changing it (an event that changed nothing the list shows). */
  touch(i: number): void {
    this.listener?.changed(hashOf(i), false);
  }

  add(i: number): void {
    this.rows.set(hashOf(i), torrentRow(`torrent-${i}`, { infoHash: hashOf(i), addedAt: i }));
    this.listener?.structure();
  }

  remove(i: number, tell = true): void {
    this.rows.delete(hashOf(i));
    if (tell) this.listener?.structure();
  }

  readonly source: TorrentSource = {
    host: undefined,
    listen: (listener) => {
      this.listener = listener;
      return () => (this.listener = undefined);
    },
    start() {},
    stop() {},
    hashes: () => this.rows.keys(),
    row: (hash) => {
      this.reads++;
      const row = this.rows.get(hash);
      return row ? { ...row } : undefined;
    },
    global: (): SourceGlobal => ({
      downloadLimit: 0,
      uploadLimit: 0,
      altSpeedEnabled: false,
      altDownloadLimit: 0,
      altUploadLimit: 0,
      port: 1,
      downloadDirectory: '/d',
      maxActiveDownloads: 0,
      seedRatioLimit: 2,
      seedIdleLimit: 30,
    }),
    status: () => ({ online: true }),
    focus() {},
    detail: () => undefined,
    add: () => Promise.resolve(undefined),
    toggle: () => Promise.resolve(),
    verify: () => Promise.resolve(),
    remove: () => Promise.resolve(),
    reannounce: () => Promise.resolve(),
    setPriority: () => Promise.resolve(),
    setFilePriority: () => Promise.resolve(),
    setLabels: () => Promise.resolve(),
    setTorrentLimits: () => Promise.resolve(),
    setSeedGoals: () => Promise.resolve(),
    move: () => Promise.resolve(true),
    setGlobalLimits: () => Promise.resolve(),
    setGlobalSeedGoals: () => Promise.resolve(),
    setAltSpeed: () => Promise.resolve(),
  };
}

export const hashOf = (i: number) => i.toString(16).padStart(40, '0');
