/**
 * Terminal text with SGR colour codes (tmux capture-pane -e) as an HTML page: one <span>
 * per run of equal style. Only what a capture holds is handled: SGR, no cursor movement.
 */
const BASE16 = [
  '#1d1f21',
  '#cc342b',
  '#198844',
  '#c9a30a',
  '#3971ed',
  '#a36ac7',
  '#3971ed',
  '#c5c8c6',
  '#969896',
  '#ff5f56',
  '#5fd75f',
  '#ffd75f',
  '#6fa8ff',
  '#d787ff',
  '#5fd7ff',
  '#ffffff',
];
// Cyan is its own hue (the table above reuses blue for 6 by mistake otherwise).
BASE16[6] = '#3a9da5';
BASE16[14] = '#5fd7ff';

function xterm256(n: number): string {
  if (n < 16) return BASE16[n]!;
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v},${v},${v})`;
  }
  const i = n - 16;
  const level = (x: number) => (x === 0 ? 0 : 55 + x * 40);
  return `rgb(${level(Math.floor(i / 36))},${level(Math.floor(i / 6) % 6)},${level(i % 6)})`;
}

interface Style {
  fg?: string;
  bg?: string;
  bold: boolean;
  dim: boolean;
  inverse: boolean;
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function applySgr(style: Style, params: number[]): void {
  if (params.length === 0) params = [0];
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    if (p === 0) Object.assign(style, { fg: undefined, bg: undefined, bold: false, dim: false, inverse: false });
    else if (p === 1) style.bold = true;
    else if (p === 2) style.dim = true;
    else if (p === 22) style.bold = style.dim = false;
    else if (p === 7) style.inverse = true;
    else if (p === 27) style.inverse = false;
    else if (p >= 30 && p <= 37) style.fg = BASE16[p - 30];
    else if (p >= 90 && p <= 97) style.fg = BASE16[p - 90 + 8];
    else if (p === 39) style.fg = undefined;
    else if (p >= 40 && p <= 47) style.bg = BASE16[p - 40];
    else if (p >= 100 && p <= 107) style.bg = BASE16[p - 100 + 8];
    else if (p === 49) style.bg = undefined;
    else if ((p === 38 || p === 48) && params[i + 1] === 5) {
      const colour = xterm256(params[i + 2] ?? 0);
      if (p === 38) style.fg = colour;
      else style.bg = colour;
      i += 2;
    } else if ((p === 38 || p === 48) && params[i + 1] === 2) {
      const colour = `rgb(${params[i + 2] ?? 0},${params[i + 3] ?? 0},${params[i + 4] ?? 0})`;
      if (p === 38) style.fg = colour;
      else style.bg = colour;
      i += 4;
    }
  }
}

const FOREGROUND = '#d8dadb';
const BACKGROUND = '#16181a';

function css(style: Style): string {
  let fg = style.fg ?? FOREGROUND;
  let bg = style.bg ?? BACKGROUND;
  if (style.inverse) [fg, bg] = [bg, fg];
  const parts = [`color:${fg}`];
  if (bg !== BACKGROUND) parts.push(`background:${bg}`);
  if (style.bold) parts.push('font-weight:bold');
  if (style.dim) parts.push('opacity:0.7');
  return parts.join(';');
}

export function ansiToHtml(text: string, title: string): string {
  const style: Style = { bold: false, dim: false, inverse: false };
  let html = '';
  let run = '';
  let runCss = css(style);
  const flush = () => {
    if (run) html += `<span style="${runCss}">${escapeHtml(run)}</span>`;
    run = '';
  };
  const pattern = /\x1b\[([0-9;]*)m/g;
  let last = 0;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    run += text.slice(last, m.index);
    last = pattern.lastIndex;
    applySgr(style, m[1] ? m[1].split(';').map(Number) : []);
    const next = css(style);
    if (next !== runCss) {
      flush();
      runCss = next;
    }
  }
  run += text.slice(last);
  flush();
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>
html,body{margin:0;background:${BACKGROUND}}
pre{margin:0;padding:12px;font:14px/17px 'DejaVu Sans Mono',monospace;color:${FOREGROUND};white-space:pre}
</style></head><body><pre>${html}</pre></body></html>`;
}
