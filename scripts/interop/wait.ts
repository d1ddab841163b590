/** Polling waits for the matrix: asynchronous, so the in-process btui session runs meanwhile. */
import { readFile, stat } from 'node:fs/promises';

export async function waitFor(what: string, done: () => Promise<boolean> | boolean, timeoutMs: number, pollMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/**
 * A check that `path` holds exactly `expected`, read again only when its size is right and its
 * modification time moved: the one completion test that works for every client.
 */
export function sameBytes(path: string, expected: Buffer): () => Promise<boolean> {
  let lastChecked = -1;
  return async () => {
    const info = await stat(path).catch(() => undefined);
    if (!info || info.size !== expected.length || info.mtimeMs === lastChecked) return false;
    lastChecked = info.mtimeMs;
    return (await readFile(path)).equals(expected);
  };
}

/** Resolves when `check` answers true or false without throwing (a server that is up). */
export function answers(check: () => Promise<unknown>): () => Promise<boolean> {
  return () =>
    check().then(
      () => true,
      () => false,
    );
}
