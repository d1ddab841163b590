import { Box, Text } from 'ink';
import { EDITABLE_SETTINGS, type Settings } from '../settings.js';
import { minutesText } from '../store/torrent-input.js';
import type { GlobalStats } from '../store/types.js';
import { fit } from './fit.js';
import { settingShown } from './setting-input.js';
import { useTheme } from './theme-context.js';

/** Rows after the settings file's: the service's seed goals for torrents on 'global' (kept in session.json, as over the RPC). */
export const GLOBAL_GOAL_ROWS = 2;
const GLOBAL_GOAL_LABELS = ['Seed ratio goal (global default)', 'Seed idle goal (global default)'];

/** The global goals as their prompts open: '2' / 'unlimited', '90m' / 'unlimited'. */
export function globalGoalTexts(global: Pick<GlobalStats, 'seedRatioLimit' | 'seedIdleLimit'>): [string, string] {
  return [
    global.seedRatioLimit === undefined ? 'unlimited' : String(global.seedRatioLimit),
    global.seedIdleLimit === undefined ? 'unlimited' : minutesText(global.seedIdleLimit),
  ];
}

/** The settings screen: ↑↓ choose, Enter edits (a prompt), Esc closes. */
export function SettingsOverlay({
  settings,
  global,
  cursor,
  path,
  width,
  height,
}: {
  settings: Settings;
  global: Pick<GlobalStats, 'seedRatioLimit' | 'seedIdleLimit'>;
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
      {globalGoalTexts(global).map((text, i) => {
        const at = EDITABLE_SETTINGS.length + i === cursor;
        return (
          <Text key={GLOBAL_GOAL_LABELS[i]} inverse={at} wrap="truncate">
            <Text color={at ? undefined : theme.accent}>{fit(GLOBAL_GOAL_LABELS[i]!, 36)}</Text>
            {fit(text, Math.max(0, width - 36))}
          </Text>
        );
      })}
      <Text> </Text>
      <Text color={theme.dim} wrap="truncate">
        {fit(`File: ${path} (key remaps go under "keys", e.g. {"toggle": ["p"]})`, width)}
      </Text>
    </Box>
  );
}
