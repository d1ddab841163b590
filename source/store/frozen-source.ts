import type { SourceGlobal, SourceListener, SourceRow, SourceStatus, TorrentSource } from './source.js';

const ONLINE: SourceStatus = { online: true };

/**
 * Fixed rows and figures that nothing changes: what the in-process session shows in the TUI's
 * first frame (the saved session's preview, before any torrent is open), for drawing that frame
 * ahead of time (ui/first-frame.tsx). Any action is refused.
 */
export class FrozenSource implements TorrentSource {
  readonly host = undefined;

  constructor(
    private readonly rows: ReadonlyMap<string, SourceRow>,
    private readonly figures: SourceGlobal,
  ) {}

  listen(_listener: SourceListener): () => void {
    return () => undefined;
  }
  start(): void {}
  stop(): void {}
  hashes(): Iterable<string> {
    return this.rows.keys();
  }
  row(hash: string): SourceRow | undefined {
    return this.rows.get(hash);
  }
  global(): SourceGlobal {
    return this.figures;
  }
  status(): SourceStatus {
    return ONLINE;
  }
  focus(): void {}
  detail(): undefined {
    return undefined;
  }
  add = refused;
  toggle = refused;
  verify = refused;
  remove = refused;
  reannounce = refused;
  setPriority = refused;
  setFilePriority = refused;
  setLabels = refused;
  setTorrentLimits = refused;
  setSeedGoals = refused;
  move = refused;
  setGlobalLimits = refused;
  setGlobalSeedGoals = refused;
  setAltSpeed = refused;
}

function refused(): Promise<never> {
  return Promise.reject(new Error('a frozen view: nothing can be changed here'));
}
