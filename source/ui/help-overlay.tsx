import { Box, Text } from 'ink';
import { displayKey, type Binding } from './keymap.js';
import { fit } from './fit.js';
import { useTheme } from './theme-context.js';

/** Every binding, generated from the keymap, grouped; two columns when the screen is wide. */
export function helpLines(bindings: readonly Binding[]): { group?: string; keys?: string; text?: string }[] {
  const lines: { group?: string; keys?: string; text?: string }[] = [];
  let group = '';
  for (const b of bindings) {
    if (b.group !== group) {
      group = b.group;
      lines.push({ group });
    }
    lines.push({ keys: b.keys.length > 0 ? b.keys.map(displayKey).join(' ') : '(unbound)', text: b.description });
  }
  return lines;
}

export function HelpOverlay({
  bindings,
  width,
  height,
  scroll,
}: {
  bindings: readonly Binding[];
  width: number;
  height: number;
  scroll: number;
}) {
  const theme = useTheme();
  const lines = helpLines(bindings);
  const columns = width >= 120 ? 2 : 1;
  const bodyHeight = Math.max(1, height - 1);
  const perColumn = Math.ceil(lines.length / columns);
  const columnWidth = Math.floor(width / columns);
  const start = columns === 1 ? Math.min(scroll, Math.max(0, lines.length - bodyHeight)) : 0;
  const keyWidth = Math.min(26, 4 + Math.max(0, ...lines.map((l) => l.keys?.length ?? 0)));
  const render = (line: (typeof lines)[number], i: number) =>
    line.group ? (
      <Text key={i} bold color={theme.accent}>
        {fit(line.group, columnWidth)}
      </Text>
    ) : (
      <Text key={i} wrap="truncate">
        <Text color={theme.warn}>{fit(`  ${line.keys}`, keyWidth)}</Text>
        {fit(line.text ?? '', columnWidth - keyWidth)}
      </Text>
    );
  return (
    <Box flexDirection="column" height={height}>
      <Text bold inverse>
        {fit(' Keys  (Esc or ? closes; ↑↓ scroll)', width)}
      </Text>
      <Box flexDirection="row">
        {Array.from({ length: columns }, (_, c) => (
          <Box key={c} flexDirection="column" width={columnWidth}>
            {(columns === 1
              ? lines.slice(start, start + bodyHeight)
              : lines.slice(c * perColumn, (c + 1) * perColumn).slice(0, bodyHeight)
            ).map(render)}
          </Box>
        ))}
      </Box>
    </Box>
  );
}
