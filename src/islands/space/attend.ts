/**
 * One query against the keys it may see, through the engine: scores, scaled
 * scores, weights and (where there are values) the output. The build-time
 * state and every update in the browser come from here.
 */
import type { Engine } from '@attention-guide/attention';
import { Batch, splitStages } from '@attention-guide/attention/batch';
import type { Tensor } from '@attention-guide/attention/tensor';
import type { SpaceVectors } from './vectors';

/** A query's move within the drawn directions: query + step · basis (step 1 × 3, basis 3 × d_k). */
export interface QueryMove {
  step: Tensor;
  basis: Tensor;
}

export interface Attended {
  /** The query attended with, d_k wide (moved, where a move was given). */
  query: number[];
  /** Keys the query sees: all of them, or 0…i under the decoder's causal mask. */
  visible: number;
  /** q · k_j for the visible keys. */
  scores: number[];
  /** q · k_j / √d_k */
  scaled: number[];
  weights: number[];
  /** Σ_j a_j v_j (d_v wide), or null where the source has no values. */
  output: number[] | null;
  /** Where the output is drawn: itself when d_v = 3, else its projection on the values' drawn directions. */
  drawnOutput: [number, number, number] | null;
}

/**
 * `valueBasis` ([3 × d_v], from the layout) projects a wider output into the
 * drawing the same way as the values, through the engine; null when d_v = 3.
 * `move` (from moveWithin) moves the query first, in the same batch.
 */
export async function attend(
  engine: Pick<Engine, 'run'>,
  v: SpaceVectors,
  queryIndex: number,
  query: Float32Array,
  valueBasis: Float32Array | null = null,
  move: QueryMove | null = null,
): Promise<Attended> {
  const n = v.tokens.length;
  const visible = v.causal ? queryIndex + 1 : n;
  const keys = { data: v.keys.subarray(0, visible * v.d), shape: [visible, v.d] };
  // Attention needs a value per key; where a source has none to show, its keys stand in and the output is not shown.
  const values = v.values ? { data: v.values.subarray(0, visible * v.dv), shape: [visible, v.dv] } : keys;
  // The query's move, the attention and the output's drawing as one batch: on WebGPU one submission and one readback.
  const batch = new Batch();
  let q = batch.input({ data: query, shape: [1, v.d] }, 'The query');
  if (move) q = batch.add(q, batch.matmul(batch.input(move.step, 'The move'), batch.input(move.basis, 'The drawn directions')));
  batch.read(q);
  const head = batch.attention(q, batch.input(keys, 'The keys'), batch.input(values, 'The values'), { stages: true });
  for (const value of Object.values(head)) batch.read(value);
  const drawing = v.values && valueBasis ? batch.read(batch.matmul(head.output, batch.input({ data: valueBasis, shape: [3, v.dv] }, 'The value basis'), { transposeB: true })) : null;
  const result = await engine.run(batch);
  const output = result.get(head.output).data;
  const stages = splitStages(result.get(head.stages));
  const drawn = drawing ? result.get(drawing).data : output;
  return {
    query: Array.from(result.get(q).data),
    visible,
    scores: Array.from(stages.scores.data),
    scaled: Array.from(stages.scaled.data),
    weights: Array.from(result.get(head.weights).data),
    output: v.values ? Array.from(output) : null,
    drawnOutput: v.values ? [drawn[0]!, drawn[1]!, drawn[2]!] : null,
  };
}
