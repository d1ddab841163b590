import type { InkKey } from './keymap.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Whether a chunk read at once holds a control key (Ctrl-U, Backspace, Enter…) beside other keys. */
export function hasControlKey(input: string): boolean {
  return CONTROL.test(input);
}

/**
 * One key of a chunk that arrived at once (fast typing, a paste, keys sent together by tmux),
 * as Ink would have reported it alone: Ink splits escape sequences into events of their own,
 * but "\x15abc\x17" comes as one.
 */
export function keyOfChar(ch: string): { input: string; key: InkKey } {
  const code = ch.charCodeAt(0);
  if (ch === '\r' || ch === '\n') return { input: '', key: { return: true } };
  if (ch === '\t') return { input: '', key: { tab: true } };
  // Backspace as most terminals send it (Ink calls it 'delete'; the editor tells it from Delete by the raw chunk).
  if (ch === '\x7f') return { input: '', key: { delete: true } };
  if (ch === '\b') return { input: '', key: { backspace: true } };
  if (code >= 1 && code <= 26) return { input: String.fromCharCode(code + 96), key: { ctrl: true } };
  return { input: ch, key: {} };
}
