import { Box, Text } from 'ink';
import { EDITABLE_SETTINGS, type Settings } from '../settings.js';
import { fit } from './fit.js';
import { settingShown } from './setting-input.js';
import { useTheme } from './theme-context.js';

/** The settings screen: ↑↓ choose, Enter edits (a prompt), Esc closes. */
export function SettingsOverlay({
  settings,
  cursor,
  path,
  width,
  height,
}: {
  settings: Settings;
  cursor: number;
  path: string;
  width: number;
  height: number;
}) {
  const theme = useTheme();
  return (
    <Box flexDirection="column" height={height}>
      <Text bold inverse>
        {fit(' Settings  (↑↓ choose, Enter edit, Esc close)', width)}
      </Text>
      {EDITABLE_SETTINGS.map((s, i) => (
        <Text key={s.key} inverse={i === cursor} wrap="truncate">
          <Text color={i === cursor ? undefined : theme.accent}>{fit(s.label, 36)}</Text>
          {fit(settingShown(settings, s.key), Math.max(0, width - 36))}
        </Text>
      ))}
      <Text> </Text>
      <Text color={theme.dim} wrap="truncate">
        {fit(`File: ${path} (key remaps go under "keys", e.g. {"toggle": ["p"]})`, width)}
      </Text>
    </Box>
  );
}
