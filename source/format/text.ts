/**
 * Text from a torrent or magnet is hostile: an escape sequence in a name could repaint or
 * reprogram the user's terminal. Control characters become visible escapes.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
const HAS_CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const PLAIN_ASCII = /^[\u0020-\u007e]*$/;

export function printable(text: string): string {
  if (!HAS_CONTROL.test(text)) return text;
  return text.replace(CONTROL, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Like printable, but keeps line breaks (for multi-line fields such as a comment). */
export function printableLines(text: string): string[] {
  return text.split(/\r?\n/).map(printable);
}

/** Width in terminal columns, close enough for alignment (wide CJK counted as two). */
export function displayWidth(text: string): number {
  if (PLAIN_ASCII.test(text)) return text.length;
  let width = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    width += isWide(code) ? 2 : 1;
  }
  return width;
}

function isWide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1faff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  );
}

/** Printable and at most `max` characters, with an ellipsis in the middle: for echoing user input in messages. */
export function printableShort(text: string, max = 120): string {
  const shown = printable(text);
  if (shown.length <= max) return shown;
  const half = Math.floor((max - 1) / 2);
  return `${shown.slice(0, half)}…${shown.slice(shown.length - half)}`;
}
