import { isContiguous, maskAllows, rowRange } from '../masks';
import type { Tensor } from '../tensor';
import type { AttentionOptions, AttentionResult, SoftmaxOptions } from '../types';

/**
 * The fast CPU path: same results as reference.ts within rounding, same
 * conventions (a fully masked row gets zero weights). Inputs are assumed
 * valid (validate.ts runs first).
 *
 * Every product is turned into the "a · bᵀ" form, whose operands are both
 * read along contiguous rows, and computed by one 4 × 4 register-tiled kernel
 * (gemmABt). Buffers are allocated once per call; the inner loops allocate
 * nothing.
 */

/** Query rows per block in attention: 32 rows × d_k = 64 floats is 8 KiB, so a block of Q stays in L1 while K streams past. */
const ROW_BLOCK = 32;
/** Keys per chunk of P·V: a 32 × 256 chunk of P is 32 KiB. */
const KEY_CHUNK = 256;

/**
 * c[cOff + i·cStride + j] = Σ_p a[aOff + i·aStride + p] · b[bOff + j·bStride + p]
 * for i < rowsA, j < rowsB, p < len; with `accumulate`, c += instead of c =.
 *
 * 4 × 4 tiles: each step of p loads 4 values of a and 4 of b and does 16
 * multiply-adds into 16 locals, which the JIT keeps in registers (a plain dot
 * product does 2 loads per multiply-add). The b tile is the outer loop so its
 * 4 rows stay in L1 while every row of a passes. Sums are in double precision.
 */
export function gemmABt(
  a: Float32Array,
  aOff: number,
  aStride: number,
  rowsA: number,
  b: Float32Array,
  bOff: number,
  bStride: number,
  rowsB: number,
  len: number,
  c: Float32Array,
  cOff: number,
  cStride: number,
  accumulate: boolean,
): void {
  const rowsA4 = rowsA - (rowsA % 4);
  const rowsB4 = rowsB - (rowsB % 4);
  for (let j = 0; j < rowsB4; j += 4) {
    const b0 = bOff + j * bStride;
    const b1 = b0 + bStride;
    const b2 = b1 + bStride;
    const b3 = b2 + bStride;
    for (let i = 0; i < rowsA4; i += 4) {
      const a0 = aOff + i * aStride;
      const a1 = a0 + aStride;
      const a2 = a1 + aStride;
      const a3 = a2 + aStride;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
      let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
      let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let p = 0; p < len; p++) {
        const x0 = a[a0 + p]!, x1 = a[a1 + p]!, x2 = a[a2 + p]!, x3 = a[a3 + p]!;
        const y0 = b[b0 + p]!, y1 = b[b1 + p]!, y2 = b[b2 + p]!, y3 = b[b3 + p]!;
        c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
        c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
        c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2; c23 += x2 * y3;
        c30 += x3 * y0; c31 += x3 * y1; c32 += x3 * y2; c33 += x3 * y3;
      }
      const o = cOff + i * cStride + j;
      put4(c, o, c00, c01, c02, c03, accumulate);
      put4(c, o + cStride, c10, c11, c12, c13, accumulate);
      put4(c, o + 2 * cStride, c20, c21, c22, c23, accumulate);
      put4(c, o + 3 * cStride, c30, c31, c32, c33, accumulate);
    }
    // The last rowsA % 4 rows of a against this tile of b.
    for (let i = rowsA4; i < rowsA; i++) {
      const a0 = aOff + i * aStride;
      let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
      for (let p = 0; p < len; p++) {
        const x = a[a0 + p]!;
        c0 += x * b[b0 + p]!; c1 += x * b[b1 + p]!; c2 += x * b[b2 + p]!; c3 += x * b[b3 + p]!;
      }
      put4(c, cOff + i * cStride + j, c0, c1, c2, c3, accumulate);
    }
  }
  // The last rowsB % 4 rows of b against every row of a.
  for (let j = rowsB4; j < rowsB; j++) {
    const b0 = bOff + j * bStride;
    for (let i = 0; i < rowsA; i++) {
      const a0 = aOff + i * aStride;
      let sum = 0;
      for (let p = 0; p < len; p++) sum += a[a0 + p]! * b[b0 + p]!;
      const o = cOff + i * cStride + j;
      c[o] = accumulate ? c[o]! + sum : sum;
    }
  }
}

