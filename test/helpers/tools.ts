import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

/** Debian's python, which has the libtorrent bindings (not the pyenv one first on PATH). */
export const SYSTEM_PYTHON = '/usr/bin/python3';

const cache = new Map<string, boolean>();

export function haveCommand(command: string): boolean {
  if (!cache.has(command)) {
    const found = spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
    cache.set(command, found);
  }
  return cache.get(command)!;
}

export function haveLibtorrent(): boolean {
  const key = 'python3-libtorrent';
  if (!cache.has(key)) {
    const ok = spawnSync(SYSTEM_PYTHON, ['-c', 'import libtorrent'], { stdio: 'ignore' }).status === 0;
    cache.set(key, ok);
  }
  return cache.get(key)!;
}

/**
 * Interop tests need real software. On a developer machine without it the test is skipped
 * with a note; under CI (CI=true, where .ci/run installs it) a missing tool is a failure.
 */
export function needs(t: TestContext, what: { commands?: string[]; libtorrent?: boolean }): boolean {
  const missing = (what.commands ?? []).filter((c) => !haveCommand(c));
  if (what.libtorrent && !haveLibtorrent()) missing.push('python3-libtorrent');
  if (missing.length === 0) return true;
  if (process.env.CI) throw new Error(`missing in CI: ${missing.join(', ')} (.ci/run should install it)`);
  t.skip(`not installed: ${missing.join(', ')}`);
  return false;
}

/**
 * A fresh temporary directory, removed when the test ends. Hooks run in the order they were
 * added, so this one usually runs before the test's own clean-up (closing a session that may
 * still be writing there): a removal that races such a write is retried, and left to the
 * exit of the test process if it still fails.
 */
export function tempDir(t: TestContext, prefix = 'btui-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
    } catch {
      process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    }
  });
  return dir;
}

/** Polls `done` until it holds; throws after `timeoutMs`. */
/** until() for a check that must ask something (an RPC, a screen capture) each time. */
export async function eventually(what: string, done: () => Promise<boolean>, timeoutMs = 15_000, pollMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

export async function until(what: string, done: () => boolean, timeoutMs = 15_000, pollMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
