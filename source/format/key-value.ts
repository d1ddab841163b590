import { printableLines } from './text.js';

/** One row of a key/value block; a value with several lines continues under itself. */
export type KeyValueRow = [key: string, value: string | string[]];

/**
 * Aligned key/value lines:
 *   Name       ubuntu.iso
 *   Trackers   tier 1  http://a/announce
 *                      http://b/announce
 */
export function keyValueBlock(rows: KeyValueRow[], indent = ''): string {
  const width = Math.max(0, ...rows.map(([key]) => key.length));
  const lines: string[] = [];
  for (const [key, value] of rows) {
    const values = (Array.isArray(value) ? value : [value]).flatMap(printableLines);
    values.forEach((text, i) => {
      const label = i === 0 ? key.padEnd(width) : ''.padEnd(width);
      lines.push(`${indent}${label}  ${text}`.trimEnd());
    });
  }
  return lines.join('\n');
}
