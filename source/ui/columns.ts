import { formatRate, formatDuration } from '../format/duration.js';
import { formatBytes } from '../format/size.js';
import { hostName, type SortKey } from '../store/view.js';
import type { TorrentRow } from '../store/types.js';
import { percent } from './fit.js';

export type ColumnId = 'host' | 'name' | 'state' | 'bar' | 'pct' | 'size' | 'down' | 'up' | 'ratio' | 'peers' | 'seeds' | 'eta' | 'labels';

export interface Column {
  id: ColumnId;
  title: string;
  width: number;
  align: 'left' | 'right';
  /** Narrow terminals drop the lowest first; the name column is never dropped. */
  keep: number;
  sort?: SortKey;
  text: (row: TorrentRow) => string;
}

export function stateText(row: TorrentRow): string {
  if (row.state === 'checking' && row.checkProgress !== undefined) return `check ${percent(row.checkProgress)}`;
  if (row.state === 'metadata' && row.checkProgress !== undefined) return `meta ${percent(row.checkProgress)}`;
  return row.state;
}

const rate = (n: number) => (n > 0 ? formatRate(n) : '-');

/** Shown first when the list holds more than one host's torrents, as wide as the longest host name (within reason). */
function hostColumn(width: number): Column {
  return { id: 'host', title: 'Host', width: Math.max(4, Math.min(22, width)), align: 'left', keep: 11, sort: 'host', text: hostName };
}

/** All columns in display order (the Host column aside). */
export const COLUMNS: readonly Column[] = [
  { id: 'name', title: 'Name', width: 16, align: 'left', keep: 100, sort: 'name', text: (r) => r.name },
  { id: 'state', title: 'State', width: 11, align: 'left', keep: 10, sort: 'state', text: stateText },
  { id: 'bar', title: 'Progress', width: 10, align: 'left', keep: 1, sort: 'progress', text: () => '' },
  { id: 'pct', title: '%', width: 4, align: 'right', keep: 9, sort: 'progress', text: (r) => percent(r.progress) },
  { id: 'size', title: 'Size', width: 9, align: 'right', keep: 6, sort: 'size', text: (r) => formatBytes(r.size) },
  { id: 'down', title: 'Down', width: 10, align: 'right', keep: 8, sort: 'down', text: (r) => rate(r.downloadRate) },
  { id: 'up', title: 'Up', width: 10, align: 'right', keep: 7, sort: 'up', text: (r) => rate(r.uploadRate) },
  {
    id: 'ratio',
    title: 'Ratio',
    width: 5,
    align: 'right',
    keep: 3,
    sort: 'ratio',
    text: (r) => (r.ratio >= 100 ? '99+' : r.ratio.toFixed(2)),
  },
  { id: 'peers', title: 'Peers', width: 7, align: 'right', keep: 4, sort: 'peers', text: (r) => `${r.peers}/${r.knownPeers}` },
  { id: 'seeds', title: 'Seeds', width: 5, align: 'right', keep: 2, sort: 'seeds', text: (r) => String(r.seeds) },
  {
    id: 'eta',
    title: 'ETA',
    width: 6,
    align: 'right',
    keep: 5,
    sort: 'eta',
    text: (r) => (r.state === 'downloading' ? formatDuration(r.etaSeconds) : ''),
  },
  { id: 'labels', title: 'Labels', width: 12, align: 'left', keep: 0, sort: 'labels', text: (r) => r.labels.join(',') },
];

const NAME_MIN = 16;

const layouts = new Map<string, { columns: Column[]; nameWidth: number }>();

/**
 * The columns that fit `width` (one space between columns); the name column takes what is
 * left. The same object for the same width, so memoised rows are not re-rendered for it.
 */
export function layoutColumns(width: number, hostWidth = 0): { columns: Column[]; nameWidth: number } {
  const id = `${width}/${hostWidth}`;
  let layout = layouts.get(id);
  if (!layout) {
    if (layouts.size > 64) layouts.clear();
    layouts.set(id, (layout = computeLayout(width, hostWidth)));
  }
  return layout;
}

function computeLayout(width: number, hostWidth: number): { columns: Column[]; nameWidth: number } {
  let columns = hostWidth > 0 ? [hostColumn(hostWidth), ...COLUMNS] : [...COLUMNS];
  const fixed = () => columns.reduce((n, c) => n + (c.id === 'name' ? 0 : c.width + 1), 0);
  while (fixed() + NAME_MIN > width && columns.length > 1) {
    const victim = columns.filter((c) => c.id !== 'name').sort((a, b) => a.keep - b.keep)[0]!;
    columns = columns.filter((c) => c !== victim);
  }
  return { columns, nameWidth: Math.max(1, width - fixed()) };
}
