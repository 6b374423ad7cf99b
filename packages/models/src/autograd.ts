/**
 * Reverse-mode differentiation for the few operations a small transformer
 * needs, on row-major float32 matrices. Each forward operation records how to
 * send gradients back to its inputs on a tape; `tape.backward()` replays the
 * tape in reverse. Products go through the engine's CPU kernel (gemmABt), and
 * attention's forward pass is the engine's own (attentionFast): this file
 * adds only the gradients.
 */

import { attentionFast, gelu, GELU_C, gemmABt, transpose } from '@attention-guide/attention/kernels';
import type { MaskSpec } from '@attention-guide/attention';

/** A matrix and its gradient (same shape). */
export interface Var {
  readonly rows: number;
  readonly cols: number;
  readonly value: Float32Array;
  readonly grad: Float32Array;
}

export function makeVar(rows: number, cols: number, value?: Float32Array, grad?: Float32Array): Var {
  return { rows, cols, value: value ?? new Float32Array(rows * cols), grad: grad ?? new Float32Array(rows * cols) };
}

/** A sequence's rows in a packed batch: rows [start, start + length). */
export interface Span {
  start: number;
  length: number;
}

export class Tape {
  private readonly steps: Array<() => void> = [];
  record(step: () => void): void {
    this.steps.push(step);
  }
  backward(): void {
    for (let i = this.steps.length - 1; i >= 0; i--) this.steps[i]!();
    this.steps.length = 0;
  }
}

/** c (+)= a · b for a [r, k], b [k, c]. */
function matmulInto(a: Float32Array, rows: number, inner: number, b: Float32Array, cols: number, c: Float32Array, accumulate: boolean): void {
  gemmABt(a, 0, inner, rows, transpose(b, inner, cols), 0, inner, cols, inner, c, 0, cols, accumulate);
}

/** y = x · W (+ bias), W [in, out]. */
export function linear(tape: Tape | null, x: Var, w: Var, bias?: Var): Var {
  const y = makeVar(x.rows, w.cols);
  matmulInto(x.value, x.rows, x.cols, w.value, w.cols, y.value, false);
  if (bias) {
    for (let i = 0; i < y.rows; i++) for (let j = 0; j < y.cols; j++) y.value[i * y.cols + j]! += bias.value[j]!;
  }
  tape?.record(() => {
    // dx += dy · Wᵀ: rows of W are contiguous along "out", as gemmABt wants.
    gemmABt(y.grad, 0, y.cols, y.rows, w.value, 0, w.cols, w.rows, w.cols, x.grad, 0, x.cols, true);
    // dW += xᵀ · dy
    const xt = transpose(x.value, x.rows, x.cols);
    const dyt = transpose(y.grad, y.rows, y.cols);
    gemmABt(xt, 0, x.rows, x.cols, dyt, 0, y.rows, y.cols, x.rows, w.grad, 0, w.cols, true);
    if (bias) for (let i = 0; i < y.rows; i++) for (let j = 0; j < y.cols; j++) bias.grad[j]! += y.grad[i * y.cols + j]!;
  });
  return y;
}

export function add(tape: Tape | null, a: Var, b: Var): Var {
  const y = makeVar(a.rows, a.cols);
  for (let i = 0; i < y.value.length; i++) y.value[i] = a.value[i]! + b.value[i]!;
  tape?.record(() => {
    for (let i = 0; i < y.grad.length; i++) {
      a.grad[i]! += y.grad[i]!;
      b.grad[i]! += y.grad[i]!;
    }
  });
  return y;
}

/** d GELU / dx. */
function geluDerivative(x: number): number {
  const t = Math.tanh(GELU_C * (x + 0.044715 * x * x * x));
  return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_C * (1 + 3 * 0.044715 * x * x);
}

/**
 * GELU of each element, tanh form, as in GPT-2: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))),
 * the engine's own CPU kernel (so a model run through an engine batch on the
 * CPU applies the GELU it was trained with). Smooth, so finite differences
 * check it everywhere.
 */
export function geluVar(tape: Tape | null, x: Var): Var {
  const y = makeVar(x.rows, x.cols);
  for (let i = 0; i < y.value.length; i++) y.value[i] = gelu(x.value[i]!);
  tape?.record(() => {
    for (let i = 0; i < y.grad.length; i++) x.grad[i]! += y.grad[i]! * geluDerivative(x.value[i]!);
  });
  return y;
}

export const LAYER_NORM_EPSILON = 1e-5;

