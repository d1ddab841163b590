import { Box, Text } from 'ink';
import { fit } from './fit.js';

/** A titled, scrollable page of text (the metainfo view). */
export function TextOverlay({
  title,
  text,
  width,
  height,
  scroll,
  hint = 'Esc closes; ↑↓ PgUp PgDn scroll',
}: {
  title: string;
  text: string;
  width: number;
  height: number;
  scroll: number;
  hint?: string;
}) {
  const lines = text.replace(/\n$/, '').split('\n');
  const body = Math.max(1, height - 1);
  const start = Math.min(scroll, Math.max(0, lines.length - body));
  return (
    <Box flexDirection="column" height={height}>
      <Text bold inverse>
        {fit(` ${title}${hint ? `  (${hint})` : ''}`, width)}
      </Text>
      {lines.slice(start, start + body).map((line, i) => (
        <Text key={start + i} wrap="truncate">
          {fit(line, width)}
        </Text>
      ))}
    </Box>
  );
}
