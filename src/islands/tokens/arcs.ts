/**
 * Geometry of the explorer's arcs: one SVG path from the selected token to
 * each token it sees, rising above the row of chips. Drawing only; the
 * weights that set each arc's width come from the engine.
 */

/** Height of the band the arcs are drawn in, in CSS pixels. */
export const ARC_BAND = 72;

/** Width of an arc's stroke for a weight in [0, 1]: a hairline at 0, 7 px at 1. */
export const arcWidth = (weight: number) => 0.75 + 6.25 * weight;

/** Opacity of an arc: faint (but there) at 0, solid at 1. */
export const arcOpacity = (weight: number) => 0.12 + 0.88 * weight;

/**
 * A path from x = `from` to x = `to` on the band's bottom edge. Farther
 * tokens get higher arcs (so arcs to neighbours do not hide behind longer
 * ones), up to the band's height less room for the widest stroke; an arc
 * from a token to itself is a small loop.
 */
export function arcPath(from: number, to: number, band = ARC_BAND): string {
  const base = band - 1;
  if (Math.abs(to - from) < 1) {
    const loop = 22;
    return `M ${r(from - 6)} ${base} C ${r(from - 14)} ${base - loop} ${r(from + 14)} ${base - loop} ${r(from + 6)} ${base}`;
  }
  const rise = Math.min(band - 6, 10 + 0.28 * Math.abs(to - from));
  // A quadratic Bézier peaks halfway between its baseline and its control point.
  return `M ${r(from)} ${base} Q ${r((from + to) / 2)} ${r(base - 2 * rise)} ${r(to)} ${base}`;
}

const r = (x: number) => Math.round(x * 10) / 10;
