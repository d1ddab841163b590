/**
 * A small LRU of open file handles. Handles are reference counted: an evicted handle that is
 * still in use by a read or write is closed when the last user releases it, so the cache may
 * briefly hold more than `max` descriptors but never closes one under an operation.
 */
import type { FileHandle } from 'node:fs/promises';

export type Opener = (index: number, writable: boolean) => Promise<FileHandle>;

interface Entry {
  handle: Promise<FileHandle>;
  writable: boolean;
  refs: number;
  retired: boolean;
}

export interface Lease {
  handle: FileHandle;
  release(): void;
}

export class FileCache {
  private readonly entries = new Map<number, Entry>();
  private readonly closing = new Set<Promise<void>>();

  constructor(
    private readonly opener: Opener,
    private readonly max = 64,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** A handle for file `index`; a read-only handle is replaced when a writable one is needed. */
  async acquire(index: number, writable: boolean): Promise<Lease> {
    let entry = this.entries.get(index);
    if (entry && writable && !entry.writable) {
      this.retire(index, entry);
      entry = undefined;
    }
    if (entry) {
      this.entries.delete(index);
      this.entries.set(index, entry);
    } else {
      entry = { handle: this.opener(index, writable), writable, refs: 0, retired: false };
      // Unhandled-rejection guard: the awaiting caller below sees the error.
      entry.handle.catch(() => {});
      this.entries.set(index, entry);
      this.evict();
    }
    entry.refs++;
    let handle: FileHandle;
    try {
      handle = await entry.handle;
    } catch (error) {
      entry.refs--;
      if (this.entries.get(index) === entry) this.entries.delete(index);
      throw error;
    }
    const owned = entry;
    let released = false;
    return {
      handle,
      release: () => {
        if (released) return;
        released = true;
        owned.refs--;
        if (owned.retired && owned.refs === 0) this.closeEntry(owned);
      },
    };
  }

  /** Closes the handle of one file (e.g. before deleting or renaming it). */
  async evictFile(index: number): Promise<void> {
    const entry = this.entries.get(index);
    if (entry) this.retire(index, entry);
    await this.settle();
  }

  async closeAll(): Promise<void> {
    for (const [index, entry] of [...this.entries]) this.retire(index, entry);
    await this.settle();
  }

  private evict(): void {
    for (const [index, entry] of this.entries) {
      if (this.entries.size <= this.max) break;
      this.retire(index, entry);
    }
  }

  private retire(index: number, entry: Entry): void {
    if (this.entries.get(index) === entry) this.entries.delete(index);
    entry.retired = true;
    if (entry.refs === 0) this.closeEntry(entry);
  }

  private closeEntry(entry: Entry): void {
    const done = entry.handle
      .then(
        (h) => h.close(),
        () => {},
      )
      .catch(() => {});
    this.closing.add(done);
    void done.finally(() => this.closing.delete(done));
  }

  private async settle(): Promise<void> {
    while (this.closing.size > 0) await Promise.all([...this.closing]);
  }
}
