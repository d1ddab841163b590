/**
 * The TUI's frames around its start and end: the saved first frame it draws over
 * (startup-frame.ts shows it), the next one saved at a quit, and the end after a hangup.
 */
import type { TorrentService } from './service/torrent-service.js';
import { forgetFirstFrame, frameKey, writeFirstFrame, type FrameConditions } from './session-state/first-frame.js';
import type { Settings } from './settings.js';
import { markStartup } from './startup-marks.js';
import { sessionPreview } from './store/session-preview.js';
import type { SourceGlobal } from './store/source.js';
import { drawFirstFrame } from './ui/first-frame.js';
import { settingsHeldHere } from './ui/settings-access.js';

const CLEAR_SCREEN = '\x1b[H\x1b[J';

/** runLocked's result when the terminal hung up: everything is saved, and the process ends by SIGHUP. */
export const HUNG_UP = 129;

/**
 * After a hangup, once everything is saved and closed: the process ends by SIGHUP's default
 * action. A normal exit would have Node reset the terminal's modes on the dead terminal, which
 * Node 20 treats as a fatal error (an assertion and a native stack trace at exit).
 */
export function endByHangup(): void {
  process.removeAllListeners('SIGHUP');
  process.kill(process.pid, 'SIGHUP');
}

/**
 * The saved frame is on screen (startup-frame.ts) and the terminal is in the alternate screen
 * already. Ink's first frame is written from the top left over it: as it is when it is the same
 * frame, after clearing the screen when it is not (the two in one write: nothing blank shows).
 */
export function drawOverSavedFrame(saved: string): void {
  const stdout = process.stdout;
  const write = stdout.write;
  stdout.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]): boolean {
    if (typeof chunk === 'string' && chunk.includes('\n')) {
      stdout.write = write;
      const same = chunk.includes(saved);
      markStartup(same ? 'frame-same' : 'frame-redrawn');
      if (!same) chunk = CLEAR_SCREEN + chunk;
    }
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof stdout.write;
}

/** Draws the first frame of the session as saved, for the next start (startup-frame.ts); on any trouble, leaves none. */
export async function saveFirstFrame(
  service: TorrentService,
  state: string,
  conditions: Omit<FrameConditions, 'columns' | 'rows'>,
  figures: SourceGlobal,
  settings: Settings,
  settingsPath: string,
  demo: boolean,
): Promise<void> {
  try {
    const columns = process.stdout.columns || 80;
    const rows = process.stdout.rows || 24;
    const key = frameKey(state, { ...conditions, columns, rows });
    const preview = sessionPreview(await service.savedSessionOnDisk());
    if (!preview) return forgetFirstFrame(state);
    const frame = drawFirstFrame({
      rows: preview,
      figures,
      settings: settingsHeldHere(settings, settingsPath, () => settings),
      demo,
      width: columns,
      height: Math.max(5, rows - 1),
    });
    writeFirstFrame(state, key, frame);
  } catch {
    forgetFirstFrame(state);
  }
}
