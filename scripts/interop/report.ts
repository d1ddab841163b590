/** The matrix as a table for the terminal and the README, and as JSON. */
import type { CaseResult } from './cases.js';

export interface Report {
  date: string;
  payloadMiB: number;
  host: { cores: number; loadAverage: number[] };
  results: CaseResult[];
}

function cell(r: CaseResult | undefined): string {
  if (!r) return '—';
  if (!r.ok) return 'FAIL';
  const enc = r.encrypted === undefined ? '' : r.encrypted ? ' (RC4)' : ' (plain)';
  return `PASS ${r.seconds!.toFixed(2)} s${r.crypto === 'encrypted' ? enc : r.encrypted ? ' (RC4!)' : ''}`;
}

/** One row per client, a column per direction and encryption; markdown, which reads fine in a terminal too. */
export function table(results: CaseResult[]): string {
  const clients = [...new Set(results.map((r) => r.client))];
  const columns: [CaseResult['direction'], CaseResult['crypto'], string][] = [
    ['btui <- X', 'plain', 'btui downloads from it, plaintext'],
    ['btui <- X', 'encrypted', 'btui downloads from it, encrypted'],
    ['X <- btui', 'plain', 'it downloads from btui, plaintext'],
    ['X <- btui', 'encrypted', 'it downloads from btui, encrypted'],
    ['libtorrent <- X', 'plain', 'libtorrent downloads from it, plaintext'],
  ];
  const lines = [`| client | ${columns.map((c) => c[2]).join(' | ')} |`, `|---|${columns.map(() => '---|').join('')}`];
  for (const client of clients) {
    const mine = results.filter((r) => r.client === client && r.direction !== 'libtorrent pair');
    if (mine.length === 0) continue;
    lines.push(`| ${client} | ${columns.map(([d, c]) => cell(mine.find((r) => r.direction === d && r.crypto === c))).join(' | ')} |`);
  }
  const pair = results.filter((r) => r.direction === 'libtorrent pair');
  if (pair.length > 0) {
    const of = (c: CaseResult['crypto']) => cell(pair.find((r) => r.crypto === c));
    lines.push(
      `| libtorrent -> libtorrent (reference) | ${of('plain')} | ${of('encrypted')} | ${of('plain')} | ${of('encrypted')} | ${of('plain')} |`,
    );
  }
  return lines.join('\n');
}

export function failures(results: CaseResult[]): string[] {
  return results.filter((r) => !r.ok).map((r) => `${r.client}, ${r.direction}, ${r.crypto}: ${r.note ?? 'failed'}`);
}
