/**
 * OSC 52: asks the terminal to put text on the clipboard. Works over SSH and in tmux
 * (`set-clipboard on`), iTerm2, kitty, WezTerm, foot, Windows Terminal; terminals without
 * it ignore the sequence, so the text is also shown whole on its own screen.
 */
export function osc52(text: string): string {
  return `\x1b]52;c;${Buffer.from(text, 'utf8').toString('base64')}\x07`;
}
