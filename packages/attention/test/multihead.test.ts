import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../src/cpu/backend';
import { attentionReference, matmulReference } from '../src/cpu/reference';
import { multiHeadAttention } from '../src/multihead';
import { randn } from '../src/tensor';
import type { Tensor } from '../src/tensor';
import type { MultiHeadWeights } from '../src/types';
import { expectClose } from './helpers';

const backend = createCpuBackend('test');

function weights(dModel: number, heads: number, kvHeads: number, dk: number, dv: number, seed: number): MultiHeadWeights {
  return {
    wq: randn([dModel, heads * dk], seed, 0.3),
    wk: randn([dModel, kvHeads * dk], seed + 1, 0.3),
    wv: randn([dModel, kvHeads * dv], seed + 2, 0.3),
    wo: randn([heads * dv, dModel], seed + 3, 0.3),
  };
}

/** Columns [start, start + width) of a matrix, written out independently of multihead.ts. */
function slice(t: Tensor, start: number, width: number): Tensor {
  const [rows, cols] = [t.shape[0]!, t.shape[1]!];
  const data = new Float32Array(rows * width);
  for (let i = 0; i < rows; i++) for (let c = 0; c < width; c++) data[i * width + c] = t.data[i * cols + start + c]!;
  return { data, shape: [rows, width] };
}

/** The textbook formula, head by head, with the reference: head h reads K/V head `kvOf(h)`. */
function byHand(xq: Tensor, xkv: Tensor, w: MultiHeadWeights, heads: number, dk: number, dv: number, kvOf: (h: number) => number): Tensor {
  const q = matmulReference(xq, w.wq);
  const k = matmulReference(xkv, w.wk);
  const v = matmulReference(xkv, w.wv);
  const n = xq.shape[0]!;
  const concat = new Float32Array(n * heads * dv);
  for (let h = 0; h < heads; h++) {
    const g = kvOf(h);
    const out = attentionReference(slice(q, h * dk, dk), slice(k, g * dk, dk), slice(v, g * dv, dv)).output;
    for (let i = 0; i < n; i++) for (let c = 0; c < dv; c++) concat[i * heads * dv + h * dv + c] = out.data[i * dv + c]!;
  }
  return matmulReference({ data: concat, shape: [n, heads * dv] }, w.wo);
}

describe('multi-head attention', () => {
  it('with kvHeads = heads equals attention computed head by head (self-attention)', async () => {
    const x = randn([9, 12], 1);
    const w = weights(12, 4, 4, 3, 5, 10);
    const result = await multiHeadAttention(backend, x, x, w, { heads: 4, kvHeads: 4 });
    expectClose(result.output, byHand(x, x, w, 4, 3, 5, (h) => h));
    expect(result.concatenated.shape).toEqual([9, 20]);
    expect(result.weights).toHaveLength(4);
  });

  it('defaults kvHeads to heads', async () => {
    const x = randn([6, 8], 2);
    const w = weights(8, 2, 2, 4, 4, 20);
    expectClose((await multiHeadAttention(backend, x, x, w, { heads: 2 })).output, byHand(x, x, w, 2, 4, 4, (h) => h));
  });

  it('multi-query (kvHeads = 1) equals every head sharing one K and V', async () => {
    const x = randn([7, 10], 3);
    const w = weights(10, 5, 1, 2, 3, 30);
    const result = await multiHeadAttention(backend, x, x, w, { heads: 5, kvHeads: 1 });
    expectClose(result.output, byHand(x, x, w, 5, 2, 3, () => 0));
  });

  it('grouped-query: consecutive heads share a K/V head', async () => {
    const x = randn([7, 10], 4);
    const w = weights(10, 6, 2, 2, 3, 40);
    const result = await multiHeadAttention(backend, x, x, w, { heads: 6, kvHeads: 2, mask: { kind: 'causal' } });
    // heads 0-2 read K/V head 0, heads 3-5 read head 1; heads of a group differ only by their queries.
    const k0 = slice(matmulReference(x, w.wk), 0, 2);
    const v0 = slice(matmulReference(x, w.wv), 0, 3);
    const q2 = slice(matmulReference(x, w.wq), 2 * 2, 2);
    expectClose(result.weights[2]!, attentionReference(q2, k0, v0, { mask: { kind: 'causal' }, stages: true }).stages!.weights);
    const concat = result.concatenated;
    expectClose(slice(concat, 2 * 3, 3), attentionReference(q2, k0, v0, { mask: { kind: 'causal' } }).output);
  });

  it('cross-attention with n ≠ m gives [n, m] weights', async () => {
    const xq = randn([3, 8], 5);
    const xkv = randn([11, 8], 6);
    const w = weights(8, 2, 1, 4, 4, 50);
    const result = await multiHeadAttention(backend, xq, xkv, w, { heads: 2, kvHeads: 1 });
    expect(result.output.shape).toEqual([3, 8]);
    for (const head of result.weights) expect(head.shape).toEqual([3, 11]);
    expectClose(result.output, byHand(xq, xkv, w, 2, 4, 4, () => 0));
  });
});
