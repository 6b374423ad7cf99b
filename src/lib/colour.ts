/**
 * The colour scales of every heatmap and bar (see VISUAL-LANGUAGE.md):
 * weights on cividis, a perceptually uniform sequential scale that readers
 * with the common colour-vision deficiencies see the same way; scores, which
 * can be negative, on a diverging scale centred on 0. Each colour comes with
 * the text colour that stays readable on it.
 */

/*
 * The two scales are d3-scale-chromatic's interpolateCividis and
 * interpolateRdBu, written out here (ISC licence, Mike Bostock) so that no
 * island loads d3-scale-chromatic, d3-interpolate and d3-color (about 11 kB
 * gzipped) for two functions: the same polynomials, the same 11 colours and
 * B-spline, the same rounding, so the same "rgb(r, g, b)" strings
 * (test/colour.test.ts checks them against d3 itself).
 */

/** A channel rounded into 0…255 (as d3 rounds; only d3-color's version turns NaN into 0). */
const channel = (value: number) => Math.max(0, Math.min(255, Math.round(value)));
const rgb = (r: number, g: number, b: number) => `rgb(${r}, ${g}, ${b})`;

/** d3's interpolateCividis: a polynomial fit of each channel. */
function interpolateCividis(t: number): string {
  t = Math.max(0, Math.min(1, t));
  return rgb(
    channel(-4.54 - t * (35.34 - t * (2381.73 - t * (6402.7 - t * (7024.72 - t * 2710.57))))),
    channel(32.49 + t * (170.73 + t * (52.82 - t * (131.46 - t * (176.58 - t * 67.37))))),
    channel(81.24 + t * (442.36 - t * (2482.43 - t * (6167.24 - t * (6614.94 - t * 2475.67))))),
  );
}

/** ColorBrewer's 11-class RdBu, red to blue, as d3's interpolateRdBu runs through it. */
const RD_BU = '67001fb2182bd6604df4a582fddbc7f7f7f7d1e5f092c5de4393c32166ac053061';
const RD_BU_CHANNELS = [0, 2, 4].map((offset) => Array.from({ length: RD_BU.length / 6 }, (_, i) => parseInt(RD_BU.slice(6 * i + offset, 6 * i + offset + 2), 16)));

/** d3-interpolate's uniform cubic B-spline through `values` (interpolateBasis). */
function basis(values: number[], t: number): number {
  const n = values.length - 1;
  const i = t <= 0 ? ((t = 0), 0) : t >= 1 ? ((t = 1), n - 1) : Math.floor(t * n);
  const v1 = values[i]!;
  const v2 = values[i + 1]!;
  const v0 = i > 0 ? values[i - 1]! : 2 * v1 - v2;
  const v3 = i < n - 1 ? values[i + 2]! : 2 * v2 - v1;
  const t1 = (t - i / n) * n;
  const t2 = t1 * t1;
  const t3 = t2 * t1;
  return ((1 - 3 * t1 + 3 * t2 - t3) * v0 + (4 - 6 * t2 + 3 * t3) * v1 + (1 + 3 * t1 + 3 * t2 - 3 * t3) * v2 + t3 * v3) / 6;
}

/** d3's interpolateRdBu (interpolateRgbBasis over the 11 colours). */
function interpolateRdBu(t: number): string {
  const [r, g, b] = RD_BU_CHANNELS.map((values) => channel(basis(values, t)) || 0) as [number, number, number];
  return rgb(r, g, b);
}

/** A weight in [0, 1] as a cividis colour (dark blue at 0, yellow at 1). */
export function weightColour(weight: number): string {
  return interpolateCividis(clamp01(weight));
}

/** Colour steps of a heatmap drawn one path per colour (a thumbnail, or a map's first state in the page's HTML). */
export const WEIGHT_STEPS = 32;

/** A weight's colour step, 0 to WEIGHT_STEPS: its colour is weightColour(step / WEIGHT_STEPS). */
export function weightStep(weight: number): number {
  return Math.round(clamp01(weight) * WEIGHT_STEPS);
}

/**
 * A score on a diverging scale: 0 is the neutral middle, -limit and +limit
 * the two ends (blue for positive, red for negative, as RdBu runs).
 */
export function scoreColour(score: number, limit: number): string {
  const t = limit > 0 ? 0.5 + (0.5 * score) / limit : 0.5;
  return interpolateRdBu(clamp01(t));
}

/** Text colours already worked out, by background: a scale makes a few thousand colours at most. */
const textColours = new Map<string, '#000' | '#fff'>();

/** Black or white, whichever reads better on a background colour (rgb(…) or #rrggbb). */
export function textOn(background: string): '#000' | '#fff' {
  let text = textColours.get(background);
  if (!text) textColours.set(background, (text = contrastingText(background)));
  return text;
}

function contrastingText(background: string): '#000' | '#fff' {
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
