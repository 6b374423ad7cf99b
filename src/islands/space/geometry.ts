/**
 * Where the space's vectors are drawn, and what the drawing may claim.
 *
 * With d_k = 3 the picture is the vectors themselves: exact. Wider heads are
 * drawn in the three directions that keep most of their queries' and keys'
 * squared length, found by the attention package's PCA (pca3) over the queries and keys
 * together (one space for both, as in AttentionViz) and over their mirror
 * images (−q, −k) as well. The mirror images put the mean exactly at the
 * origin, so the projection is linear, x ↦ B x: the origin stays where it is,
 * a query is still an arrow from it, and drawn dot products are the true ones
 * restricted to the three directions. The share PCA reports is then the
 * share of Σ‖x‖² the three directions keep.
 *
 * Every score and weight the figure shows comes from the engine on the true
 * d_k-wide vectors; only the positions are projected.
 */
import type { Tensor } from '@attention-guide/attention';
import type { QueryMove } from './attend';
import { pca3 } from '@attention-guide/attention/pca';
import { row, type SpaceVectors } from './vectors';

export type Vec3 = [number, number, number];

export interface Layout {
  /** True when the positions are the vectors themselves (d_k = 3). */
  exact: boolean;
  /** Share (0…1) of the vectors' squared length the drawn directions keep; 1 when exact. */
  kept: number;
  /** [3 × d] orthonormal rows: the drawn axes as directions of the d_k-wide space (null when exact). */
  basis: Float32Array | null;
  /** [n × 3] drawn positions of every token's query, key and value. */
  queries: Float32Array;
  keys: Float32Array;
  values: Float32Array | null;
  /**
   * Values live in a space of their own (d_v wide): wider ones are drawn in
   * their own three principal directions, [3 × d_v] (null when d_v = 3), which
   * keep `valuesKept` of their squared length.
   */
  valueBasis: Float32Array | null;
  valuesKept: number;
  /** The names of the drawn axes. */
  axes: [string, string, string];
}

export function exactLayout(v: SpaceVectors): Layout {
  if (v.d !== 3 || v.dv !== 3) throw new Error(`Only d_k = d_v = 3 is drawn as it is; these vectors have d_k = ${v.d}, d_v = ${v.dv}.`);
  return { exact: true, kept: 1, basis: null, queries: v.queries, keys: v.keys, values: v.values, valueBasis: null, valuesKept: 1, axes: ['1', '2', '3'] };
}

/** The joint query-key projection of a wider head, by the attention package's PCA. */
export function projectedLayout(v: SpaceVectors): Layout {
  const n = v.tokens.length;
  const width = n * v.d;
  const points = new Float32Array(4 * width);
  points.set(v.queries, 0);
  points.set(v.keys, width);
  for (let i = 0; i < 2 * width; i++) points[2 * width + i] = -points[i]!;
  const pca = pca3({ data: points, shape: [4 * n, v.d] });
  const values = v.values ? projectValues(v.values, n, v.dv) : null;
  return {
    exact: false,
    kept: pca.varianceKept,
    basis: pca.components.data,
    queries: pca.projected.data.slice(0, 3 * n),
    keys: pca.projected.data.slice(3 * n, 6 * n),
    values: values?.positions ?? null,
    valueBasis: values?.basis ?? null,
    valuesKept: values?.kept ?? 1,
    axes: ['PC1', 'PC2', 'PC3'],
  };
}

/** The values' own three principal directions, with their mirror images as for the queries and keys, so the projection stays linear. */
function projectValues(values: Float32Array, n: number, dv: number) {
  const width = n * dv;
  const points = new Float32Array(2 * width);
  points.set(values, 0);
  for (let i = 0; i < width; i++) points[width + i] = -points[i]!;
  const pca = pca3({ data: points, shape: [2 * n, dv] });
  return { positions: pca.projected.data.slice(0, 3 * n), basis: pca.components.data, kept: pca.varianceKept };
}

export const point = (positions: Float32Array, i: number): Vec3 => Array.from(row(positions, i, 3)) as Vec3;

