import { existsSync, readFileSync, rmSync } from 'node:fs';
import { sessionFromTexts, type SavedSession } from '../../source/session-state/session-file.js';
import { journalPathFor } from '../../source/session-state/session-journal.js';

const textOf = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : undefined);

/** The session the disk holds now, as a restart would read it: session.json with session.journal replayed. */
export function savedOnDisk(sessionPath: string): SavedSession {
  const journalPath = journalPathFor(sessionPath);
  return sessionFromTexts(textOf(sessionPath), textOf(journalPath), { path: sessionPath, journalPath }).session;
}

/**
 * For tests that edit session.json by hand (to play an older file): the session on disk as one
 * plain object, its journal removed so that what the test writes back is the whole session.
 */
export function sessionForEditing(sessionPath: string): { version: 1; torrents: Record<string, unknown>[] } {
  const session = savedOnDisk(sessionPath);
  rmSync(journalPathFor(sessionPath), { force: true });
  return { version: 1, torrents: session.torrents as unknown as Record<string, unknown>[] };
}
