import { maskAllows } from '../masks';
import type { Tensor } from '../tensor';
import type { AttentionOptions, AttentionResult, SoftmaxOptions } from '../types';

/**
 * The reference: every formula written the plain way, one loop per index,
 * sums in double precision, no cleverness. Every other path (fast, tiled,
 * ring, cache, WebGPU) is tested against it. Inputs are assumed valid
 * (validate.ts runs first).
 */

/** a · b, or a · bᵀ with transposeB: the textbook triple loop. */
export function matmulReference(a: Tensor, b: Tensor, transposeB = false): Tensor {
  const [rows, inner] = [a.shape[0]!, a.shape[1]!];
  const cols = transposeB ? b.shape[0]! : b.shape[1]!;
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let sum = 0;
      for (let p = 0; p < inner; p++) {
        const bValue = transposeB ? b.data[j * inner + p]! : b.data[p * cols + j]!;
        sum += a.data[i * inner + p]! * bValue;
      }
      out[i * cols + j] = sum;
    }
  }
  return { data: out, shape: [rows, cols] };
}

/**
 * softmax(x · scale / temperature) of each row, stable: the row maximum is
 * subtracted before exp, so the largest term is exp(0) = 1 and nothing
 * overflows. -Infinity entries are masked and get weight exactly 0.
 *
 * A row where every entry is masked gets all-zero weights, not NaN (the
 * textbook formula would give 0/0). Its attention output is then the zero
 * vector: the query attends to nothing. Every path in this package follows
 * this rule so they all agree.
 */
export function softmaxReference(x: Tensor, options: SoftmaxOptions = {}): Tensor {
  const [rows, cols] = [x.shape[0]!, x.shape[1]!];
  const factor = (options.scale ?? 1) / (options.temperature ?? 1);
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    let max = -Infinity;
    for (let j = 0; j < cols; j++) {
      const value = x.data[i * cols + j]!;
      if (value !== -Infinity) max = Math.max(max, value * factor);
    }
    if (max === -Infinity) continue; // every entry masked: the row stays 0
    let sum = 0;
    for (let j = 0; j < cols; j++) {
      const value = x.data[i * cols + j]!;
      if (value !== -Infinity) sum += Math.exp(value * factor - max);
    }
    for (let j = 0; j < cols; j++) {
      const value = x.data[i * cols + j]!;
      out[i * cols + j] = value === -Infinity ? 0 : Math.exp(value * factor - max) / sum;
    }
  }
  return { data: out, shape: [rows, cols] };
}

/**
 * softmax(mask(Q·Kᵀ · scale)) · V, keeping every stage: scores = Q·Kᵀ,
 * scaled = scores · scale, masked = scaled with -Infinity where the mask
 * forbids, weights = softmax(masked), output = weights · V.
 */
export function attentionReference(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions = {}): AttentionResult {
  const [n, dk] = [q.shape[0]!, q.shape[1]!];
  const m = k.shape[0]!;
  const scale = options.scale ?? 1 / Math.sqrt(dk);
  const allows = maskAllows(options.mask ?? { kind: 'none' }, n, m);

  const scores = matmulReference(q, k, true);
  const scaled: Tensor = { data: scores.data.map((s) => s * scale), shape: [n, m] };
  const masked: Tensor = { data: new Float32Array(n * m), shape: [n, m] };
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      masked.data[i * m + j] = allows(i, j) ? scaled.data[i * m + j]! : -Infinity;
    }
  }
  const weights = softmaxReference(masked);
  const output = matmulReference(weights, v);
  return options.stages ? { output, stages: { scores, scaled, masked, weights } } : { output };
}
