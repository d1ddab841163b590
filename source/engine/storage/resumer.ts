/**
 * Resume: which pieces we have, saved with the files' stamps (resume-file.ts), and trusted on
 * load only while every file is as it was then.
 */
import { Bitfield } from '../codec/bitfield.js';
import type { Metainfo } from '../metainfo/metainfo.js';
import { filePieces } from '../metainfo/piece-layout.js';
import { bootId } from './boot-id.js';
import { storageError } from './errors.js';
import type { FileIO } from './file-io.js';
import { mapPiece } from './file-map.js';
import { readWholeFile } from './read-whole-file.js';
import { decodeResume, encodeResume, writeFileAtomic } from './resume-file.js';

export class Resumer {
  constructor(
    private readonly meta: Metainfo,
    private readonly files: FileIO,
  ) {}

  /**
   * Atomically writes {info-hash, bitfield, files: [{size, mtime}]}. With `flush`, written data
   * is flushed to disk first; without, it is left to the kernel (flushing a gigabyte takes
   * seconds) and the resume data holds only in this boot of the machine (see bootId), unless
   * there is no boot id to tell, when it is flushed all the same.
   */
  async save(have: Bitfield, path: string, flush: boolean, whileWriting = false): Promise<void> {
    const boot = flush ? undefined : await bootId();
    if (boot === undefined) await this.files.flushWrites();
    const files = await this.files.stamps();
    const bytes = encodeResume({
      infoHash: Buffer.from(this.meta.infoHash, 'hex'),
      pieceCount: this.meta.pieceCount,
      bitfield: have.buffer,
      files,
      unflushedBoot: this.files.hasUnflushedWrites ? boot : undefined,
      whileWriting,
    });
    try {
      await writeFileAtomic(path, bytes);
    } catch (error) {
      throw storageError(error, 'writing', path);
    }
  }

  /**
   * The saved bitfield if it belongs to this torrent and no file changed since; else undefined.
   * It only reads (the resume file, the files' sizes and times): no open() needed, so that a
   * paused torrent can show its progress without creating directories or files.
   */
  async load(path: string): Promise<Bitfield | undefined> {
    let bytes: Buffer;
    try {
      bytes = await readWholeFile(path);
    } catch {
      return undefined;
    }
    const data = decodeResume(bytes);
    if (!data) return undefined;
    if (data.unflushedBoot !== undefined && data.unflushedBoot !== (await bootId())) return undefined;
    if (!data.infoHash.equals(Buffer.from(this.meta.infoHash, 'hex'))) return undefined;
    if (data.pieceCount !== this.meta.pieceCount || data.files.length !== this.meta.files.length) return undefined;
    const current = await this.files.stamps();
    for (let i = 0; i < current.length; i++) {
      const now = current[i]!;
      const then = data.files[i]!;
      if (now.size === then.size && now.mtime === then.mtime) continue;
      // Saved mid-download (the last periodic save before a crash): later pieces were written
      // since, so a file may be newer, larger or new, never older or smaller. Without this a
      // killed daemon would check every byte again on restart. Claimed pieces are still
      // looked for below.
      if (data.whileWriting && now.size >= then.size && now.mtime >= then.mtime) continue;
      return undefined;
    }
    let have: Bitfield;
    try {
      have = Bitfield.fromWire(data.bitfield, this.meta.pieceCount);
    } catch {
      return undefined;
    }
    // Resume data never vouches for bytes that are not on disk, however it was written. A
    // skipped file's part of a piece is never written (see FileIO): it is not looked for,
    // or every piece straddling a skipped file would throw the whole resume away for a check
    // that cannot verify those pieces (progress went backwards across a restart).
    for (let k = 0; k < this.meta.pieceCount; k++) {
      if (!have.get(k)) continue;
      for (const slice of mapPiece(this.meta, k)) {
        if (!this.files.wanted(slice.fileIndex)) continue;
        if (current[slice.fileIndex]!.size < slice.fileOffset + slice.length) return undefined;
      }
    }
    return have;
  }

  /**
   * The first wanted file (relative path) that lacks bytes of a piece in `have`: deleted or
   * truncated behind our back. Writes through a handle opened before a deletion succeed,
   * so only a look at the file system tells.
   */
  async missingData(have: Bitfield): Promise<string | undefined> {
    const stamps = await this.files.stamps();
    for (let i = 0; i < this.files.count; i++) {
      const file = this.meta.files[i]!;
      if (file.padding || file.length === 0 || !this.files.wanted(i)) continue;
      const span = filePieces(file, this.meta.pieceLength);
      if (!span) continue;
      let needed = 0;
      for (let k = span.last; k >= span.first; k--) {
        if (!have.get(k)) continue;
        needed = Math.min(file.length, (k + 1) * this.meta.pieceLength - file.offset);
        break;
      }
      if (needed > 0 && stamps[i]!.size < needed) return this.files.location(i).relative;
    }
    return undefined;
  }
}
