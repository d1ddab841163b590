/**
 * Where the TUI's start-up time goes, for `npm run bench:ui`: with BTUI_STARTUP_MARKS=FILE set,
 * each mark is the time since the process started and the CPU time used by then, and the marks are
 * written to FILE as JSON once the first frame is on screen. Without it, marking costs nothing.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.BTUI_STARTUP_MARKS;
// One record per process: cli.js and tui.mjs are separate bundles, each with a copy of this module.
const shared = globalThis as { btuiStartupMarks?: StartupMarks };
const marks = (shared.btuiStartupMarks ??= { wall: {}, cpu: {} });

/** Wall time since the process started, and CPU time (user + system) used by then, both in ms. */
export interface StartupMarks {
  wall: Record<string, number>;
  cpu: Record<string, number>;
}

export function markStartup(name: string): void {
  if (!file) return;
  const { user, system } = process.cpuUsage();
  marks.wall[name] = performance.now();
  marks.cpu[name] = (user + system) / 1000;
}

/** The last mark: writes them all (once). */
export function startupDone(name: string): void {
  if (!file || name in marks.wall) return;
  markStartup(name);
  try {
    writeFileSync(file, `${JSON.stringify(marks)}\n`);
  } catch {
    // A benchmark's file only: never a reason to disturb the TUI.
  }
}
