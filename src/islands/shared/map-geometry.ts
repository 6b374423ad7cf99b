/**
 * The layout of a labelled heatmap (AttentionMap, and the causal mask's
 * score map drawn the same way), in SVG user units: a cell is CELL × CELL,
 * query labels sit to the left, key labels slant up to the right above the
 * columns (rotated 50°; a character is about 3.6 units wide at the labels'
 * 6-unit size).
 */
export const CELL = 10;

const longest = (labels: readonly string[]) => labels.reduce((a, b) => Math.max(a, b.length), 1);

export interface Margins {
  left: number;
  top: number;
  /** Room for the slanted labels of the last columns, past the last cell. */
  right: number;
}

export function mapMargins(rows: readonly string[], cols: readonly string[]): Margins {
  const m = cols.length;
  return {
    left: Math.min(48, 6 + 3.6 * longest(rows)),
    top: Math.min(44, 6 + 2.6 * longest(cols)),
    // cos 50° × 3.6 ≈ 2.3 units across per character, from the column's centre.
    right: Math.max(0, ...cols.map((name, c) => Math.min(44, 2.3 * name.length) - CELL / 2 - (m - 1 - c) * CELL)),
  };
}
