import { Box, Text } from 'ink';
import { formatBytes, formatCount } from '../format/size.js';
import type { PieceMap } from '../store/types.js';
import { availabilityBucket, cellGlyph, gridFor, hasPiece, heatmapCells, type HeatCell } from './heatmap.js';
import type { Theme } from './theme.js';
import { useTheme } from './theme-context.js';

function cellColour(cell: HeatCell, theme: Theme, availabilityKnown: boolean): string | undefined {
  if (cell.state === 'have') return theme.have;
  if (cell.state === 'downloading') return theme.downloading;
  if (cell.state === 'partial') return theme.have ? theme.info : undefined;
  return availabilityKnown ? theme.availability[availabilityBucket(cell.availability)] : theme.dim;
}

/** Consecutive cells of one colour as one Text, to keep the node count low. */
function runs(cells: HeatCell[], theme: Theme, cellWidth: number, availabilityKnown: boolean): { colour?: string; text: string }[] {
  const out: { colour?: string; text: string }[] = [];
  for (const cell of cells) {
    const colour = cellColour(cell, theme, availabilityKnown);
    const glyph = cellGlyph(cell, theme.level !== 'none', availabilityKnown).repeat(cellWidth);
    const last = out[out.length - 1];
    if (last && last.colour === colour) last.text += glyph;
    else out.push({ colour, text: glyph });
  }
  return out;
}

/** The piece heatmap: each cell one piece, or an even group of pieces when there are more pieces than cells. */
export function PiecesTab({
  pieces,
  pieceLength,
  width,
  height,
}: {
  pieces: PieceMap;
  pieceLength: number;
  width: number;
  height: number;
}) {
  const theme = useTheme();
  // A remote Transmission reports which pieces it has, not which peers have which: have/missing only.
  const availabilityKnown = pieces.availability.length >= pieces.pieceCount;
  const legendLines = 3;
  const grid = gridFor(pieces.pieceCount, width, Math.max(1, height - legendLines));
  const cells = heatmapCells(pieces, grid.columns * grid.rows);
  let have = 0;
  for (let i = 0; i < pieces.pieceCount; i++) if (hasPiece(pieces.have, i)) have++;
  const perCell = pieces.pieceCount / Math.max(1, cells.length);
  const lines: HeatCell[][] = [];
  for (let r = 0; r * grid.columns < cells.length; r++) lines.push(cells.slice(r * grid.columns, (r + 1) * grid.columns));
  const scale =
    perCell > 1
      ? `1 cell ≈ ${perCell.toFixed(perCell < 10 ? 1 : 0)} pieces (${formatBytes(Math.round(perCell * pieceLength))})`
      : `1 cell = 1 piece (${formatBytes(pieceLength)})`;
  return (
    <Box flexDirection="column" height={height}>
      <Text wrap="truncate">
        {`${formatCount(pieces.pieceCount)} pieces, have ${formatCount(have)}, downloading ${formatCount(pieces.downloading.size)}; ${scale}`}
      </Text>
      {lines.map((line, r) => (
        <Text key={r} wrap="truncate">
          {runs(line, theme, grid.cellWidth, availabilityKnown).map((run, i) => (
            <Text key={i} color={run.colour}>
              {run.text}
            </Text>
          ))}
        </Text>
      ))}
      <Box flexGrow={1} />
      <Text wrap="truncate">
        <Text color={theme.have}>█</Text> have <Text color={theme.info}>▌</Text> part <Text color={theme.downloading}>▒</Text> downloading
        {'  '}
        {!availabilityKnown ? (
          '░ missing (the host does not report how many peers have each piece)'
        ) : theme.level === 'none' ? (
          'missing, peers with it: · 0  1-9  + 10 or more'
        ) : (
          <>
            {'missing, peers with it: '}
            {[0, 1, 2, 3, 4].map((n) => (
              <Text key={n} color={theme.availability[n]}>
                {`▓${n === 4 ? '4+' : n} `}
              </Text>
            ))}
          </>
        )}
      </Text>
    </Box>
  );
}
