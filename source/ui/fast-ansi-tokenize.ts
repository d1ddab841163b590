/**
 * Ink's frame assembly (its Output class) through faster versions of the three functions it takes
 * from @alcalzone/ansi-tokenize; the build routes Ink's import here
 * (scripts/build/fast-ansi-tokenize-plugin.mjs). Ink turns every line of every frame into one
 * object per character with a copy of its styles, walking the text with Intl.Segmenter, and back
 * into text by diffing each character's styles with the previous one's through three new Sets:
 * a 120x40 list of coloured rows cost ~160 ms of CPU for the first frame and ~50 ms for each one
 * after. Here the common text (printable ASCII and the narrow symbols btui draws, with SGR colour
 * sequences) is walked code unit by code unit, the characters of a run share one styles array, and
 * neighbours with the same array (or both none) are not diffed. The rest falls through to the
 * library; both give the same tokens, characters and text (test/ui/fast-ansi-tokenize.test.ts).
 */
import {
  ansiCodesToString,
  diffAnsiCodes,
  reduceAnsiCodesIncremental,
  tokenize as libraryTokenize,
  type AnsiCode,
  type StyledChar,
  type Token,
} from '@alcalzone/ansi-tokenize';
import { NARROW_SYMBOLS } from './narrow-width.js';

const NARROW = new Set(NARROW_SYMBOLS);
const SGR = /\u001B\[[0-9;]*m/y;
/** The ansi tokens of each SGR sequence seen (there are a few dozen). */
const sgrTokens = new Map<string, readonly Token[]>();

function sgr(sequence: string): readonly Token[] {
  let tokens = sgrTokens.get(sequence);
  if (!tokens) {
    tokens = libraryTokenize(sequence);
    sgrTokens.set(sequence, tokens);
  }
  return tokens;
}

const simple = (code: number, char: string) => (code >= 0x20 && code <= 0x7e) || NARROW.has(char);

export function tokenize(str: string, endChar = Number.POSITIVE_INFINITY): Token[] {
  const tokens: Token[] = [];
  let visible = 0;
  for (let i = 0; i < str.length; ) {
    const code = str.charCodeAt(i);
    if (code === 0x1b) {
      SGR.lastIndex = i;
      const match = SGR.exec(str);
      if (!match) return libraryTokenize(str, endChar);
      for (const token of sgr(match[0])) tokens.push(token.type === 'ansi' ? { ...token } : token);
      i += match[0].length;
      continue;
    }
    const char = str[i]!;
    // A character is its own grapheme here only when the next one is simple too (not a combining mark).
    const next = i + 1 < str.length ? str.charCodeAt(i + 1) : 0x20;
    if (!simple(code, char) || (next !== 0x1b && !simple(next, str[i + 1]!))) return libraryTokenize(str, endChar);
    tokens.push({ type: 'char', value: char, fullWidth: false });
    i++;
    if (++visible >= endChar) break;
  }
  return tokens;
}

const NO_STYLES: AnsiCode[] = [];

/** As the library's, but the characters of a run share one styles array (nothing mutates them). */
export function styledCharsFromTokens(tokens: Token[]): StyledChar[] {
  let codes: AnsiCode[] = NO_STYLES;
  const chars: StyledChar[] = [];
  for (const token of tokens) {
    if (token.type === 'ansi') codes = reduceAnsiCodesIncremental(codes, [token]);
    else chars.push({ type: 'char', value: token.value, fullWidth: token.fullWidth, styles: codes });
  }
  return chars;
}

const unchanged = (a: AnsiCode[], b: AnsiCode[]) => a === b || (a.length === 0 && b.length === 0);

export function styledCharsToString(chars: StyledChar[]): string {
  let text = '';
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i]!;
    if (i === 0) text += ansiCodesToString(char.styles);
    else {
      const before = chars[i - 1]!.styles;
      if (!unchanged(before, char.styles)) text += ansiCodesToString(diffAnsiCodes(before, char.styles));
    }
    text += char.value;
    if (i === chars.length - 1 && char.styles.length > 0) text += ansiCodesToString(diffAnsiCodes(char.styles, []));
  }
  return text;
}
