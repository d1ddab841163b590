/**
 * Resume data: which pieces we have, plus each file's size and mtime at the time, so that a
 * file changed behind our back invalidates the saved bitfield (the caller then rechecks).
 */
import * as fsp from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { decode, dict, encode, isBytes, isDict, isInt, type BValue } from '../codec/bencode.js';

export interface FileStamp {
  /** -1 when the file does not exist. */
  size: number;
  /** Modification time in nanoseconds; 0n when the file does not exist. */
  mtime: bigint;
}

export interface ResumeData {
  infoHash: Buffer;
  pieceCount: number;
  bitfield: Uint8Array;
  files: FileStamp[];
  /**
   * Set when written data was not flushed to disk before this was saved: the boot it is valid
   * in (see bootId). In another boot the bitfield may claim data a crash lost.
   */
  unflushedBoot?: string;
  /**
   * Saved while the torrent ran: pieces verified later may have grown or touched the files
   * since, so a file stamped later and no smaller does not void the bitfield.
   */
  whileWriting?: boolean;
}

const FORMAT = 1;

export async function stampFile(path: string): Promise<FileStamp> {
  try {
    const stats = await fsp.lstat(path, { bigint: true });
    if (!stats.isFile()) return { size: -1, mtime: 0n };
    return { size: Number(stats.size), mtime: stats.mtimeNs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') {
      return { size: -1, mtime: 0n };
    }
    throw error;
  }
}

export function encodeResume(data: ResumeData): Buffer {
  return encode(
    dict({
      'btui-resume': FORMAT,
      'info-hash': data.infoHash,
      'piece-count': data.pieceCount,
      bitfield: data.bitfield,
      files: data.files.map((f) => dict({ size: f.size, mtime: f.mtime })),
      'unflushed-boot': data.unflushedBoot,
      'while-writing': data.whileWriting ? 1 : undefined,
    }),
  );
}

/** The decoded resume data, or undefined when the bytes are not a resume file of ours. */
export function decodeResume(bytes: Uint8Array): ResumeData | undefined {
  let value: BValue;
  try {
    value = decode(bytes);
  } catch {
    return undefined;
  }
  if (!isDict(value) || value.get('btui-resume') !== FORMAT) return undefined;
  const infoHash = value.get('info-hash');
  const pieceCount = value.get('piece-count');
  const bitfield = value.get('bitfield');
  const files = value.get('files');
  if (!isBytes(infoHash) || typeof pieceCount !== 'number' || !isBytes(bitfield) || !Array.isArray(files)) return undefined;
  const stamps: FileStamp[] = [];
  for (const f of files) {
    if (!isDict(f)) return undefined;
    const size = f.get('size');
    const mtime = f.get('mtime');
    if (typeof size !== 'number' || !isInt(mtime)) return undefined;
    stamps.push({ size, mtime: BigInt(mtime) });
  }
  const unflushedBoot = value.get('unflushed-boot');
  if (unflushedBoot !== undefined && !isBytes(unflushedBoot)) return undefined;
  const whileWriting = value.get('while-writing');
  if (whileWriting !== undefined && whileWriting !== 1) return undefined;
  return {
    infoHash: Buffer.from(infoHash),
    pieceCount,
    bitfield,
    files: stamps,
    ...(unflushedBoot === undefined ? {} : { unflushedBoot: Buffer.from(unflushedBoot).toString() }),
    ...(whileWriting === 1 ? { whileWriting: true } : {}),
  };
}

export type AtomicFs = Pick<typeof fsp, 'open' | 'rename' | 'unlink'>;

/**
 * Writes `data` to `path` so that readers see either the old file or the complete new one:
 * temp file in the same directory, fsync, rename, then fsync the directory.
 */
export async function writeFileAtomic(path: string, data: Uint8Array, fs: AtomicFs = fsp): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let renamed = false;
  try {
    const handle = await fs.open(temp, 'wx', 0o644);
    try {
      let written = 0;
      while (written < data.length) {
        const { bytesWritten } = await handle.write(data, written, data.length - written);
        written += bytesWritten;
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, path);
    renamed = true;
  } finally {
    if (!renamed) await fs.unlink(temp).catch(() => {});
  }
  await syncDirectory(dirname(path));
}

async function syncDirectory(dir: string): Promise<void> {
  // Makes the rename durable; some file systems refuse fsync on a directory, which is harmless.
  try {
    const handle = await fsp.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    /* best effort */
  }
}
