import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describeError } from '../../errors.js';
import { StorageError } from '../storage/storage.js';
import type { TorrentContext } from './torrent-context.js';

const RESUME_SAVE_INTERVAL_MS = 30_000;

/** Writes the resume file: when the pieces we have change, every 30 s, and at stop. */
export class ResumeSaver {
  /** The pieces we have changed since the resume file was last written. */
  private outdated = false;
  private saving: Promise<void> = Promise.resolve();
  private lastSaveAt = 0;

  constructor(
    private readonly ctx: Pick<TorrentContext, 'storage' | 'have' | 'running' | 'state' | 'warn' | 'fail'>,
    private readonly resumePath: string | undefined,
  ) {}

  markOutdated(): void {
    this.outdated = true;
  }

  start(now: number): void {
    this.lastSaveAt = now;
  }

  /** From the housekeeper, once a second. */
  housekeep(now: number): void {
    if (now - this.lastSaveAt < RESUME_SAVE_INTERVAL_MS) return;
    this.lastSaveAt = now;
    // Off the critical path, so the data is flushed: resume data then holds across reboots too.
    if (this.outdated || this.ctx.storage.hasUnflushedWrites) void this.save({ flush: true });
  }

  /** Saves are serialised: one in flight at a time, and stop() waits for it before closing storage. */
  save({ flush = false }: { flush?: boolean } = {}): Promise<void> {
    this.saving = this.saving.then(() => this.write(flush));
    return this.saving;
  }

  private async write(flush: boolean): Promise<void> {
    const { storage } = this.ctx;
    if (!this.resumePath || !(this.outdated || (flush && storage.hasUnflushedWrites))) return;
    this.outdated = false;
    try {
      const missing = this.ctx.running ? await storage.missingData(this.ctx.have) : undefined;
      if (missing && this.ctx.running) {
        this.ctx.fail(new StorageError(`missing data: ${missing} was deleted or truncated`, 'ENOENT', missing));
        return;
      }
      await mkdir(dirname(this.resumePath), { recursive: true });
      await storage.saveResume(this.ctx.have, this.resumePath, {
        flush,
        // Pieces may still land after this save (a crash then leaves newer files behind).
        whileWriting: this.ctx.running && this.ctx.state === 'downloading',
      });
    } catch (error) {
      this.outdated = true;
      this.ctx.warn(`cannot save resume data: ${describeError(error)}`);
    }
  }
}
