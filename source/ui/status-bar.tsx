import { Text } from 'ink';
import { formatRate } from '../format/duration.js';
import { formatBytes } from '../format/size.js';
import type { GlobalStats, HostTotals } from '../store/types.js';
import { fit } from './fit.js';
import { useTheme } from './theme-context.js';

const limitText = (limit: number) => (limit > 0 ? formatRate(limit) : '∞');

/** Bottom line: global rates and limits (turtle mode's while on), connections, port, free disk, and the help hint. */
export function StatusBar({ global, width }: { global: GlobalStats; width: number }) {
  const theme = useTheme();
  const turtle = global.altSpeedEnabled === true;
  const downLimit = turtle ? (global.altDownloadLimit ?? 0) : global.downloadLimit;
  const upLimit = turtle ? (global.altUploadLimit ?? 0) : global.uploadLimit;
  const down = `↓ ${formatRate(global.downloadRate)} [${limitText(downLimit)}]`;
  const up = `↑ ${formatRate(global.uploadRate)} [${limitText(upLimit)}]`;
  const turtleText = turtle ? '  turtle' : '';
  const dht = global.dhtNodes === undefined ? '' : `  dht ${global.dhtNodes}`;
  const rest = `  conn ${global.connections}${dht}  port ${global.port || '-'}  free ${global.freeDisk === undefined ? '?' : formatBytes(global.freeDisk)}`;
  const hint = '  ? help';
  const hosts = global.hosts ? global.hosts.map(hostText).join('') : '';
  const used = down.length + 2 + up.length + turtleText.length + rest.length + hosts.length;
  return (
    <Text wrap="truncate">
      <Text color={theme.good}>{down}</Text>
      {'  '}
      <Text color={theme.info}>{up}</Text>
      {turtle ? (
        <Text color={theme.warn} bold>
          {turtleText}
        </Text>
      ) : null}
      <Text>{rest}</Text>
      {global.hosts?.map((h) => (
        <Text key={h.name} color={h.online ? undefined : theme.bad}>
          {hostText(h)}
        </Text>
      ))}
      <Text color={theme.dim}>{fit(hint, Math.max(0, width - used), 'right')}</Text>
    </Text>
  );
}

/** A host's share of the line: its torrents and rates, or that it is offline. */
function hostText(h: HostTotals): string {
  if (!h.online) return `  ${h.name} ${h.reason === 'connecting' ? 'connecting…' : 'offline'}`;
  return `  ${h.name} ${h.torrents} ↓${formatRate(h.downloadRate)} ↑${formatRate(h.uploadRate)}`;
}
