/** The benchmark's one table: btui against each contender, row by row, as Markdown. */
import { readFileSync, writeFileSync } from 'node:fs';

export interface Stats {
  wall: number;
  cpu: number;
  rss: number;
  failed: number;
}

export interface Row {
  benchmark: string;
  contender: string;
  btui: Stats;
  other: Stats;
  note: string;
}

const seconds = (s: number) => (s < 1 ? s.toFixed(3) : s.toFixed(2));
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}x` : '-');
const failed = (s: Stats) => (s.failed ? ` (${s.failed} failed)` : '');

export function formatTable(rows: Row[]): string {
  const header = [
    'benchmark',
    'vs',
    'btui wall s',
    'their wall s',
    'wall ratio',
    'btui CPU s',
    'their CPU s',
    'CPU ratio',
    'btui RSS MiB',
    'their RSS MiB',
    'note',
  ];
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map((h, i) => (i >= 2 && i <= 9 ? '---:' : '---')).join(' | ')} |`];
  for (const r of rows) {
    lines.push(
      `| ${[
        r.benchmark,
        r.contender,
        seconds(r.btui.wall) + failed(r.btui),
        seconds(r.other.wall) + failed(r.other),
        ratio(r.btui.wall, r.other.wall),
        seconds(r.btui.cpu),
        seconds(r.other.cpu),
        ratio(r.btui.cpu, r.other.cpu),
        r.btui.rss.toFixed(0),
        r.other.rss.toFixed(0),
        r.note,
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

const START = '<!-- bench-table:start -->';
const END = '<!-- bench-table:end -->';

/** Replaces what lies between the table markers in `path` (appends them if missing). */
export function replaceDocTable(path: string, text: string): void {
  const doc = readFileSync(path, 'utf8');
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  const block = `${START}\n${text}\n${END}`;
  const next = start >= 0 && end > start ? doc.slice(0, start) + block + doc.slice(end + END.length) : `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(path, next);
}
