/**
 * The colour scales of every heatmap and bar (see VISUAL-LANGUAGE.md):
 * weights on cividis, a perceptually uniform sequential scale that readers
 * with the common colour-vision deficiencies see the same way; scores, which
 * can be negative, on a diverging scale centred on 0. Each colour comes with
 * the text colour that stays readable on it.
 */
import { interpolateCividis, interpolateRdBu } from 'd3-scale-chromatic';

/** Colour steps of a thumbnail heatmap (AttentionMap's compact form): each weight is drawn rounded to the nearest 1/WEIGHT_STEPS. */
export const WEIGHT_STEPS = 32;

/** A weight in [0, 1] as a cividis colour (dark blue at 0, yellow at 1). */
export function weightColour(weight: number): string {
  return interpolateCividis(clamp01(weight));
}

/**
 * A score on a diverging scale: 0 is the neutral middle, -limit and +limit
 * the two ends (blue for positive, red for negative, as RdBu runs).
 */
export function scoreColour(score: number, limit: number): string {
  const t = limit > 0 ? 0.5 + (0.5 * score) / limit : 0.5;
  return interpolateRdBu(clamp01(t));
}

/** Black or white, whichever reads better on a background colour (rgb(…) or #rrggbb). */
export function textOn(background: string): '#000' | '#fff' {
  const [r, g, b] = channels(background).map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  // The luminance at which black and white text have equal contrast.
  return luminance > 0.179 ? '#000' : '#fff';
}

function channels(colour: string): number[] {
  const rgb = /rgb\((\d+),\s*(\d+),\s*(\d+)\)/.exec(colour);
  if (rgb) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])];
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(colour);
  if (hex) return [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16), parseInt(hex[3]!, 16)];
  throw new Error(`Not a colour this scale makes: ${colour}`);
}

const clamp01 = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);
