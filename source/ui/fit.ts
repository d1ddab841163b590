import { displayWidth } from '../format/text.js';

/** Text cut or padded to exactly `width` terminal columns; a cut ends in '…'. */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  let w = displayWidth(text);
  if (w > width) {
    let out = '';
    w = 0;
    for (const ch of text) {
      const cw = displayWidth(ch);
      if (w + cw > width - 1) break;
      out += ch;
      w += cw;
    }
    return `${out}…${' '.repeat(Math.max(0, width - 1 - w))}`;
  }
  const pad = ' '.repeat(width - w);
  return align === 'left' ? text + pad : pad + text;
}

/** A text bar of `width` cells for a fraction 0..1: done cells, then todo cells. */
export function barCells(fraction: number, width: number): { done: number; todo: number } {
  const clamped = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0));
  const done = Math.floor(clamped * width);
  return { done, todo: width - done };
}

/** "45%" with no "100%" until it really is complete. */
export function percent(fraction: number): string {
  if (fraction >= 1) return '100%';
  return `${Math.min(99, Math.floor(fraction * 100))}%`;
}

/** Text cut into lines of `width` characters, for something that must be seen whole (a magnet link). */
export function wrapHard(text: string, width: number): string {
  const chars = [...text];
  const size = Math.max(1, width);
  const lines: string[] = [];
  for (let i = 0; i < chars.length; i += size) lines.push(chars.slice(i, i + size).join(''));
  return lines.join('\n');
}
