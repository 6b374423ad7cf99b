import { rng } from './tensor';
import type { Tensor } from './tensor';
import { checkMatrix } from './validate';

/**
 * Principal component analysis down to 3 dimensions, for drawing d-dimensional
 * embeddings, queries or keys as a 3-D point cloud.
 *
 * The covariance matrix (d × d) is formed once, then its top eigenvectors are
 * found one at a time by power iteration, each deflated out (C ← C − λ u uᵀ)
 * before the next. Start vectors come from a fixed seed and each component's
 * sign is fixed (its largest entry positive), so the same points always give
 * the same picture: a figure must not flip between frames.
 */
export interface Pca3Result {
  /** [N, 3]: each point's coordinates along the three components. */
  projected: Tensor;
  /** [3, d]: unit principal directions (rows of zeros past d when d < 3). */
  components: Tensor;
  /** The mean point that was subtracted, length d. */
  mean: Float32Array;
  /** Share (0..1) of the total variance the three components keep; 1 when there is no variance. */
  varianceKept: number;
}

const MAX_ITERATIONS = 1000;
/** Stop when the direction moves less than this (1 − |cos| between iterates). */
const TOLERANCE = 1e-13;

export function pca3(points: Tensor): Pca3Result {
  const [count, d] = checkMatrix(points, 'The points');
  const data = points.data;

  const mean = new Float64Array(d);
  for (let i = 0; i < count; i++) for (let t = 0; t < d; t++) mean[t] = mean[t]! + data[i * d + t]!;
  for (let t = 0; t < d; t++) mean[t] = mean[t]! / count;

  // Covariance (divided by N; the scale does not change the directions or the variance share).
  const cov = new Float64Array(d * d);
  const centred = new Float64Array(d);
  for (let i = 0; i < count; i++) {
    for (let t = 0; t < d; t++) centred[t] = data[i * d + t]! - mean[t]!;
    for (let a = 0; a < d; a++) {
      const x = centred[a]!;
      for (let b = a; b < d; b++) cov[a * d + b] = cov[a * d + b]! + x * centred[b]!;
    }
  }
  let total = 0;
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      const value = cov[a * d + b]! / count;
      cov[a * d + b] = value;
      cov[b * d + a] = value;
    }
    total += cov[a * d + a]!;
  }

  const components = new Float32Array(3 * d);
  const found: Float64Array[] = [];
  let kept = 0;
  const next = rng(0x9e3779b9);
  for (let c = 0; c < Math.min(3, d); c++) {
    const u = new Float64Array(d);
    for (let t = 0; t < d; t++) u[t] = next() - 0.5;
    orthonormalise(u, found);
    const w = new Float64Array(d);
    for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
      for (let a = 0; a < d; a++) {
        let s = 0;
        for (let b = 0; b < d; b++) s += cov[a * d + b]! * u[b]!;
        w[a] = s;
      }
      // Keep the iterate orthogonal to the components found, against rounding.
      if (!orthonormalise(w, found)) break; // no variance left in what remains: keep u
      const change = 1 - Math.abs(dot(u, w));
      u.set(w);
      if (change < TOLERANCE) break;
    }
    // Fix the sign: largest-magnitude entry positive.
    let largest = 0;
    for (let t = 1; t < d; t++) if (Math.abs(u[t]!) > Math.abs(u[largest]!)) largest = t;
    if (u[largest]! < 0) for (let t = 0; t < d; t++) u[t] = -u[t]!;
    const lambda = Math.max(0, rayleigh(cov, u, d));
    kept += lambda;
    // Deflate: C ← C − λ u uᵀ.
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) cov[a * d + b] = cov[a * d + b]! - lambda * u[a]! * u[b]!;
    found.push(u);
    for (let t = 0; t < d; t++) components[c * d + t] = u[t]!;
  }

  const projected = new Float32Array(count * 3);
  for (let i = 0; i < count; i++) {
    for (let c = 0; c < found.length; c++) {
      const u = found[c]!;
      let s = 0;
      for (let t = 0; t < d; t++) s += (data[i * d + t]! - mean[t]!) * u[t]!;
      projected[i * 3 + c] = s;
    }
  }

  return {
    projected: { data: projected, shape: [count, 3] },
    components: { data: components, shape: [3, d] },
    mean: Float32Array.from(mean),
    varianceKept: total > 0 ? Math.min(1, kept / total) : 1,
  };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let t = 0; t < a.length; t++) s += a[t]! * b[t]!;
  return s;
}

/** uᵀ C u for unit u: the variance along u. */
function rayleigh(cov: Float64Array, u: Float64Array, d: number): number {
  let s = 0;
  for (let a = 0; a < d; a++) {
    let row = 0;
    for (let b = 0; b < d; b++) row += cov[a * d + b]! * u[b]!;
    s += u[a]! * row;
  }
  return s;
}

/**
 * Removes from x its parts along the (orthonormal) basis and normalises it.
 * Returns false, leaving x unchanged, when nothing is left (x lies in their span).
 */
function orthonormalise(x: Float64Array, basis: Float64Array[]): boolean {
  const y = Float64Array.from(x);
  for (const b of basis) {
    const p = dot(y, b);
    for (let t = 0; t < y.length; t++) y[t] = y[t]! - p * b[t]!;
  }
  const norm = Math.sqrt(dot(y, y));
  if (!(norm > 1e-300)) return false;
  for (let t = 0; t < y.length; t++) x[t] = y[t]! / norm;
  return true;
}
