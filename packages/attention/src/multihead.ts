import { AttentionError } from './errors';
import type { Tensor } from './tensor';
import type { Backend, MultiHeadOptions, MultiHeadResult, MultiHeadWeights } from './types';
import { validateMultiHead } from './validate';

/**
 * Multi-head attention on any backend:
 *   Q = X_q W_Q, K = X_kv W_K, V = X_kv W_V            (backend.matmul)
 *   head h: attention(Q_h, K_g, V_g), g = ⌊h / (heads / kvHeads)⌋
 *   output = concat(head_0 … head_{heads−1}) W_O       (backend.matmul)
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
  const { n, heads, kvHeads, dk, dv } = validateMultiHead(xq, xkv, weights, options);
  const [q, k, v] = await Promise.all([backend.matmul(xq, weights.wq), backend.matmul(xkv, weights.wk), backend.matmul(xkv, weights.wv)]);

  const keys = Array.from({ length: kvHeads }, (_, g) => columns(k, g * dk, dk));
  const values = Array.from({ length: kvHeads }, (_, g) => columns(v, g * dv, dv));
  const group = heads / kvHeads;
  const attentionOptions = options.mask ? { mask: options.mask, stages: true } : { stages: true };
  const results = await Promise.all(
    Array.from({ length: heads }, (_, h) => {
      const g = Math.floor(h / group);
      return backend.attention(columns(q, h * dk, dk), keys[g]!, values[g]!, attentionOptions);
    }),
  );

  const concatenated = new Float32Array(n * heads * dv);
  const headWeights: Tensor[] = [];
  results.forEach((result, h) => {
    for (let i = 0; i < n; i++) {
      concatenated.set(result.output.data.subarray(i * dv, (i + 1) * dv), i * heads * dv + h * dv);
    }
    if (!result.stages) throw new AttentionError('BACKEND_FAILED', `The ${backend.info.kind} backend returned no stages for head ${h}, though they were asked for.`, { head: h });
    headWeights.push(result.stages.weights);
  });
  const concat: Tensor = { data: concatenated, shape: [n, heads * dv] };
  const output = await backend.matmul(concat, weights.wo);
  return { output, weights: headWeights, concatenated: concat };
}

/** Columns [start, start + width) of a matrix, as a new [rows, width] matrix. */
function columns(t: Tensor, start: number, width: number): Tensor {
  const rows = t.shape[0]!;
  const cols = t.shape[1]!;
  const out = new Float32Array(rows * width);
  for (let i = 0; i < rows; i++) out.set(t.data.subarray(i * cols + start, i * cols + start + width), i * width);
  return { data: out, shape: [rows, width] };
}
