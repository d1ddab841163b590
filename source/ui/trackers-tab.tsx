import { Table, type CellProps } from '@alcalzone/ink-table';
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import type { TrackerRow } from '../store/types.js';
import { fit } from './fit.js';
import { ago, until } from './relative-time.js';
import { useTheme } from './theme-context.js';

const count = (n: number | undefined) => (n === undefined ? '-' : String(n));

const COLUMNS = ['Tier', 'URL', 'Status', 'Seeds', 'Leech', 'Done', 'Scraped', 'Last announce', 'Next'] as const;
type TrackerCells = Record<(typeof COLUMNS)[number], string>;
const RIGHT_ALIGNED = new Set<string>(['Tier', 'Seeds', 'Leech', 'Done', 'Scraped', 'Last announce', 'Next']);
const STATUS_COLUMN = COLUMNS.indexOf('Status');
/** ink-table's cell padding: one space each side. */
const PADDING = 2;

function HeaderCell({ children }: { children?: ReactNode }) {
  return (
    <Text bold color={useTheme().accent}>
      {children}
    </Text>
  );
}

function BorderCell({ children }: { children?: ReactNode }) {
  return <Text color={useTheme().dim}>{children}</Text>;
}

/** A cell knows only its column, so the status colour comes from the status text itself. */
function TrackerCell({ column, children }: CellProps) {
  const theme = useTheme();
  const status = column === STATUS_COLUMN ? String(children).trim() : '';
  return <Text color={status === 'error' ? theme.bad : status === 'working' ? theme.good : undefined}>{children}</Text>;
}

/** Narrow terminals lose these columns first, in this order, to keep the URL readable. */
const DROPPED_FIRST: readonly (typeof COLUMNS)[number][] = ['Scraped', 'Done', 'Next', 'Leech'];
const MIN_URL = 16;

/**
 * The columns that fit `width` and what is left for the URL: ink-table sizes each column from its longest text
 * plus padding, draws a border between columns, and never truncates, so the URL is cut here to what remains.
 */
function layout(rows: readonly TrackerCells[], width: number): { columns: (typeof COLUMNS)[number][]; urlWidth: number } {
  const columnWidth = (c: (typeof COLUMNS)[number]) => Math.max(c.length, ...rows.map((r) => r[c].length)) + PADDING;
  let columns = [...COLUMNS];
  const urlWidth = () => width - (columns.length + 1) - PADDING - columns.reduce((sum, c) => sum + (c === 'URL' ? 0 : columnWidth(c)), 0);
  for (const drop of DROPPED_FIRST) {
    if (urlWidth() >= MIN_URL) break;
    columns = columns.filter((c) => c !== drop);
  }
  return { columns, urlWidth: Math.max(MIN_URL, urlWidth()) };
}

export function TrackersTab({
  trackers,
  width,
  height,
  scroll,
  now = Date.now(),
}: {
  trackers: readonly TrackerRow[];
  width: number;
  height: number;
  scroll: number;
  now?: number;
}) {
  const theme = useTheme();
  const cells: TrackerCells[] = trackers.map((t) => ({
    Tier: String(t.tier + 1),
    URL: t.url,
    Status: t.status,
    Seeds: count(t.seeders),
    Leech: count(t.leechers),
    Done: count(t.completed),
    Scraped: ago(t.lastScrapeAt, now),
    'Last announce': ago(t.lastAnnounceAt, now),
    Next: until(t.nextAnnounceAt, now),
  }));
  if (trackers.length === 0) return <Text color={theme.dim}>no trackers (peers come from other sources)</Text>;
  const { columns, urlWidth } = layout(cells, width);
  // Under the table: each tracker's last error, and its scrape when the Scraped column did not fit.
  const notes = trackers.flatMap((t) => [
    ...(!columns.includes('Scraped') && t.lastScrapeAt !== undefined
      ? [
          {
            key: `${t.url} scrape`,
            text: `tier ${t.tier + 1} scraped ${ago(t.lastScrapeAt, now)}: ${count(t.seeders)} seeders, ${count(t.leechers)} leechers, ${count(t.completed)} completed`,
            colour: theme.dim,
          },
        ]
      : []),
    ...(t.lastError ? [{ key: `${t.url} error`, text: `tier ${t.tier + 1} last error: ${t.lastError}`, colour: theme.warn }] : []),
  ]);
  // The table takes a border line above, between and below its rows, and three lines for its heading.
  const shownNotes = notes.slice(0, Math.max(0, Math.floor(height / 3)));
  const body = Math.max(1, Math.floor((height - shownNotes.length - 3) / 2));
  const start = Math.min(scroll, Math.max(0, cells.length - body));
  const data = cells.slice(start, start + body).map((c) => ({ ...c, URL: fit(c.URL, Math.min(urlWidth, c.URL.length)) }));
  return (
    <Box flexDirection="column" height={height}>
      <Table
        data={data}
        columns={columns.map((key) => ({ key, align: RIGHT_ALIGNED.has(key) ? 'right' : 'left' }))}
        header={HeaderCell}
        skeleton={BorderCell}
        cell={TrackerCell}
      />
      {shownNotes.map((n) => (
        <Text key={n.key} color={n.colour} wrap="truncate">
          {fit(n.text, width)}
        </Text>
      ))}
    </Box>
  );
}
