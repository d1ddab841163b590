/** The human-readable summary of a torrent (`btui metainfo`, the TUI's info view). */
import type { Metainfo } from '../engine/metainfo/metainfo.js';
import { formatUnixTime } from './date.js';
import { fileColumns, fileColumnsBytes, fileColumnsText, type FileColumns } from './file-tree.js';
import { keyValueBlock, type KeyValueRow } from './key-value.js';
import { formatBytes, formatCount } from './size.js';

const VERSION_LABEL = { 1: 'v1', 2: 'v2', hybrid: 'hybrid (v1 + v2)' } as const;

export function metainfoSummary(m: Metainfo): string {
  const { head, columns } = summaryHead(m);
  return `${head}${fileColumnsText(columns, '  ', '  ')}\n`;
}

/**
 * metainfoSummary as UTF-8 bytes, in the order to write them (`btui metainfo`): the file tree
 * of a torrent of tens of thousands of files is written out without ever being a string.
 */
export function metainfoSummaryBytes(m: Metainfo): Uint8Array[] {
  const { head, columns } = summaryHead(m);
  return [Buffer.from(head), fileColumnsBytes(columns, '  ', '  '), NEWLINE];
}

const NEWLINE = Buffer.from('\n');

/** The summary up to its file tree, and the files as columns. */
function summaryHead(m: Metainfo): { head: string; columns: FileColumns } {
  // A parsed multi-file torrent's table; `files` is made only for the others.
  const columns = m.fileTable ?? fileColumns(m.files);
  let padding = 0;
  for (let i = 0; i < columns.count; i++) padding += columns.padding[i]!;
  const content = columns.count - padding;
  const contentLength = m.contentLength ?? m.length;
  const rows: KeyValueRow[] = [['Name', m.name]];
  rows.push(['Info hash', m.version === 2 ? `${m.infoHash} (v2, truncated)` : m.infoHash]);
  if (m.infoHashV2) rows.push(['Info hash v2', m.infoHashV2]);
  rows.push(['Version', VERSION_LABEL[m.version]]);
  rows.push([
    'Size',
    `${formatBytes(contentLength)} (${formatCount(contentLength)} bytes) in ${plural(content, 'file')}${padding ? ` + ${plural(padding, 'padding file')}` : ''}`,
  ]);
  rows.push(['Pieces', `${formatCount(m.pieceCount)} × ${formatBytes(m.pieceLength)}`]);
  rows.push(['Private', m.private ? 'yes' : 'no']);
  rows.push(['Trackers', trackerLines(m.announce)]);
  if (m.urlList.length > 0) rows.push(['Web seeds', m.urlList]);
  if (m.creationDate !== undefined) rows.push(['Created', formatUnixTime(m.creationDate)]);
  if (m.createdBy !== undefined) rows.push(['Created by', m.createdBy]);
  if (m.comment !== undefined) rows.push(['Comment', m.comment]);
  if (m.source !== undefined) rows.push(['Source', m.source]);
  return { head: `${keyValueBlock(rows)}\n\nFiles\n`, columns };
}

function trackerLines(tiers: string[][]): string[] {
  if (tiers.length === 0) return ['none'];
  if (tiers.length === 1) return tiers[0]!;
  const label = (i: number) => `tier ${i + 1}`;
  const width = label(tiers.length - 1).length;
  return tiers.flatMap((tier, i) => tier.map((url, k) => `${(k === 0 ? label(i) : '').padEnd(width)}  ${url}`));
}

function plural(n: number, word: string): string {
  return `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;
}
