import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';

/**
 * One process per state directory: two on one session.json each save their own list over
 * the other's, and torrents are lost. The lock is a file created atomically (O_EXCL) holding
 * the owner's pid; one whose pid is dead (a crash, a kill -9) is stale and taken over
 * silently. Used by the TUI, and meant for `btui daemon` too.
 */
export interface SessionLock {
  readonly path: string;
  /** Deletes the lock file if it is still ours; safe to call more than once. */
  release(): void;
}

interface LockContent {
  pid: number;
  /** What holds it, for the message to a second process: "btui", "btui daemon". */
  holder: string;
  since: string;
}

export class SessionInUseError extends UserError {
  constructor(
    readonly stateDirectory: string,
    readonly pid: number,
    readonly holder: string,
  ) {
    super(`the session in ${stateDirectory} is in use by process ${pid} (${holder}); quit it first`);
  }
}

export function sessionLockPath(stateDirectory: string): string {
  return join(stateDirectory, 'session.lock');
}

/** Whether a process with this pid exists (EPERM: it does, owned by someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parse(text: string): LockContent | undefined {
  try {
    const raw = JSON.parse(text) as Partial<LockContent>;
    if (typeof raw.pid !== 'number' || !Number.isInteger(raw.pid) || raw.pid <= 0) return undefined;
    return {
      pid: raw.pid,
      holder: typeof raw.holder === 'string' ? raw.holder : 'btui',
      since: typeof raw.since === 'string' ? raw.since : '',
    };
  } catch {
    return undefined;
  }
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Takes the lock of `stateDirectory` (creating the directory), or throws SessionInUseError
 * naming the live holder. Released on process exit as well as by release().
 */
export function acquireSessionLock(stateDirectory: string, options: { holder?: string; pid?: number } = {}): SessionLock {
  const pid = options.pid ?? process.pid;
  const path = sessionLockPath(stateDirectory);
  const mine = `${JSON.stringify({ pid, holder: options.holder ?? 'btui', since: new Date().toISOString() } satisfies LockContent)}\n`;
  mkdirSync(stateDirectory, { recursive: true });
  // Written in full to a file of our own, then linked to the lock's name: link() creates
  // atomically (as O_EXCL does) and the lock is never seen empty or half written.
  const temporary = `${path}.${pid}.tmp`;
  writeFileSync(temporary, mine, { mode: 0o644 });
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(temporary, path);
        return held(path, mine);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const text = readText(path);
      if (text === undefined) continue; // released meanwhile
      const owner = parse(text);
      if (owner && owner.pid !== pid && processAlive(owner.pid)) throw new SessionInUseError(stateDirectory, owner.pid, owner.holder);
      // Stale (its process is gone) or unreadable: set aside, then try again. Moved, not
      // deleted, so that a lock another process took meanwhile is not lost.
      const aside = `${path}.stale-${pid}`;
      try {
        renameSync(path, aside);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      const moved = readText(aside);
      if (moved !== undefined && moved !== text) {
        // Not the stale lock judged above but a fresh one: put it back and respect it.
        try {
          linkSync(aside, path);
        } catch {
          // Someone else holds it by now either way.
        }
        unlinkSync(aside);
        const fresh = parse(moved);
        if (fresh && processAlive(fresh.pid)) throw new SessionInUseError(stateDirectory, fresh.pid, fresh.holder);
        continue;
      }
      unlinkSync(aside);
    }
  } finally {
    unlinkSync(temporary);
  }
  throw new UserError(`cannot take the lock ${path}: it keeps changing; is another btui starting?`);
}

function held(path: string, mine: string): SessionLock {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    try {
      if (readText(path) === mine) unlinkSync(path);
    } catch {
      // Best effort: a lock left behind is stale once this process is gone.
    }
  };
  process.on('exit', release);
  return { path, release };
}
