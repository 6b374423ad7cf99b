/**
 * Measurements of attention weights that the demos report: how much each
 * row sums to, how spread out it is (entropy), its largest weight, and how
 * strongly the softmax that made it still responds to its scores (the
 * largest entry of its Jacobian). They read weights the engine computed;
 * none of them computes attention.
 */
import { dims2, type Tensor } from './tensor';

export interface RowStats {
  /** Σ_j A_ij: 1 up to rounding for a softmax row. */
  sum: number;
  /** -Σ_j A_ij ln A_ij, in nats: 0 for a one-hot row, ln m for a uniform one. */
  entropy: number;
  /** max_j A_ij */
  max: number;
  /** Index of the largest weight (the first, on ties). */
  argmax: number;
  /**
   * Largest |∂A_ij / ∂S_ik| over j and k. The softmax Jacobian of a row is
   * diag(a) - a aᵀ, so its entries are a_j(1 - a_j) on the diagonal and
   * -a_j a_k off it; the largest is at most 1/4, and near 0 when the row is
   * nearly one-hot (a saturated softmax passes almost no gradient back).
   */
  jacobianMax: number;
}

/** Statistics of one row of weights (non-negative, summing to about 1). */
export function rowStats(row: ArrayLike<number>): RowStats {
  let sum = 0;
  let entropy = 0;
  let max = -Infinity;
  let second = -Infinity;
  let argmax = 0;
  for (let j = 0; j < row.length; j++) {
    const a = row[j]!;
    sum += a;
    if (a > 0) entropy -= a * Math.log(a);
    if (a > max) {
      second = max;
      max = a;
      argmax = j;
    } else if (a > second) second = a;
  }
  // Diagonal entries a(1 - a) peak where a is nearest 1/2; off-diagonal |a_j a_k| peaks at the two largest weights.
  let diagonal = 0;
  for (let j = 0; j < row.length; j++) diagonal = Math.max(diagonal, row[j]! * (1 - row[j]!));
  const offDiagonal = row.length > 1 ? max * second : 0;
  return { sum, entropy, max, argmax, jacobianMax: Math.max(diagonal, offDiagonal) };
}

/** rowStats for every row of an [n, m] matrix of weights. */
export function weightStats(weights: Tensor): RowStats[] {
  const [n, m] = dims2(weights, 'The weights');
  return Array.from({ length: n }, (_, i) => rowStats(weights.data.subarray(i * m, (i + 1) * m)));
}

/** Mean and standard deviation (population) of every finite value in a tensor; masked -Infinity entries are skipped. */
export function spread(t: Tensor): { mean: number; std: number; count: number } {
  let count = 0;
  let mean = 0;
  let m2 = 0;
  // Welford's update: stable for the wide ranges unscaled scores reach.
  for (const x of t.data) {
    if (!Number.isFinite(x)) continue;
    count += 1;
    const delta = x - mean;
    mean += delta / count;
    m2 += delta * (x - mean);
  }
  return { mean: count ? mean : NaN, std: count ? Math.sqrt(m2 / count) : NaN, count };
}