/** Stores (or, accumulating, adds) four sums at c[o..o+3]; small enough for the JIT to inline. */
function put4(c: Float32Array, o: number, v0: number, v1: number, v2: number, v3: number, accumulate: boolean): void {
  if (accumulate) {
    c[o] = c[o]! + v0;
    c[o + 1] = c[o + 1]! + v1;
    c[o + 2] = c[o + 2]! + v2;
    c[o + 3] = c[o + 3]! + v3;
  } else {
    c[o] = v0;
    c[o + 1] = v1;
    c[o + 2] = v2;
    c[o + 3] = v3;
  }
}

/** [rows, cols] -> [cols, rows]. */
export function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const row = i * cols;
    for (let j = 0; j < cols; j++) out[j * rows + i] = data[row + j]!;
  }
  return out;
}

/** a · b, or a · bᵀ with transposeB. For a · b, b is transposed once (O(k·c), small next to the O(r·k·c) product). */
export function matmulFast(a: Tensor, b: Tensor, transposeB = false): Tensor {
  const rows = a.shape[0]!;
  const inner = a.shape[1]!;
  const cols = transposeB ? b.shape[0]! : b.shape[1]!;
  const bt = transposeB ? b.data : transpose(b.data, inner, cols);
  const out = new Float32Array(rows * cols);
  // Row blocks of a so that a block stays in cache while all of bᵀ streams past it.
  for (let i0 = 0; i0 < rows; i0 += ROW_BLOCK) {
    const blockRows = Math.min(ROW_BLOCK, rows - i0);
    gemmABt(a.data, i0 * inner, inner, blockRows, bt, 0, inner, cols, inner, out, i0 * cols, cols, false);
  }
  return { data: out, shape: [rows, cols] };
}

/**
 * Softmax of row `row` of `x` (entries [lo, hi) only; -Infinity is masked)
 * into the same entries of `out`, with logits multiplied by `factor`.
 * Returns false, leaving zeros, when every entry is masked.
 */
function softmaxRow(x: Float32Array, out: Float32Array, offset: number, lo: number, hi: number, factor: number): boolean {
  let max = -Infinity;
  for (let j = lo; j < hi; j++) {
    const value = x[offset + j]!;
    if (value !== -Infinity && value * factor > max) max = value * factor;
  }
  if (max === -Infinity) {
    out.fill(0, offset + lo, offset + hi);
    return false;
  }
  let sum = 0;
  for (let j = lo; j < hi; j++) {
    const value = x[offset + j]!;
    const e = value === -Infinity ? 0 : Math.exp(value * factor - max);
    out[offset + j] = e;
    sum += e;
  }
  const inv = 1 / sum;
  for (let j = lo; j < hi; j++) out[offset + j] = out[offset + j]! * inv;
  return true;
}

/** Row-wise softmax(x · scale / temperature); see softmaxReference for the conventions. */
export function softmaxFast(x: Tensor, options: SoftmaxOptions = {}): Tensor {
  const rows = x.shape[0]!;
  const cols = x.shape[1]!;
  const factor = (options.scale ?? 1) / (options.temperature ?? 1);
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) softmaxRow(x.data, out, i * cols, 0, cols, factor);
  return { data: out, shape: [rows, cols] };
}

/**
 * Attention a block of ROW_BLOCK query rows at a time: the block's scores
 * against the keys it can see (S = Q_b·Kᵀ, one gemmABt), then mask and softmax
 * row by row in place, then O_b = P·V as P·(Vᵀ)ᵀ with Vᵀ made once. Without
 * stages only a ROW_BLOCK × m scratch is held, never the n × m matrix, and
 * keys every row of the block is masked from (the future, under a causal
 * mask) are never multiplied.
 */
