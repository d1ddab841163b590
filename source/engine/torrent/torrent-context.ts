import type { Bitfield } from '../codec/bitfield.js';
import type { Metainfo } from '../metainfo/metainfo.js';
import type { Storage } from '../storage/storage.js';
import type { PiecePicker } from './picker.js';
import type { Traffic } from './torrent-stats.js';

export type TorrentState = 'checking' | 'downloading' | 'seeding' | 'paused' | 'error' | 'metadata' | 'queued';

/** What a torrent's collaborators share: read-only views of its state, and the two ways to report. */
export interface TorrentContext {
  readonly meta: Metainfo;
  readonly storage: Storage;
  /** Replaced at each start and recheck: read it each time, do not keep it. */
  readonly picker: PiecePicker;
  /** The pieces we have: the picker's while there is one, else the stopped torrent's saved ones (making no picker). */
  readonly have: Bitfield;
  readonly state: TorrentState;
  readonly running: boolean;
  /** Counts starts: work begun in one run checks it is still current before acting. */
  readonly run: number;
  readonly traffic: Traffic;
  warn(message: string): void;
  fail(error: unknown): void;
}

/** The torrent as its view reads it. */
export interface ViewedTorrent {
  readonly meta: Metainfo;
  readonly storage: Storage;
  readonly picker: PiecePicker;
  readonly have: Bitfield;
  readonly state: TorrentState;
  readonly isRunning: boolean;
  readonly runNumber: number;
  emit(event: 'warning', message: string): boolean;
  fail(error: unknown): void;
}

/**
 * The context as one small object per torrent. A class, not an object literal with getters: such
 * a literal goes to dictionary mode (~830 bytes, plus a closure per getter), which at 10,000
 * running torrents was ~30 MB.
 */
export class TorrentView implements TorrentContext {
  constructor(
    private readonly torrent: ViewedTorrent,
    readonly traffic: Traffic,
  ) {}

  get meta(): Metainfo {
    return this.torrent.meta;
  }

  get storage(): Storage {
    return this.torrent.storage;
  }

  get picker(): PiecePicker {
    return this.torrent.picker;
  }

  get have(): Bitfield {
    return this.torrent.have;
  }

  get state(): TorrentState {
    return this.torrent.state;
  }

  get running(): boolean {
    return this.torrent.isRunning;
  }

  get run(): number {
    return this.torrent.runNumber;
  }

  warn(message: string): void {
    this.torrent.emit('warning', message);
  }

  fail(error: unknown): void {
    this.torrent.fail(error);
  }
}
