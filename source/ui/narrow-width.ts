/**
 * A fast answer to string-width for the text btui draws: printable ASCII and the few symbols its
 * screens use (arrows, bars, box lines), all one column wide, with colours as SGR sequences. Ink
 * measures every Text node with string-width, which walks any non-ASCII string grapheme by grapheme
 * against a large emoji pattern: a list row with a progress bar took 0.1-10 ms, and the first such
 * string about 60 ms, most of the first frame. The build routes Ink's string-width through this
 * (scripts/build/narrow-width-plugin.mjs); anything else falls through to string-width itself.
 */

/** The characters besides printable ASCII that are one column wide (string-width agrees: test/ui/narrow-width.test.ts). */
export const NARROW_SYMBOLS = '↑↓←→…·×≈∞‹›—▲▼█▇▆▅▄▃▂▁▉▊▋▌▍▎▏░▒▓─│┃├└┌┐┘┬┴┼';

const SGR = /\u001B\[[0-9;]*m/g;
const NARROW = new RegExp(`^[\\u0020-\\u007E${NARROW_SYMBOLS}]*$`);

export interface WidthOptions {
  ambiguousIsNarrow?: boolean;
  countAnsiEscapeCodes?: boolean;
}

/** The width of `text` in columns when every character is narrow, else undefined (ask string-width). */
export function narrowWidth(text: unknown, options?: WidthOptions): number | undefined {
  if (typeof text !== 'string') return undefined;
  if (options && (options.ambiguousIsNarrow === false || options.countAnsiEscapeCodes === true)) return undefined;
  const plain = text.includes('\u001B') ? text.replace(SGR, '') : text;
  if (plain.includes('\u001B') || plain.includes('\u009B')) return undefined;
  return NARROW.test(plain) ? plain.length : undefined;
}
