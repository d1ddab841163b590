import { Box, Text } from 'ink';
import type { LogEntry } from '../store/types.js';
import { fit } from './fit.js';
import { useTheme } from './theme-context.js';

function clock(at: number): string {
  return new Date(at).toISOString().slice(11, 19);
}

/** The newest log lines under a title rule. */
export function LogPane({ log, width, height }: { log: readonly LogEntry[]; width: number; height: number }) {
  const theme = useTheme();
  const lines = log.slice(-Math.max(0, height - 1));
  const colour = { info: undefined, warn: theme.warn, error: theme.bad };
  return (
    <Box flexDirection="column" height={height}>
      <Text color={theme.accent}>{fit(`── log (l closes) ${'─'.repeat(width)}`, width)}</Text>
      {lines.map((e) => (
        <Text key={e.id} color={colour[e.level]} wrap="truncate">
          {fit(`${clock(e.at)} ${e.level === 'info' ? ' ' : e.level === 'warn' ? '!' : 'E'} ${e.text}`, width)}
        </Text>
      ))}
    </Box>
  );
}
