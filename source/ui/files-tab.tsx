import { Box, Text } from 'ink';
import { formatBytes } from '../format/size.js';
import type { FileRow } from '../store/types.js';
import { barCells, fit, percent } from './fit.js';
import { useTheme } from './theme-context.js';

export const FILE_PRIORITY_LABELS = ['skip', 'normal', 'high'];

export interface FileLine {
  /** Index into the file rows for a file line; undefined for a directory line. */
  file?: number;
  depth: number;
  name: string;
}

/** The files as a tree: a line per directory (when it first appears) and per file, indented. */
export function fileTreeLines(files: readonly FileRow[]): FileLine[] {
  const lines: FileLine[] = [];
  let previous: string[] = [];
  files.forEach((f, i) => {
    const parts = f.path.split('/');
    const dirs = parts.slice(0, -1);
    let same = 0;
    while (same < dirs.length && same < previous.length && dirs[same] === previous[same]) same++;
    for (let d = same; d < dirs.length; d++) lines.push({ depth: d, name: `${dirs[d]}/` });
    lines.push({ file: i, depth: dirs.length, name: parts[parts.length - 1]! });
    previous = dirs;
  });
  return lines;
}

export function FilesTab({ files, cursor, width, height }: { files: readonly FileRow[]; cursor: number; width: number; height: number }) {
  const theme = useTheme();
  const lines = fileTreeLines(files);
  const body = Math.max(0, height - 2);
  const cursorLine = Math.max(
    0,
    lines.findIndex((l) => l.file === cursor),
  );
  const start = Math.max(0, Math.min(cursorLine - Math.floor(body / 2), lines.length - body));
  const nameWidth = Math.max(10, width - 36);
  return (
    <Box flexDirection="column" height={height}>
      <Text bold color={theme.accent} wrap="truncate">
        {`${fit('Priority', 8)} ${fit('%', 4, 'right')} ${fit('', 10)} ${fit('Size', 9, 'right')}  ${fit('Name', nameWidth)}`}
      </Text>
      {lines.slice(start, start + body).map((line, i) => {
        const indent = '  '.repeat(line.depth);
        if (line.file === undefined) {
          return (
            <Text key={`d${start + i}`} color={theme.info} wrap="truncate">
              {`${' '.repeat(36)}${fit(indent + line.name, nameWidth)}`}
            </Text>
          );
        }
        const f = files[line.file]!;
        const selected = line.file === cursor;
        const { done, todo } = barCells(f.progress, 10);
        const priorityColour = f.priority === 0 ? theme.dim : f.priority === 2 ? theme.warn : undefined;
        return (
          <Text key={`f${f.index}`} inverse={selected} wrap="truncate">
            <Text color={selected ? undefined : priorityColour}>{fit(FILE_PRIORITY_LABELS[f.priority] ?? String(f.priority), 8)}</Text>
            {` ${fit(percent(f.progress), 4, 'right')} `}
            <Text color={selected ? undefined : theme.barDone}>{'█'.repeat(done)}</Text>
            <Text color={selected ? undefined : theme.barTodo}>{'░'.repeat(todo)}</Text>
            {` ${fit(formatBytes(f.length), 9, 'right')}  ${fit(indent + f.path.split('/').pop(), nameWidth)}`}
          </Text>
        );
      })}
      <Box flexGrow={1} />
      <Text color={theme.dim} wrap="truncate">
        {fit(`${files.length} files  ↑↓ choose a file, + / - its priority (skip, normal, high), > / < its whole folder's`, width)}
      </Text>
    </Box>
  );
}
