import { Box, Text } from 'ink';
import { formatUnixTime } from '../format/date.js';
import { formatBytes, formatCount } from '../format/size.js';
import { PRIORITY_NAMES } from '../store/queue.js';
import { labelsText, limitsSummary, seedGoalsSummary } from '../store/torrent-input.js';
import type { GlobalStats, TorrentDetail, TorrentRow } from '../store/types.js';
import { fit } from './fit.js';
import { useTheme } from './theme-context.js';
import { utcTime } from './relative-time.js';

export const priorityName = (priority: number): string => PRIORITY_NAMES[priority] ?? String(priority);

type GlobalGoals = Pick<GlobalStats, 'seedRatioLimit' | 'seedIdleLimit'>;

/** Labels, seed goals and the torrent's own limits: what L, R, T, D and U set. */
function settingRows(row: TorrentRow, global: GlobalGoals): [string, string][] {
  return [
    ['Labels', row.labels.length > 0 ? labelsText(row.labels) : 'none'],
    ['Seed goals', seedGoalsSummary(row, global)],
    ['Limits', limitsSummary(row)],
  ];
}

/** A magnet still fetching its metadata: what is known so far. */
export function magnetRows(row: TorrentRow, global: GlobalGoals = {}): [string, string][] {
  const rows: [string, string][] = [
    ['Name', row.name],
    ['Info hash', row.infoHash],
    ['State', row.state === 'metadata' ? `fetching metadata from ${row.peers} connected of ${row.knownPeers} known peers` : row.state],
  ];
  if (row.size > 0) rows.push(['Size', `${formatBytes(row.size)} (from the magnet)`]);
  rows.push(
    ['Directory', row.directory],
    ['Added', utcTime(row.addedAt)],
    ['Priority', priorityName(row.priority)],
    ...settingRows(row, global),
  );
  if (row.error) rows.push(['Error', row.error]);
  rows.push(['Magnet', row.magnet ?? '']);
  return rows;
}

export function infoRows(row: TorrentRow, detail: TorrentDetail, global: GlobalGoals = {}): [string, string][] {
  const i = detail.info;
  const rows: [string, string][] = [
    ['Name', row.name],
    ['Info hash', row.infoHash],
    ['Size', `${formatBytes(row.size)} (${formatCount(row.size)} bytes)`],
    ['Pieces', `${formatCount(row.pieceCount)} × ${formatBytes(i.pieceLength)}, have ${formatCount(row.havePieces)}`],
    ['Private', i.private ? 'yes' : 'no'],
  ];
  if (i.comment) rows.push(['Comment', i.comment.replace(/\r?\n/g, ' ')]);
  if (i.creationDate !== undefined || i.createdBy)
    rows.push([
      'Created',
      [i.creationDate !== undefined ? formatUnixTime(i.creationDate) : '', i.createdBy ? `by ${i.createdBy}` : '']
        .filter(Boolean)
        .join(' '),
    ]);
  rows.push(
    ['Path', i.path],
    ['Added', utcTime(row.addedAt)],
    ['Completed', utcTime(row.completedAt)],
    [
      'Downloaded',
      `${formatBytes(row.downloaded)}${i.wasted ? ` (wasted ${formatBytes(i.wasted)}, ${i.hashFailures} hash failures)` : ''}`,
    ],
    ['Uploaded', formatBytes(row.uploaded)],
    ['Ratio', row.ratio.toFixed(3)],
    ['Priority', priorityName(row.priority)],
    ...settingRows(row, global),
  );
  if (row.error) rows.push(['Error', row.error]);
  rows.push(['Magnet', i.magnet]);
  return rows;
}

export function InfoTab({
  row,
  detail,
  global = {},
  width,
  height,
}: {
  row: TorrentRow;
  detail?: TorrentDetail;
  global?: GlobalGoals;
  width: number;
  height: number;
}) {
  const theme = useTheme();
  const rows = (detail ? infoRows(row, detail, global) : magnetRows(row, global)).slice(0, height);
  return (
    <Box flexDirection="column" height={height}>
      {rows.map(([key, value]) => (
        <Text key={key} wrap="truncate">
          <Text color={theme.accent}>{fit(key, 12)}</Text>
          <Text color={key === 'Error' ? theme.bad : undefined}>{fit(value, Math.max(0, width - 12))}</Text>
        </Text>
      ))}
    </Box>
  );
}
