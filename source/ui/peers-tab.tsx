import { Box, Text } from 'ink';
import { formatRate } from '../format/duration.js';
import type { PeerRow } from '../store/types.js';
import { fit, percent } from './fit.js';
import { useTheme } from './theme-context.js';

const rate = (n: number) => (n > 0 ? formatRate(n) : '-');

export function PeersTab({ peers, width, height, scroll }: { peers: readonly PeerRow[]; width: number; height: number; scroll: number }) {
  const theme = useTheme();
  const clientWidth = Math.max(8, Math.min(20, width - 70));
  const addressWidth = Math.max(15, Math.min(40, width - clientWidth - 45));
  const body = Math.max(0, height - 2);
  const start = Math.min(scroll, Math.max(0, peers.length - body));
  const line = (a: string, c: string, f: string, p: string, d: string, u: string, r: string) =>
    `${fit(a, addressWidth)} ${fit(c, clientWidth)} ${fit(f, 5)} ${fit(p, 4, 'right')} ${fit(d, 10, 'right')} ${fit(u, 10, 'right')} ${fit(r, 4, 'right')}`;
  return (
    <Box flexDirection="column" height={height}>
      <Text bold color={theme.accent} wrap="truncate">
        {line('Address', 'Client', 'Flags', '%', 'Down', 'Up', 'Reqs')}
      </Text>
      {peers.length === 0 ? <Text color={theme.dim}>no peers connected</Text> : null}
      {peers.slice(start, start + body).map((p) => (
        <Text key={p.id} wrap="truncate">
          {line(p.address, p.client, p.flags, percent(p.progress), rate(p.downloadRate), rate(p.uploadRate), String(p.requests))}
        </Text>
      ))}
      <Box flexGrow={1} />
      <Text color={theme.dim} wrap="truncate">
        {fit(
          `${peers.length} peers  flags: D downloading d choked by it  U uploading u choked by us  S snubbed  I incoming  E encrypted  P uTP`,
          width,
        )}
      </Text>
    </Box>
  );
}
