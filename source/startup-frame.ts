/**
 * The first frame before the TUI's modules load. Loading Ink, React and the engine takes most of
 * the TUI's start-up; the frame the last clean quit drew for this session (session-state/first-frame.ts)
 * can be on screen first. The TUI then draws its own frame over it, the same one when nothing
 * changed; keys typed meanwhile wait, unechoed, and are answered once it runs.
 */
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { stateDirectory } from './config.js';
import { frameKey, readFirstFrame, type FrameConditions } from './session-state/first-frame.js';
import { sessionLockPath } from './session-state/session-lock.js';
import { markStartup } from './startup-marks.js';

const ENTER_ALTERNATE_SCREEN = '\x1b[?1049h\x1b[H';
const LEAVE_ALTERNATE_SCREEN = '\x1b[?1049l';
const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';
const CURSOR_HOME = '\x1b[H';

let shown: string | undefined;

/** Where conf keeps the settings (settings.ts) on Linux and the BSDs; elsewhere the key differs and no frame is shown. */
function configFilePath(): string {
  return join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'btui', 'config.json');
}

/** What the saved frame must have been drawn under; the terminal's size is read when the frame is. */
export function frameConditions(argv: readonly string[], tuiBundle: string): Omit<FrameConditions, 'columns' | 'rows'> | undefined {
  try {
    const stat = statSync(tuiBundle);
    return { build: `${stat.size}:${stat.mtimeMs}`, argv, configPath: configFilePath() };
  } catch {
    return undefined;
  }
}

/** Shows the saved frame when it was drawn under the same conditions and nobody holds the session; whether it did. */
export function showSavedFrame(conditions: Omit<FrameConditions, 'columns' | 'rows'>): string | undefined {
  if (!process.stdin.isTTY || !process.stdout.isTTY) return undefined;
  const state = stateDirectory();
  // Another btui or a daemon on this session: the TUI will refuse to start, with nothing drawn.
  if (existsSync(sessionLockPath(state))) return undefined;
  const columns = process.stdout.columns || 80;
  const rows = process.stdout.rows || 24;
  const frame = readFirstFrame(state, frameKey(state, { ...conditions, columns, rows }));
  if (frame === undefined) return undefined;
  try {
    process.stdin.setRawMode(true);
  } catch {
    // A terminal that takes no raw mode: the TUI will say what it can; no frame before it.
    return undefined;
  }
  process.stdout.write(ENTER_ALTERNATE_SCREEN + HIDE_CURSOR + frame + CURSOR_HOME);
  markStartup('saved-frame');
  shown = frame;
  return frame;
}

/** Back to the normal screen when the TUI stops before drawing (an error to print). */
export function leaveSavedFrame(): void {
  if (shown === undefined) return;
  shown = undefined;
  process.stdout.write(LEAVE_ALTERNATE_SCREEN + SHOW_CURSOR);
  process.stdin.setRawMode(false);
}
