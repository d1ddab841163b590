import { readFile } from 'node:fs';

/**
 * A whole file's bytes, read with the callback fs.readFile: restoring a session reads two small
 * files per torrent, and fs/promises' readFile spent about three times the CPU on each (its open,
 * fstat, read and close are each a promise of their own).
 */
export function readWholeFile(path: string): Promise<Buffer> {
  return new Promise((resolve, reject) => readFile(path, (error, bytes) => (error ? reject(error) : resolve(bytes))));
}