/** Per row: (x − mean) / sqrt(variance + ε) · gain + bias. */
export function layerNorm(tape: Tape | null, x: Var, gain: Var, bias: Var): Var {
  const { rows, cols } = x;
  const y = makeVar(rows, cols);
  const normed = new Float32Array(rows * cols);
  const rstd = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    let mean = 0;
    for (let j = 0; j < cols; j++) mean += x.value[o + j]!;
    mean /= cols;
    let variance = 0;
    for (let j = 0; j < cols; j++) variance += (x.value[o + j]! - mean) ** 2;
    variance /= cols;
    const r = 1 / Math.sqrt(variance + LAYER_NORM_EPSILON);
    rstd[i] = r;
    for (let j = 0; j < cols; j++) {
      const n = (x.value[o + j]! - mean) * r;
      normed[o + j] = n;
      y.value[o + j] = n * gain.value[j]! + bias.value[j]!;
    }
  }
  tape?.record(() => {
    for (let i = 0; i < rows; i++) {
      const o = i * cols;
      let sumG = 0;
      let sumGN = 0;
      for (let j = 0; j < cols; j++) {
        const dy = y.grad[o + j]!;
        const n = normed[o + j]!;
        gain.grad[j]! += dy * n;
        bias.grad[j]! += dy;
        const g = dy * gain.value[j]!;
        sumG += g;
        sumGN += g * n;
      }
      const r = rstd[i]!;
      for (let j = 0; j < cols; j++) {
        const g = y.grad[o + j]! * gain.value[j]!;
        x.grad[o + j]! += r * (g - sumG / cols - (normed[o + j]! * sumGN) / cols);
      }
    }
  });
  return y;
}

/** Rows table[ids[i]] + positions[i-th position within its span]. */
export function embed(tape: Tape | null, table: Var, positions: Var, ids: Int32Array, spans: readonly Span[]): Var {
  const d = table.cols;
  const y = makeVar(ids.length, d);
  const pos = new Int32Array(ids.length);
  for (const { start, length } of spans) {
    if (length > positions.rows) throw new RangeError(`A sequence of ${length} tokens is longer than the ${positions.rows} positions the model has.`);
    for (let p = 0; p < length; p++) pos[start + p] = p;
  }
  for (let i = 0; i < ids.length; i++) {
    const t = ids[i]! * d;
    const p = pos[i]! * d;
    for (let j = 0; j < d; j++) y.value[i * d + j] = table.value[t + j]! + positions.value[p + j]!;
  }
  tape?.record(() => {
    for (let i = 0; i < ids.length; i++) {
      const t = ids[i]! * d;
      const p = pos[i]! * d;
      for (let j = 0; j < d; j++) {
        const g = y.grad[i * d + j]!;
        table.grad[t + j]! += g;
        positions.grad[p + j]! += g;
      }
    }
  });
  return y;
}

/** Columns [start, start + width) of rows [row0, row0 + rows) of a matrix. */
function block(data: Float32Array, cols: number, row0: number, rows: number, start: number, width: number): Float32Array {
  const out = new Float32Array(rows * width);
  for (let i = 0; i < rows; i++) out.set(data.subarray((row0 + i) * cols + start, (row0 + i) * cols + start + width), i * width);
  return out;
}

/**
 * A penalty of `perRow` × the entropy (in nats) of every attention row, added
 * to the loss: it makes a head that spreads its weight thinly cost more than
 * one that commits to a few tokens. Which tokens is left to training.
 * `total` accumulates the penalty's value.
 */
export interface EntropyPenalty {
  perRow: number;
  total: number;
}

/** The attention weights of one head for one sequence: [queries, keys], row-major. */
export interface HeadWeights {
  queries: number;
  keys: number;
  data: Float32Array;
}

/**
 * Scaled dot-product attention for every sequence and head of a packed batch:
 * sequence s's queries (rows qSpans[s] of q) attend to its keys and values
 * (rows kvSpans[s] of k and v). Head h uses columns [h·d_k, (h+1)·d_k).
 * `weights`, when given, receives every [sequence][head] weight matrix.
 */
