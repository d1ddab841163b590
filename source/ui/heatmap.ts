import type { PieceMap } from '../store/types.js';

export type CellState = 'have' | 'partial' | 'downloading' | 'missing';

export interface HeatCell {
  state: CellState;
  /** For cells with missing pieces: how many peers have the rarest of them. */
  availability: number;
}

export function hasPiece(have: Uint8Array, index: number): boolean {
  return ((have[index >> 3] ?? 0) & (0x80 >> (index & 7))) !== 0;
}

/**
 * Pieces folded into at most `cells` cells: one piece a cell when they fit, else even
 * groups. A group reads as have (all), downloading (any in flight), partial (some) or
 * missing; its availability is that of its rarest missing piece (what holds it back).
 */
export function heatmapCells(map: PieceMap, cells: number): HeatCell[] {
  const n = map.pieceCount;
  const count = Math.max(0, Math.min(n, cells));
  const out: HeatCell[] = new Array(count);
  for (let k = 0; k < count; k++) {
    const first = Math.floor((k * n) / count);
    const end = Math.floor(((k + 1) * n) / count);
    let had = 0;
    let downloading = false;
    let rarest = Number.MAX_SAFE_INTEGER;
    for (let p = first; p < end; p++) {
      if (hasPiece(map.have, p)) had++;
      else {
        if (map.downloading.has(p)) downloading = true;
        const a = map.availability[p] ?? 0;
        if (a < rarest) rarest = a;
      }
    }
    const state: CellState = had === end - first ? 'have' : downloading ? 'downloading' : had > 0 ? 'partial' : 'missing';
    out[k] = { state, availability: rarest === Number.MAX_SAFE_INTEGER ? 0 : rarest };
  }
  return out;
}

/**
 * The glyph of a cell. With colour, missing cells are shaded blocks coloured by
 * availability (red: no peer has it); without, they show the peer count (· none, 1-9, + for ten or more).
 */
export function cellGlyph(cell: HeatCell, coloured = false, availabilityKnown = true): string {
  switch (cell.state) {
    case 'have':
      return '█';
    case 'partial':
      return '▌';
    case 'downloading':
      return '▒';
    case 'missing':
      if (!availabilityKnown) return '░';
      if (coloured) return '▓';
      return cell.availability === 0 ? '·' : cell.availability > 9 ? '+' : String(cell.availability);
  }
}

/** Index into Theme.availability: 0 nobody, 1, 2, 3, 4 = four or more. */
export function availabilityBucket(availability: number): number {
  return Math.min(4, Math.max(0, availability));
}

/**
 * Grid for a pane: cells two characters wide (about square) when the pieces fit that
 * way, else one; as many rows as needed, at most `maxRows`.
 */
export function gridFor(pieceCount: number, width: number, maxRows: number): { columns: number; rows: number; cellWidth: 1 | 2 } {
  const cellWidth = pieceCount * 2 <= Math.floor(width / 2) * 2 * maxRows && width >= 2 ? 2 : 1;
  const columns = Math.max(1, Math.floor(width / cellWidth));
  const rows = Math.max(1, Math.min(maxRows, Math.ceil(pieceCount / columns)));
  return { columns, rows, cellWidth };
}
