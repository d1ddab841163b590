import { open, rename } from 'node:fs/promises';

/** Makes a directory's entries (a file created, renamed or removed in it) survive a power cut. */
export async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes a file whole or not at all: to a temporary file, synced, then renamed over `path`.
 * The rename itself is durable once the caller syncs the directory (once for many files).
 */
export async function writeFileDurably(path: string, parts: readonly Uint8Array[]): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  const file = await open(temporary, 'w');
  try {
    const size = parts.reduce((sum, part) => sum + part.length, 0);
    const { bytesWritten } = await file.writev(parts as Uint8Array[]);
    if (bytesWritten !== size) throw new Error(`short write of ${temporary}: ${bytesWritten} of ${size} bytes`);
    await file.datasync();
  } finally {
    await file.close();
  }
  await rename(temporary, path);
}