/**
 * The d_k-wide query whose drawn position is `to`, moved from `query` (drawn
 * at `from`) within the drawn directions only: query + Bᵀ(to − from). Its
 * parts outside those directions are kept, so its projection is exactly
 * `to`. The move is returned, not made: `attend` makes it through the engine,
 * in the same batch as the attention. Where the drawing is the vectors
 * themselves (no basis), the query is `to`.
 */
export function moveWithin(layout: Layout, query: Float32Array, from: Vec3, to: Vec3): { query: Float32Array; move: QueryMove | null } {
  if (!layout.basis) return { query: Float32Array.from(to), move: null };
  const step: Tensor = { data: Float32Array.from([to[0] - from[0], to[1] - from[1], to[2] - from[2]]), shape: [1, 3] };
  return { query, move: { step, basis: { data: layout.basis, shape: [3, query.length] } } };
}

/** The largest distance from the origin of any query, key or value drawn: the scene's unit. */
export function extent(layout: Layout): number {
  let largest = 0;
  for (const positions of [layout.queries, layout.keys, layout.values]) {
    if (!positions) continue;
    for (let i = 0; i < positions.length; i += 3) largest = Math.max(largest, Math.hypot(positions[i]!, positions[i + 1]!, positions[i + 2]!));
  }
  return largest > 0 ? largest : 1;
}

/** What a frame shows: the 3D view and the flat drawing draw the same thing. */
export interface Picture {
  tokens: string[];
  /** [n × 3] drawn key positions. */
  keys: Float32Array;
  /** [n × 3] drawn value positions, shown when showValues. */
  values: Float32Array | null;
  showValues: boolean;
  /** Keys 0…visible − 1 are seen by the query; the rest are masked. */
  visible: number;
  /** Weights of the visible keys, from the engine. */
  weights: number[];
  /** The query's drawn tip. */
  tip: Vec3;
  queryToken: string;
  output: Vec3 | null;
  axes: [string, string, string];
  /** The scene's unit: drawn coordinates are divided by it. */
  scale: number;
}

/** Labels on at most this many keys (the largest weights): more would cover the picture. */
export const MAX_KEY_LABELS = 12;

/** The keys to label: all when few, else those with the largest weights. */
export function labelledKeys(weights: number[]): number[] {
  return weights
    .map((w, i) => ({ w, i }))
    .sort((x, y) => y.w - x.w)
    .slice(0, MAX_KEY_LABELS)
    .map(({ i }) => i);
}

/**
 * The camera's starting direction, shared by the 3D view and the flat
 * drawing: azimuth θ about the vertical axis (axis 2), elevation from it φ.
 */
export const START_VIEW = { azimuth: (35 * Math.PI) / 180, polar: (65 * Math.PI) / 180 };

/**
 * A point seen from START_VIEW by an orthographic camera: [right, up, depth]
 * (depth grows towards the viewer). Axis 1 is x, axis 2 is y (up), axis 3 is z.
 */
export function flatten(p: Vec3, view = START_VIEW): Vec3 {
  const { azimuth: a, polar: f } = view;
  const toward: Vec3 = [Math.sin(f) * Math.sin(a), Math.cos(f), Math.sin(f) * Math.cos(a)];
  const right: Vec3 = [Math.cos(a), 0, -Math.sin(a)];
  // up = toward × right
  const up: Vec3 = [toward[1] * right[2] - toward[2] * right[1], toward[2] * right[0] - toward[0] * right[2], toward[0] * right[1] - toward[1] * right[0]];
  const along = (u: Vec3) => p[0] * u[0] + p[1] * u[1] + p[2] * u[2];
  return [along(right), along(up), along(toward)];
}

/** Full precision for tests and screen readers' tables: what a `data-value` carries. */
export const full = (x: number): string => String(x);
export const fixed = (x: number, digits = 2): string => (Object.is(Math.round(x * 10 ** digits), -0) ? 0 : x).toFixed(digits);
