/**
 * The TUI's first frame, drawn at a clean quit for the next start (source/startup-frame.ts shows
 * it before the TUI's modules load; they take most of the start-up). It is kept beside the session
 * with everything it was drawn from: the next start shows it only when all of that is unchanged
 * (the same build, command line, terminal size, environment, session files and config.json), so
 * what it shows is what the TUI's own first frame shows.
 */
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const HEADER = 'btui first frame 1';

/** Variables that change what the frame looks like (colours, widths, dates) or which files it comes from. */
const ENVIRONMENT = [
  'TERM',
  'COLORTERM',
  'NO_COLOR',
  'FORCE_COLOR',
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
  'TZ',
  'HOME',
  'XDG_CONFIG_HOME',
  'XDG_DATA_HOME',
  'BTUI_HOME',
];

export interface FrameConditions {
  /** The TUI bundle's identity (its size and time), so that a new build never shows an old frame. */
  build: string;
  argv: readonly string[];
  columns: number;
  rows: number;
  configPath: string;
}

export function firstFramePath(stateDirectory: string): string {
  return join(stateDirectory, 'first-frame');
}

/** Everything the frame depends on besides the code, as one string; files by size, time and inode (a save always rewrites). */
export function frameKey(stateDirectory: string, conditions: FrameConditions): string {
  const parts = [conditions.build, JSON.stringify(conditions.argv), `${conditions.columns}x${conditions.rows}`, conditions.configPath];
  for (const name of ENVIRONMENT) parts.push(`${name}=${process.env[name] ?? ''}`);
  // The saved session is session.json and the journal of changes since (service/persistence.ts).
  for (const file of [join(stateDirectory, 'session.json'), join(stateDirectory, 'session.journal'), conditions.configPath]) {
    try {
      const stat = statSync(file, { bigint: true });
      parts.push(`${stat.size}:${stat.mtimeNs}:${stat.ino}`);
    } catch {
      parts.push('none');
    }
  }
  return JSON.stringify(parts);
}

/** The saved frame when it was drawn under exactly these conditions. */
export function readFirstFrame(stateDirectory: string, key: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(firstFramePath(stateDirectory), 'utf8');
  } catch {
    return undefined;
  }
  const headerEnd = text.indexOf('\n');
  const keyEnd = text.indexOf('\n', headerEnd + 1);
  if (headerEnd < 0 || keyEnd < 0 || text.slice(0, headerEnd) !== HEADER || text.slice(headerEnd + 1, keyEnd) !== key) return undefined;
  return text.slice(keyEnd + 1);
}

/** Written whole under a temporary name, then renamed: a start never reads half a frame. */
export function writeFirstFrame(stateDirectory: string, key: string, frame: string): void {
  const path = firstFramePath(stateDirectory);
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, `${HEADER}\n${key}\n${frame}`);
    renameSync(temporary, path);
  } finally {
    rmSync(temporary, { force: true });
  }
}

export function forgetFirstFrame(stateDirectory: string): void {
  rmSync(firstFramePath(stateDirectory), { force: true });
}
