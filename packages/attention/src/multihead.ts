import { Batch, runBatch, type BatchValue } from './batch';
import type { Tensor } from './tensor';
import type { Backend, MultiHeadOptions, MultiHeadResult, MultiHeadWeights } from './types';
import { validateMultiHead } from './validate';

/**
 * Multi-head attention on any backend, as one batch (batch.ts: on WebGPU,
 * one submission and one readback):
 *   Q = X_q W_Q, K = X_kv W_K, V = X_kv W_V
 *   head h: attention(Q_h, K_g, V_g), g = ⌊h / (heads / kvHeads)⌋
 *   output = concat(head_0 … head_{heads−1}) W_O
 * Self-attention when xq === xkv; cross-attention (n ≠ m allowed) otherwise.
 * kvHeads = heads is classic multi-head, 1 is multi-query (MQA), anything
 * between that divides heads is grouped-query (GQA): consecutive query heads
 * share one key/value head.
 */
export async function multiHeadAttention(
  backend: Backend,
  xq: Tensor,
  xkv: Tensor,
  weights: MultiHeadWeights,
  options: MultiHeadOptions,
): Promise<MultiHeadResult> {
  const { heads, kvHeads, dk, dv } = validateMultiHead(xq, xkv, weights, options);
  const batch = new Batch();
  const input = (t: Tensor, what: string) => batch.input(t, what);
  const xqValue = input(xq, 'X_q');
  const xkvValue = xkv === xq ? xqValue : input(xkv, 'X_kv');
  const q = batch.matmul(xqValue, input(weights.wq, 'W_Q'));
  const k = batch.matmul(xkvValue, input(weights.wk, 'W_K'));
  const v = batch.matmul(xkvValue, input(weights.wv, 'W_V'));
  const keys = Array.from({ length: kvHeads }, (_, g) => batch.columns(k, g * dk, dk));
  const values = Array.from({ length: kvHeads }, (_, g) => batch.columns(v, g * dv, dv));
  const group = heads / kvHeads;
  const outputs: BatchValue[] = [];
  const headWeights: BatchValue[] = [];
  for (let h = 0; h < heads; h++) {
    const g = Math.floor(h / group);
    const head = batch.attention(batch.columns(q, h * dk, dk), keys[g]!, values[g]!, options.mask ? { mask: options.mask } : {});
    outputs.push(head.output);
    headWeights.push(batch.read(head.weights));
  }
  const concatenated = batch.read(batch.concat(outputs, 'columns'));
  const output = batch.read(batch.matmul(concatenated, input(weights.wo, 'W_O')));
  const result = await runBatch(backend, batch);
  return { output: result.get(output), weights: headWeights.map((w) => result.get(w)), concatenated: result.get(concatenated) };
}
