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
