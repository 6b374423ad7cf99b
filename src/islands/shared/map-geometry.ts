/**
 * The layout of a labelled heatmap (AttentionMap, and the causal mask's
 * score map drawn the same way), in SVG user units: a cell is CELL × CELL,
 * query labels sit to the left, key labels slant up to the right above the
 * columns (rotated 50°; a character is about 3.6 units wide at the labels'
 * 6-unit size). A label longer than the margins hold is shortened.
 */
export const CELL = 10;

/** The most characters a label shows: what the left margin's 48 units hold at 3.6 a character, after its 6-unit gap. */
const LABEL_CHARACTERS = 11;

/**
 * A label as the map writes it: a word longer than LABEL_CHARACTERS is cut,
 * with an ellipsis (the full word is its tooltip). The mark of an unknown
 * word, a trailing *, stays.
 */
export function mapLabel(name: string): string {
  const characters = [...name];
  if (characters.length <= LABEL_CHARACTERS) return name;
  const mark = characters.at(-1) === '*' ? '*' : '';
  return `${characters.slice(0, LABEL_CHARACTERS - 1 - mark.length).join('')}…${mark}`;
}

const longest = (labels: readonly string[]) => labels.reduce((a, b) => Math.max(a, mapLabel(b).length), 1);

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
    right: Math.max(0, ...cols.map((name, c) => Math.min(44, 2.3 * mapLabel(name).length) - CELL / 2 - (m - 1 - c) * CELL)),
  };
}
