/**
 * The trained decoder's heads as the 3D view draws them: the page's one run
 * of the decoder on the running sentence (src/lib/models.ts), each head's
 * queries, keys and values (d_k = d_v = 8) as the model computed them.
 */
import { pageDecoderHeads } from '../../lib/models';
import type { SpaceVectors } from './vectors';

export interface ModelHeads {
  /** heads[layer][head] */
  heads: SpaceVectors[][];
}

export async function loadModelHeads(): Promise<ModelHeads> {
  const { tokens, projections } = await pageDecoderHeads();
  const heads: SpaceVectors[][] = [];
  for (const p of projections) {
    const layer = Number(/^layer(\d+)\./.exec(p.name)?.[1] ?? NaN);
    if (!Number.isInteger(layer)) throw new Error(`Unexpected layer name ${p.name}`);
    (heads[layer] ??= [])[p.head] = {
      id: `model-${layer}-${p.head}`,
      tokens,
      d: p.queries.shape[1]!,
      dv: p.values.shape[1]!,
      queries: p.queries.data,
      keys: p.keys.data,
      values: p.values.data,
      causal: true,
    };
  }
  return { heads };
}
