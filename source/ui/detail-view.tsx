import { Box, Text } from 'ink';
import { rowKey } from '../store/row.js';
import { formatRate } from '../format/duration.js';
import type { GlobalStats, TorrentDetail, TorrentRow } from '../store/types.js';
import { stateText } from './columns.js';
import { fit, percent } from './fit.js';
import { FilesTab } from './files-tab.js';
import { InfoTab, infoRows } from './info-tab.js';
import { SPEED_GRAPH_MIN_ROWS, SpeedGraph } from './speed-graph-pane.js';
import type { SpeedSeries } from '../store/speed-history.js';
import { PeersTab } from './peers-tab.js';
import { PiecesTab } from './pieces-tab.js';
import { useTheme } from './theme-context.js';
import { TrackersTab } from './trackers-tab.js';
import { TAB_TITLES, TABS, type Tab } from './ui-state.js';

interface Props {
  row: TorrentRow;
  detail?: TorrentDetail;
  /** For the Info tab: the global seed goals that torrents in mode 'global' follow. */
  global?: Pick<GlobalStats, 'seedRatioLimit' | 'seedIdleLimit'>;
  tab: Tab;
  fileCursor: number;
  scroll: number;
  width: number;
  height: number;
  /** In the split layout: whether keys go to the detail (Enter) or to the list above (Esc). */
  focused?: boolean;
  /** The torrent's last minutes of rates: a graph under Info where there is room. */
  speeds?: SpeedSeries;
}

/** The selected torrent: a summary line, the tab bar, and the open tab. */
export function DetailView({ row, detail, global, tab, fileCursor, scroll, width, height, focused, speeds }: Props) {
  const theme = useTheme();
  const summary = `${stateText(row)}  ${percent(row.progress)}  ↓ ${formatRate(row.downloadRate)}  ↑ ${formatRate(row.uploadRate)}  peers ${row.peers}/${row.knownPeers}`;
  const body = Math.max(0, height - 2);
  // A magnet without its metadata has only what Info shows; the tab chosen is kept for when it arrives.
  const waiting = row.magnet !== undefined;
  const shown: Tab = waiting ? 'info' : tab;
  return (
    <Box flexDirection="column" height={height}>
      <Text wrap="truncate">
        <Text bold>{fit(row.name, Math.max(1, width - summary.length - 2))}</Text>
        {'  '}
        <Text color={theme.state[row.state]}>{summary}</Text>
      </Text>
      <Text wrap="truncate">
        {TABS.map((t, i) => (
          <Text key={t} inverse={t === shown} color={t === shown ? undefined : theme.dim} dimColor={waiting && t !== 'info'}>
            {` ${i + 1} ${TAB_TITLES[t]} `}
          </Text>
        ))}
        <Text color={theme.dim}>
          {waiting
            ? '  the other tabs once the metadata arrives; Esc back'
            : focused === false
              ? '  Enter here, 1-5 switch'
              : '  Tab/1-5 switch, Esc back'}
        </Text>
      </Text>
      {waiting ? (
        <InfoTab row={row} global={global} width={width} height={body} />
      ) : !detail || rowKey(detail) !== rowKey(row) ? (
        <Text color={theme.dim}>loading…</Text>
      ) : tab === 'info' ? (
        <InfoWithGraph row={row} detail={detail} global={global} speeds={speeds} width={width} height={body} />
      ) : tab === 'peers' ? (
        <PeersTab peers={detail.peers} width={width} height={body} scroll={scroll} />
      ) : tab === 'files' ? (
        <FilesTab files={detail.files} cursor={fileCursor} width={width} height={body} />
      ) : tab === 'trackers' ? (
        <TrackersTab trackers={detail.trackers} width={width} height={body} scroll={scroll} />
      ) : (
        <PiecesTab pieces={detail.pieces} pieceLength={detail.info.pieceLength} width={width} height={body} />
      )}
    </Box>
  );
}

/** Info, and under it the speed graph when a blank line and the graph's least rows fit (up to 10 rows of it). */
function InfoWithGraph({
  row,
  detail,
  global,
  speeds,
  width,
  height,
}: {
  row: TorrentRow;
  detail: TorrentDetail;
  global?: Pick<GlobalStats, 'seedRatioLimit' | 'seedIdleLimit'>;
  speeds?: SpeedSeries;
  width: number;
  height: number;
}) {
  const infoHeight = infoRows(row, detail, global).length;
  const room = height - infoHeight - 1;
  if (room < SPEED_GRAPH_MIN_ROWS) return <InfoTab row={row} detail={detail} global={global} width={width} height={height} />;
  return (
    <Box flexDirection="column" height={height}>
      <InfoTab row={row} detail={detail} global={global} width={width} height={infoHeight} />
      <Text> </Text>
      <SpeedGraph series={speeds} width={width} height={Math.min(10, room)} />
    </Box>
  );
}
