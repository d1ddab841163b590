import { Box, Text } from 'ink';
import { rowKey } from '../store/row.js';
import { memo, useRef } from 'react';
import type { TorrentRow } from '../store/types.js';
import type { SortKey } from '../store/view.js';
import { layoutColumns, type Column } from './columns.js';
import { barCells, fit } from './fit.js';
import { useTheme } from './theme-context.js';
import { scrollWindow } from './ui-state.js';

interface Props {
  rows: readonly TorrentRow[];
  selected?: string;
  /** Where `selected` is in `rows`, when the caller knows (else it is looked for). */
  selectedIndex?: number;
  width: number;
  /** Lines available, header included. */
  height: number;
  sort: SortKey;
  descending: boolean;
  /** Shown when there are no rows. */
  empty: string;
  /** Several hosts: a Host column first, this wide (the longest host name); 0 = none. */
  hostWidth?: number;
  /** Torrents marked with t, shown with a '*' before the name. */
  marked?: ReadonlySet<string>;
}

/** The torrent list, virtually scrolled: only the rows that fit are rendered. */
export function TorrentList({ rows, selected, selectedIndex, width, height, sort, descending, empty, hostWidth = 0, marked }: Props) {
  const theme = useTheme();
  const offset = useRef(0);
  const { columns, nameWidth } = layoutColumns(width, hostWidth);
  const bodyHeight = Math.max(0, height - 1);
  const index = Math.max(0, selectedIndex ?? rows.findIndex((r) => rowKey(r) === selected));
  offset.current = scrollWindow(offset.current, index, bodyHeight, rows.length);
  const visible = rows.slice(offset.current, offset.current + bodyHeight);
  const header = columns
    .map((c) => {
      const arrow = c.sort === sort && c.id !== 'bar' ? (descending ? '▼' : '▲') : '';
      const w = c.id === 'name' ? nameWidth : c.width;
      return fit(c.align === 'right' ? arrow + c.title : c.title + arrow, w, c.align);
    })
    .join(' ');
  return (
    <Box flexDirection="column" height={height}>
      <Text bold color={theme.accent} wrap="truncate">
        {header}
      </Text>
      {rows.length === 0 ? (
        <Text color={theme.dim}>{fit(empty, width)}</Text>
      ) : (
        visible.map((row) => (
          <ListRow
            key={rowKey(row)}
            row={row}
            columns={columns}
            nameWidth={nameWidth}
            selected={rowKey(row) === selected}
            marked={marked?.has(rowKey(row)) ?? false}
          />
        ))
      )}
    </Box>
  );
}

const ListRow = memo(function ListRow({
  row,
  columns,
  nameWidth,
  selected,
  marked,
}: {
  row: TorrentRow;
  columns: Column[];
  nameWidth: number;
  selected: boolean;
  marked: boolean;
}) {
  const theme = useTheme();
  const stateColour = theme.state[row.state];
  const parts = columns.map((c, i) => {
    const gap = i === 0 ? '' : ' ';
    if (c.id === 'bar') {
      const { done, todo } = barCells(row.progress, c.width);
      return (
        <Text key={c.id}>
          {gap}
          <Text color={selected ? undefined : theme.barDone}>{'█'.repeat(done)}</Text>
          <Text color={selected ? undefined : theme.barTodo}>{'░'.repeat(todo)}</Text>
        </Text>
      );
    }
    const marks = marked && c.id === 'name';
    const text = fit(marks ? `* ${c.text(row)}` : c.text(row), c.id === 'name' ? nameWidth : c.width, c.align);
    return (
      <Text
        key={c.id}
        bold={marks}
        color={selected || row.offline ? undefined : c.id === 'state' ? stateColour : marks ? theme.accent : undefined}
      >
        {gap}
        {text}
      </Text>
    );
  });
  // A row of a host that does not answer: its last known state, dimmed.
  return (
    <Text inverse={selected} dimColor={row.offline === true} wrap="truncate">
      {parts}
    </Text>
  );
});
