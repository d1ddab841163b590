import type { TorrentStats } from '../engine/torrent/torrent.js';
import { formatDuration, formatRate } from '../format/duration.js';
import { formatBytes } from '../format/size.js';
import { printable } from '../format/text.js';

/**
 * Progress for headless commands: one live line on a TTY, a plain line every few seconds
 * when piped, or one JSON object per line with --json. Everything goes to stderr except
 * JSON, which goes to stdout for scripts.
 */
export class ProgressReporter {
  private lastPlainAt = 0;
  private liveLine = false;

  constructor(private readonly options: { json: boolean; tty: boolean; plainEveryMs?: number }) {}

  progress(s: TorrentStats): void {
    if (this.options.json) return this.json({ event: 'progress', ...pick(s) });
    const line =
      `${(s.progress * 100).toFixed(1).padStart(5)}%  ${s.state.padEnd(11)} ` +
      `down ${formatRate(s.downloadRate)}  up ${formatRate(s.uploadRate)}  ` +
      `peers ${s.peers} (${s.seeds} seeds)  ${formatBytes(s.completedBytes)}/${formatBytes(s.length)}  ETA ${formatDuration(s.etaSeconds)}`;
    this.status(line);
  }

  /** While a magnet's info dictionary is being fetched from peers. */
  metadata(name: string, s: { known: number; connected: number; offering: number; pieces: number; pieceCount: number }): void {
    if (this.options.json)
      return this.json({
        event: 'metadata',
        name,
        peers: s.known,
        connected: s.connected,
        offering: s.offering,
        pieces: s.pieces,
        pieceCount: s.pieceCount,
      });
    const pieces = s.pieceCount ? `  ${s.pieces}/${s.pieceCount} pieces` : '';
    const line = `fetching metadata  ${printable(name)}  peers ${s.connected} connected, ${s.known} found, ${s.offering} offering${pieces}`;
    this.status(line);
  }

  checking(done: number, total: number): void {
    if (this.options.json || !this.options.tty) return;
    process.stderr.write(`\rchecking ${done}/${total} pieces\x1b[K`);
    this.liveLine = true;
  }

  done(s: TorrentStats, path: string): void {
    if (this.options.json) return this.json({ event: 'done', path, ...pick(s) });
    this.endLive();
    process.stderr.write(`done: ${printable(s.name)} (${formatBytes(s.length)}) verified, in ${path}\n`);
  }

  note(message: string): void {
    if (this.options.json) return this.json({ event: 'note', message });
    this.endLive();
    process.stderr.write(`${message}\n`);
  }

  warning(message: string): void {
    if (this.options.json) return this.json({ event: 'warning', message });
    this.endLive();
    process.stderr.write(`warning: ${printable(message)}\n`);
  }

  stop(): void {
    this.endLive();
  }

  /** A status line: rewritten in place on a TTY, else printed every few seconds. */
  private status(line: string): void {
    if (this.options.tty) {
      process.stderr.write(`\r${line}\x1b[K`);
      this.liveLine = true;
      return;
    }
    const now = Date.now();
    if (now - this.lastPlainAt < (this.options.plainEveryMs ?? 5000)) return;
    this.lastPlainAt = now;
    process.stderr.write(`${line}\n`);
  }

  private endLive(): void {
    if (!this.liveLine) return;
    process.stderr.write('\n');
    this.liveLine = false;
  }

  private json(value: object): void {
    process.stdout.write(`${JSON.stringify(value)}\n`);
  }
}

function pick(s: TorrentStats) {
  return {
    infoHash: s.infoHash,
    name: s.name,
    state: s.state,
    progress: s.progress,
    completed: s.completedBytes,
    length: s.length,
    downloadRate: Math.round(s.downloadRate),
    uploadRate: Math.round(s.uploadRate),
    downloaded: s.downloaded,
    uploaded: s.uploaded,
    peers: s.peers,
    seeds: s.seeds,
    eta: s.etaSeconds === undefined ? null : Math.round(s.etaSeconds),
  };
}
