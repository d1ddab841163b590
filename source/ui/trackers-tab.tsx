import { Box, Text } from 'ink';
import type { TrackerRow } from '../store/types.js';
import { fit } from './fit.js';
import { ago, until } from './relative-time.js';
import { useTheme } from './theme-context.js';

const count = (n: number | undefined) => (n === undefined ? '-' : String(n));

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
  const urlWidth = Math.max(16, width - 66);
  const line = (tier: string, url: string, status: string, s: string, l: string, c: string, last: string, next: string) =>
    `${fit(tier, 4, 'right')} ${fit(url, urlWidth)} ${fit(status, 10)} ${fit(s, 5, 'right')} ${fit(l, 5, 'right')} ${fit(c, 5, 'right')} ${fit(last, 14, 'right')} ${fit(next, 12, 'right')}`;
  const lines: { key: string; text: string; colour?: string }[] = [];
  for (const t of trackers) {
    lines.push({
      key: t.url,
      text: line(
        String(t.tier + 1),
        t.url,
        t.status,
        count(t.seeders),
        count(t.leechers),
        count(t.completed),
        ago(t.lastAnnounceAt, now),
        until(t.nextAnnounceAt, now),
      ),
      colour: t.status === 'error' ? theme.bad : t.status === 'working' ? theme.good : undefined,
    });
    if (t.lastScrapeAt !== undefined)
      lines.push({
        key: `${t.url} scrape`,
        text: `     scraped ${ago(t.lastScrapeAt, now)}: ${count(t.seeders)} seeders, ${count(t.leechers)} leechers, ${count(t.completed)} completed`,
        colour: theme.dim,
      });
    if (t.lastError) lines.push({ key: `${t.url} error`, text: `     last error: ${t.lastError}`, colour: theme.warn });
  }
  const body = Math.max(0, height - 1);
  const start = Math.min(scroll, Math.max(0, lines.length - body));
  return (
    <Box flexDirection="column" height={height}>
      <Text bold color={theme.accent} wrap="truncate">
        {line('Tier', 'URL', 'Status', 'Seeds', 'Leech', 'Done', 'Last announce', 'Next')}
      </Text>
      {trackers.length === 0 ? <Text color={theme.dim}>no trackers (peers come from other sources)</Text> : null}
      {lines.slice(start, start + body).map((l) => (
        <Text key={l.key} color={l.colour} wrap="truncate">
          {fit(l.text, width)}
        </Text>
      ))}
    </Box>
  );
}