export function attentionFast(q: Tensor, k: Tensor, v: Tensor, options: AttentionOptions = {}): AttentionResult {
  const n = q.shape[0]!;
  const dk = q.shape[1]!;
  const m = k.shape[0]!;
  const dv = v.shape[1]!;
  const scale = options.scale ?? 1 / Math.sqrt(dk);
  const spec = options.mask ?? { kind: 'none' };
  const contiguous = isContiguous(spec);
  const allows = maskAllows(spec, n, m);
  const keepStages = options.stages ?? false;

  const output = new Float32Array(n * dv);
  const vt = transpose(v.data, m, dv);
  const scratch = new Float32Array(Math.min(ROW_BLOCK, n) * m);
  const stages = keepStages
    ? { scores: new Float32Array(n * m), scaled: new Float32Array(n * m), masked: new Float32Array(n * m), weights: new Float32Array(n * m) }
    : undefined;

  for (let i0 = 0; i0 < n; i0 += ROW_BLOCK) {
    const rows = Math.min(ROW_BLOCK, n - i0);
    // Keys any row of the block may see; stages show every score, masked or not.
    let lo = 0;
    let hi = m;
    if (!stages) {
      lo = m;
      hi = 0;
      for (let r = 0; r < rows; r++) {
        const [rowLo, rowHi] = rowRange(spec, n, m, i0 + r);
        if (rowLo < rowHi) {
          lo = Math.min(lo, rowLo);
          hi = Math.max(hi, rowHi);
        }
      }
      if (lo >= hi) continue; // the whole block sees nothing: its output rows stay 0
    }
    gemmABt(q.data, i0 * dk, dk, rows, k.data, lo * dk, dk, hi - lo, dk, scratch, lo, m, false);

    for (let r = 0; r < rows; r++) {
      const i = i0 + r;
      const offset = r * m;
      if (stages) stages.scores.set(scratch.subarray(offset, offset + m), i * m);
      // Mask in place: -Infinity outside the row's range and, for patterns
      // with holes, wherever the predicate forbids.
      const [rowLo, rowHi] = rowRange(spec, n, m, i);
      if (contiguous) {
        scratch.fill(-Infinity, offset + lo, offset + Math.max(lo, rowLo));
        scratch.fill(-Infinity, offset + Math.min(hi, rowHi), offset + hi);
      } else {
        for (let j = lo; j < hi; j++) if (j < rowLo || j >= rowHi || !allows(i, j)) scratch[offset + j] = -Infinity;
      }
      if (stages) {
        for (let j = 0; j < m; j++) {
          const scaled = stages.scores[i * m + j]! * scale;
          stages.scaled[i * m + j] = scaled;
          stages.masked[i * m + j] = scratch[offset + j] === -Infinity ? -Infinity : scaled;
        }
      }
      softmaxRow(scratch, scratch, offset, lo, hi, scale);
      if (stages) stages.weights.set(scratch.subarray(offset, offset + m), i * m);
    }
    // O_b = P·V in chunks of KEY_CHUNK keys, accumulating, so the chunk of P
    // (ROW_BLOCK × KEY_CHUNK) stays in L1 while the tiles of Vᵀ pass.
    for (let c0 = lo; c0 < hi; c0 += KEY_CHUNK) {
      gemmABt(scratch, c0, m, rows, vt, c0, m, dv, Math.min(KEY_CHUNK, hi - c0), output, i0 * dv, dv, c0 > lo);
    }
  }

  const result: AttentionResult = { output: { data: output, shape: [n, dv] } };
  if (stages) {
    result.stages = {
      scores: { data: stages.scores, shape: [n, m] },
      scaled: { data: stages.scaled, shape: [n, m] },
      masked: { data: stages.masked, shape: [n, m] },
      weights: { data: stages.weights, shape: [n, m] },
    };
  }
  return result;
}

/** √(2/π), GELU's tanh form's constant. */
export const GELU_C = Math.sqrt(2 / Math.PI);

/**
 * GELU, tanh form (Hendrycks & Gimpel 2016), as in GPT-2, in double
 * precision: the batches' CPU kernel and the models' training code.
 */
export function gelu(x: number): number {
  return 0.5 * x * (1 + Math.tanh(GELU_C * (x + 0.044715 * x * x * x)));
}

/** Layer norm of each row, (x − mean) / √(variance + ε) · gain + bias; the sums in double precision. */
export function layerNormRows(x: Float32Array, rows: number, cols: number, gain: Float32Array, bias: Float32Array, epsilon: number): Float32Array {
  const y = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    let mean = 0;
    for (let j = 0; j < cols; j++) mean += x[o + j]!;
    mean /= cols;
    let variance = 0;
    for (let j = 0; j < cols; j++) variance += (x[o + j]! - mean) ** 2;
    variance /= cols;
    const r = 1 / Math.sqrt(variance + epsilon);
    for (let j = 0; j < cols; j++) y[o + j] = (x[o + j]! - mean) * r * gain[j]! + bias[j]!;
  }
  return y;
}
