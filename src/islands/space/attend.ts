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
  /** Σ_j a_j v_j (d_v = 3), or null where the source has no values. */
  output: number[] | null;
}

export async function attend(engine: Pick<Engine, 'attention'>, v: SpaceVectors, queryIndex: number, query: Float32Array): Promise<Attended> {
  const n = v.tokens.length;
  const visible = v.causal ? queryIndex + 1 : n;
  const keys = { data: v.keys.subarray(0, visible * v.d), shape: [visible, v.d] };
  // The decoder's values are not part of what its run hands back, so its keys
  // stand in for them: attention needs a value per key, and that output is never shown.
  const values = v.values ? { data: v.values.subarray(0, visible * 3), shape: [visible, 3] } : keys;
  const result = await engine.attention({ data: query, shape: [1, v.d] }, keys, values, { stages: true, mask: { kind: 'none' } });
  const stages = result.stages!;
  return {
    visible,
    scores: Array.from(stages.scores.data),
    scaled: Array.from(stages.scaled.data),
    weights: Array.from(stages.weights.data),
    output: v.values ? Array.from(result.output.data) : null,
  };
}
