import { Box, Text } from 'ink';
import { formatDuration, formatRate } from '../format/duration.js';
import type { SpeedSeries } from '../store/speed-history.js';
import { fit } from './fit.js';
import { graphLines, graphMax } from './speed-graph.js';
import { useTheme } from './theme-context.js';

/** Rows the graph needs at the least: a title and one row of bars for each direction. */
export const SPEED_GRAPH_MIN_ROWS = 4;

/** Download above upload, each a title (now, peak) over bars of the last minutes; newest on the right. */
export function SpeedGraph({ series, width, height }: { series?: SpeedSeries; width: number; height: number }) {
  const theme = useTheme();
  if (!series)
    return (
      <Text color={theme.dim} wrap="truncate">
        {fit('Speed: no traffic seen yet', width)}
      </Text>
    );
  const bars = Math.max(1, Math.floor((height - 2) / 2));
  const shown = Math.min(width, series.down.length);
  const span = formatDuration((shown * series.intervalMs) / 1000);
  const part = (label: string, samples: readonly number[], colour: string | undefined) => {
    const recent = samples.slice(-width);
    const max = graphMax(recent);
    const now = samples.at(-1) ?? 0;
    return (
      <>
        <Text color={colour} wrap="truncate">
          {fit(`${label} ${formatRate(now)}  peak ${formatRate(max > 1 ? max : 0)}  (last ${span})`, width)}
        </Text>
        {graphLines(recent, width, bars, max).map((line, i) => (
          <Text key={i} color={colour} wrap="truncate">
            {line}
          </Text>
        ))}
      </>
    );
  };
  return (
    <Box flexDirection="column" height={height}>
      {part('↓', series.down, theme.good)}
      {part('↑', series.up, theme.info)}
    </Box>
  );
}
