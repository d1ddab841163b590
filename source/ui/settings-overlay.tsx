import { Box, Text } from 'ink';
import { EDITABLE_SETTINGS, type Settings } from '../settings.js';
import { minutesText } from '../store/torrent-input.js';
import type { GlobalStats, HostTotals, Snapshot } from '../store/types.js';
import { fit } from './fit.js';
import { settingShown } from './setting-input.js';
import { useTheme } from './theme-context.js';
import { scrollWindow } from './ui-state.js';

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

/** Rows that belong to a host rather than to the settings file: with a remote row selected, they are that host's. */
export const HOST_SETTING_KEYS: readonly string[] = ['downloadLimit', 'uploadLimit'];

/** The remote host whose limits and global goals the settings screen shows: the selected row's, when it is remote. */
export function remoteHostOf(snapshot: Snapshot, selected: string | undefined): HostTotals | undefined {
  if (selected === undefined) return undefined;
  const host = snapshot.torrents.find((r) => (r.key ?? r.infoHash) === selected)?.host;
  return host === undefined ? undefined : snapshot.global.hosts?.find((h) => h.name === host);
}

/** The settings as shown and edited: a remote host's limits in place of the file's. */
export function settingsFor(settings: Settings, host: HostTotals | undefined): Settings {
  return host ? { ...settings, downloadLimit: host.downloadLimit, uploadLimit: host.uploadLimit } : settings;
}

/** The settings screen: ↑↓ choose, Enter edits (a prompt), Esc closes. */
export function SettingsOverlay({
  settings,
  global,
  cursor,
  path,
  width,
  height,
  host,
}: {
  settings: Settings;
  global: Pick<GlobalStats, 'seedRatioLimit' | 'seedIdleLimit'>;
  /** The selected row's remote host: its limits and global goals are shown, and edited over RPC. */
  host?: HostTotals;
  cursor: number;
  path: string;
  width: number;
  height: number;
}) {
  const theme = useTheme();
  const shown = settingsFor(settings, host);
  const goals = host ?? global;
  const on = host ? ` on ${host.name}` : '';
  const labelWidth = 36 + on.length;
  const rows = [
    ...EDITABLE_SETTINGS.map((s, i) => (
      <Text key={s.key} inverse={i === cursor} wrap="truncate">
        <Text color={i === cursor ? undefined : theme.accent}>
          {fit(HOST_SETTING_KEYS.includes(s.key) ? s.label + on : s.label, labelWidth)}
        </Text>
        {fit(settingShown(shown, s.key), Math.max(0, width - labelWidth))}
      </Text>
    )),
    ...globalGoalTexts(goals).map((text, i) => {
      const at = EDITABLE_SETTINGS.length + i === cursor;
      return (
        <Text key={GLOBAL_GOAL_LABELS[i]} inverse={at} wrap="truncate">
          <Text color={at ? undefined : theme.accent}>{fit(GLOBAL_GOAL_LABELS[i]! + on, labelWidth)}</Text>
          {fit(text, Math.max(0, width - labelWidth))}
        </Text>
      );
    }),
  ];
  // Title, blank line and the file's path take three lines; the rows scroll with the cursor in the rest.
  const room = Math.max(1, height - 3);
  const offset = scrollWindow(0, cursor, room, rows.length);
  const more = rows.length > room ? `  ${cursor + 1}/${rows.length}` : '';
  return (
    <Box flexDirection="column" height={height}>
      <Text bold inverse>
        {fit(` Settings  (↑↓ choose, Enter edit, Esc close)${more}`, width)}
      </Text>
      {rows.slice(offset, offset + room)}
      <Text> </Text>
      <Text color={theme.dim} wrap="truncate">
        {fit(`File: ${path} (key remaps go under "keys", e.g. {"toggle": ["p"]})`, width)}
      </Text>
    </Box>
  );
}
