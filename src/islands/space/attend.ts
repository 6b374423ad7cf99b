/**
 * One query against the keys it may see, through the engine: scores, scaled
 * scores, weights and (where there are values) the output. The build-time
 * state and every update in the browser come from here.
 */
import type { Engine } from '@attention-guide/attention';
import type { SpaceVectors } from './vectors';

export interface Attended {
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
 */
export async function attend(
  engine: Pick<Engine, 'attention' | 'matmul'>,
  v: SpaceVectors,
  queryIndex: number,
  query: Float32Array,
  valueBasis: Float32Array | null = null,
): Promise<Attended> {
  const n = v.tokens.length;
  const visible = v.causal ? queryIndex + 1 : n;
  const keys = { data: v.keys.subarray(0, visible * v.d), shape: [visible, v.d] };
  // Attention needs a value per key; where a source has none to show, its keys stand in and the output is not shown.
  const values = v.values ? { data: v.values.subarray(0, visible * v.dv), shape: [visible, v.dv] } : keys;
  const result = await engine.attention({ data: query, shape: [1, v.d] }, keys, values, { stages: true, mask: { kind: 'none' } });
  const stages = result.stages!;
  let drawnOutput: Attended['drawnOutput'] = null;
  if (v.values) {
    const drawn = valueBasis ? (await engine.matmul(result.output, { data: valueBasis, shape: [3, v.dv] }, { transposeB: true })).data : result.output.data;
    drawnOutput = [drawn[0]!, drawn[1]!, drawn[2]!];
  }
  return {
    visible,
    scores: Array.from(stages.scores.data),
    scaled: Array.from(stages.scaled.data),
    weights: Array.from(stages.weights.data),
    output: v.values ? Array.from(result.output.data) : null,
    drawnOutput,
  };
}
