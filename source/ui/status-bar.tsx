import { Text } from 'ink';
import { formatRate } from '../format/duration.js';
import { formatBytes } from '../format/size.js';
import type { GlobalStats, HostTotals } from '../store/types.js';
import { fit } from './fit.js';
import { useTheme } from './theme-context.js';

const limitText = (limit: number) => (limit > 0 ? formatRate(limit) : '∞');

/**
 * Bottom line: rates and limits (turtle mode's while on), connections, port, free disk, and the
 * help hint. With several hosts, the rates are summed and each host has its own share: torrents,
 * rates, limits when set, peer port and free space, each as that host reports them.
 */
export function StatusBar({ global, width }: { global: GlobalStats; width: number }) {
  const theme = useTheme();
  const hosts = global.hosts;
  const turtle = global.altSpeedEnabled === true && !hosts;
  const downLimit = turtle ? (global.altDownloadLimit ?? 0) : global.downloadLimit;
  const upLimit = turtle ? (global.altUploadLimit ?? 0) : global.uploadLimit;
  const down = `↓ ${formatRate(global.downloadRate)}${hosts ? '' : ` [${limitText(downLimit)}]`}`;
  const up = `↑ ${formatRate(global.uploadRate)}${hosts ? '' : ` [${limitText(upLimit)}]`}`;
  const turtleText = turtle ? '  turtle' : '';
  const dht = global.dhtNodes === undefined ? '' : `  dht ${global.dhtNodes}`;
  const own = hosts ? '' : `  port ${global.port || '-'}  free ${freeText(global.freeDisk)}`;
  const rest = `  conn ${global.connections}${dht}${own}`;
  const hint = '  ? help';
  const hostsText = hosts ? hosts.map(hostText).join('') : '';
  const used = down.length + 2 + up.length + turtleText.length + rest.length + hostsText.length;
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
      {hosts?.map((h) => (
        <Text key={h.name} color={h.online ? undefined : theme.bad}>
          {hostText(h)}
        </Text>
      ))}
      <Text color={theme.dim}>{fit(hint, Math.max(0, width - used), 'right')}</Text>
    </Text>
  );
}

const freeText = (free: number | undefined) => (free === undefined ? '?' : formatBytes(free));

/** A host's share of the line: its torrents, rates (with limits when set), port and free space; or that it is offline. */
export function hostText(h: HostTotals): string {
  if (!h.online) return `  ${h.name} ${h.reason === 'connecting' ? 'connecting…' : 'offline'}`;
  const limited = (limit: number) => (limit > 0 ? ` [${formatRate(limit)}]` : '');
  return (
    `  ${h.name} ${h.torrents} ↓${formatRate(h.downloadRate)}${limited(h.downloadLimit)} ↑${formatRate(h.uploadRate)}${limited(h.uploadLimit)}` +
    ` :${h.port || '-'} ${freeText(h.freeDisk)} free`
  );
}