export function attention(
  tape: Tape | null,
  q: Var,
  k: Var,
  v: Var,
  qSpans: readonly Span[],
  kvSpans: readonly Span[],
  heads: number,
  mask: MaskSpec,
  weights?: HeadWeights[][],
  entropy?: EntropyPenalty,
): Var {
  const d = q.cols;
  const dk = d / heads;
  const scale = 1 / Math.sqrt(dk);
  const out = makeVar(q.rows, d);
  const saved: Array<{ s: number; h: number; p: Float32Array; qh: Float32Array; kh: Float32Array; vh: Float32Array }> = [];
  for (let s = 0; s < qSpans.length; s++) {
    const qs = qSpans[s]!;
    const ks = kvSpans[s]!;
    const perHead: HeadWeights[] = [];
    for (let h = 0; h < heads; h++) {
      const qh = block(q.value, d, qs.start, qs.length, h * dk, dk);
      const kh = block(k.value, d, ks.start, ks.length, h * dk, dk);
      const vh = block(v.value, d, ks.start, ks.length, h * dk, dk);
      const result = attentionFast(
        { data: qh, shape: [qs.length, dk] },
        { data: kh, shape: [ks.length, dk] },
        { data: vh, shape: [ks.length, dk] },
        { mask, scale, stages: true },
      );
      const o = result.output.data;
      for (let i = 0; i < qs.length; i++) out.value.set(o.subarray(i * dk, (i + 1) * dk), (qs.start + i) * d + h * dk);
      const p = result.stages!.weights.data;
      if (entropy) {
        for (let i = 0; i < qs.length * ks.length; i++) if (p[i]! > 0) entropy.total -= entropy.perRow * p[i]! * Math.log(p[i]!);
      }
      perHead.push({ queries: qs.length, keys: ks.length, data: p });
      if (tape) saved.push({ s, h, p, qh, kh, vh });
    }
    weights?.push(perHead);
  }
  tape?.record(() => {
    for (const { s, h, p, qh, kh, vh } of saved) {
      const n = qSpans[s]!.length;
      const m = kvSpans[s]!.length;
      const q0 = qSpans[s]!.start;
      const k0 = kvSpans[s]!.start;
      const dO = block(out.grad, d, q0, n, h * dk, dk);
      // dV = Pᵀ·dO; dP = dO·Vᵀ; dS = P ⊙ (dP − rowsum(dP ⊙ P)); dQ = dS·K·scale; dK = dSᵀ·Q·scale.
      const dS = new Float32Array(n * m);
      for (let i = 0; i < n; i++) {
        let dot = 0;
        for (let j = 0; j < m; j++) {
          let dp = 0;
          for (let c = 0; c < dk; c++) dp += dO[i * dk + c]! * vh[j * dk + c]!;
          dS[i * m + j] = dp;
          dot += dp * p[i * m + j]!;
        }
        for (let j = 0; j < m; j++) dS[i * m + j] = p[i * m + j]! * (dS[i * m + j]! - dot) * scale;
        if (entropy) {
          // d(perRow · H)/d(logit_j) = −perRow · p_j · (log p_j + H), H = −Σ p log p.
          let h = 0;
          for (let j = 0; j < m; j++) if (p[i * m + j]! > 0) h -= p[i * m + j]! * Math.log(p[i * m + j]!);
          for (let j = 0; j < m; j++) {
            const w = p[i * m + j]!;
            if (w > 0) dS[i * m + j]! -= entropy.perRow * w * (Math.log(w) + h) * scale;
          }
        }
      }
      for (let j = 0; j < m; j++) {
        const kRow = (k0 + j) * d + h * dk;
        for (let i = 0; i < n; i++) {
          const w = p[i * m + j]!;
          const ds = dS[i * m + j]!;
          if (w === 0 && ds === 0) continue;
          for (let c = 0; c < dk; c++) {
            v.grad[kRow + c]! += w * dO[i * dk + c]!;
            k.grad[kRow + c]! += ds * qh[i * dk + c]!;
          }
        }
      }
      for (let i = 0; i < n; i++) {
        const qRow = (q0 + i) * d + h * dk;
        for (let j = 0; j < m; j++) {
          const ds = dS[i * m + j]!;
          if (ds === 0) continue;
          for (let c = 0; c < dk; c++) q.grad[qRow + c]! += ds * kh[j * dk + c]!;
        }
      }
    }
  });
  return out;
}

/**
 * Mean cross-entropy of softmax(x · tableᵀ) against `targets` (a target below
 * 0 is skipped), with the output layer tied to the embedding table. Seeds the
 * backward pass: x.grad and table.grad receive d(loss).
 */
export function tiedCrossEntropy(tape: Tape | null, x: Var, table: Var, targets: Int32Array): { loss: number; logits: Float32Array } {
  const vocab = table.rows;
  const d = x.cols;
  const logits = new Float32Array(x.rows * vocab);
  gemmABt(x.value, 0, d, x.rows, table.value, 0, d, vocab, d, logits, 0, vocab, false);
  let count = 0;
  for (let i = 0; i < targets.length; i++) if (targets[i]! >= 0) count++;
  let loss = 0;
  const dLogits = new Float32Array(x.rows * vocab);
  for (let i = 0; i < x.rows; i++) {
    const t = targets[i]!;
    if (t < 0) continue;
    const o = i * vocab;
    let max = -Infinity;
    for (let j = 0; j < vocab; j++) max = Math.max(max, logits[o + j]!);
    let sum = 0;
    for (let j = 0; j < vocab; j++) sum += Math.exp(logits[o + j]! - max);
    loss += Math.log(sum) + max - logits[o + t]!;
    for (let j = 0; j < vocab; j++) dLogits[o + j] = Math.exp(logits[o + j]! - max) / sum / count;
    dLogits[o + t]! -= 1 / count;
  }
  tape?.record(() => {
    // dx += dLogits · table; d(table) += dLogitsᵀ · x
    matmulInto(dLogits, x.rows, vocab, table.value, d, x.grad, true);
    const dlt = transpose(dLogits, x.rows, vocab);
    const xt = transpose(x.value, x.rows, d);
    gemmABt(dlt, 0, x.rows, vocab, xt, 0, x.rows, d, x.rows, table.grad, 0, d, true);
  });
  return { loss: count > 0 ? loss / count : 0, logits };
}
