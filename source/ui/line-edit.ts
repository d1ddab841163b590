/** A line being edited: its text and where the cursor is (0..text.length, in UTF-16 units at code point boundaries). */
export interface EditLine {
  text: string;
  cursor: number;
}

/** A key as the editor sees it: a name from keyName() (left, home, C-w, backspace, forward-delete…) or typed text. */
export type EditKey = { name: string } | { text: string };

export type EditResult = { line: EditLine } | { cancel: true } | undefined;

/**
 * One key applied to the line, as a shell's line editor does (readline's emacs keys):
 * Left/Right, Home/End, Ctrl-A/E, Ctrl-W (word before the cursor), Ctrl-U (to the start),
 * Ctrl-K (to the end), Backspace, Delete (under the cursor), Ctrl-C cancels, typed or pasted
 * text goes in at the cursor. undefined: not an editing key (Enter, Tab, Esc are the caller's).
 */
export function editLine(line: EditLine, key: EditKey): EditResult {
  const { text } = line;
  const cursor = Math.max(0, Math.min(text.length, line.cursor));
  const at = (c: number, t = text): EditResult => ({ line: { text: t, cursor: c } });
  if ('text' in key) {
    // eslint-disable-next-line no-control-regex
    const typed = key.text.replace(/[\u0000-\u001f\u007f]/g, '');
    if (!typed) return undefined;
    return at(cursor + typed.length, text.slice(0, cursor) + typed + text.slice(cursor));
  }
  switch (key.name) {
    case 'left':
    case 'C-b':
      return at(previousPoint(text, cursor));
    case 'right':
    case 'C-f':
      return at(nextPoint(text, cursor));
    case 'home':
    case 'C-a':
      return at(0);
    case 'end':
    case 'C-e':
      return at(text.length);
    case 'backspace':
    case 'C-h': {
      const from = previousPoint(text, cursor);
      return at(from, text.slice(0, from) + text.slice(cursor));
    }
    case 'forward-delete':
    case 'C-d':
      return at(cursor, text.slice(0, cursor) + text.slice(nextPoint(text, cursor)));
    case 'C-w': {
      // The word before the cursor and the spaces after it, as bash's unix-word-rubout.
      let from = cursor;
      while (from > 0 && /\s/.test(text[from - 1]!)) from--;
      while (from > 0 && !/\s/.test(text[from - 1]!)) from--;
      return at(from, text.slice(0, from) + text.slice(cursor));
    }
    case 'C-u':
      return at(0, text.slice(cursor));
    case 'C-k':
      return at(cursor, text.slice(0, cursor));
    case 'C-c':
      return { cancel: true };
    default:
      return undefined;
  }
}

function previousPoint(text: string, cursor: number): number {
  if (cursor <= 0) return 0;
  const low = text.charCodeAt(cursor - 1);
  return cursor >= 2 && low >= 0xdc00 && low <= 0xdfff ? cursor - 2 : cursor - 1;
}

function nextPoint(text: string, cursor: number): number {
  if (cursor >= text.length) return text.length;
  const high = text.charCodeAt(cursor);
  return cursor + 1 < text.length && high >= 0xd800 && high <= 0xdbff ? cursor + 2 : cursor + 1;
}
