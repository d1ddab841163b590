import { mkdir, readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { describeError } from '../errors.js';
import type { TorrentService } from './torrent-service.js';

/**
 * Polls a directory for .torrent files (polling works on every file system, fs.watch does
 * not); each is added and then moved into `added/` (or `failed/`), so it is taken once.
 */
export class WatchDirectory {
  private timer?: NodeJS.Timeout;
  private busy = false;

  constructor(
    private readonly directory: string,
    private readonly service: Pick<TorrentService, 'add' | 'log'>,
    private readonly intervalMs = 5000,
  ) {}

  start(): void {
    void this.scan();
    this.timer = setInterval(() => void this.scan(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  async scan(): Promise<number> {
    if (this.busy) return 0;
    this.busy = true;
    let added = 0;
    try {
      let names: string[];
      try {
        names = (await readdir(this.directory, { withFileTypes: true }))
          .filter((e) => e.isFile() && e.name.toLowerCase().endsWith('.torrent'))
          .map((e) => e.name);
      } catch {
        return 0;
      }
      for (const name of names) {
        const path = join(this.directory, name);
        // A failed save is logged by the service; the file then goes to failed/.
        const hash = await this.service.add(path).catch(() => undefined);
        const aside = join(this.directory, hash ? 'added' : 'failed');
        try {
          await mkdir(aside, { recursive: true });
          await rename(path, join(aside, name));
        } catch (error) {
          this.service.log('error', `watch directory: cannot move ${name} aside: ${describeError(error)}`);
        }
        if (hash) added++;
      }
    } finally {
      this.busy = false;
    }
    return added;
  }
}
