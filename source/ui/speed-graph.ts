// The speed graph's drawing, pure: samples in, lines of block characters out.

/** Eighths of a cell, empty to full. */
const LEVELS = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/**
 * The last `width` samples as `height` lines of `width` characters, newest on the right, scaled
 * so `max` fills the top row. Any traffic at all shows at least the lowest eighth; none is blank.
 */
export function graphLines(samples: readonly number[], width: number, height: number, max: number): string[] {
  if (width <= 0 || height <= 0) return [];
  const shown = samples.slice(-width);
  const pad = width - shown.length;
  const steps = height * 8;
  const levels = shown.map((v) => (v <= 0 || max <= 0 ? 0 : Math.max(1, Math.min(steps, Math.round((v / max) * steps)))));
  const lines: string[] = [];
  for (let row = 0; row < height; row++) {
    const floor = (height - 1 - row) * 8;
    let line = ' '.repeat(pad);
    for (const level of levels) line += LEVELS[Math.max(0, Math.min(8, level - floor))];
    lines.push(line);
  }
  return lines;
}

/** The top of the scale: the largest sample, at least 1 so an idle graph stays blank. */
export function graphMax(samples: readonly number[]): number {
  let max = 1;
  for (const v of samples) if (v > max) max = v;
  return max;
}
