/**
 * The trained decoder's heads on the models page's sentence, run in the
 * browser by the engine the first time a reader picks one: every head's
 * queries, keys and values (d_k = d_v = 8), as the model computed them.
 */
import type { Engine } from '@attention-guide/attention';
import { pageModel } from '../../lib/models';
import { MODEL_SENTENCE, type SpaceVectors } from './vectors';

export interface ModelHeads {
  /** heads[layer][head] */
  heads: SpaceVectors[][];
}

export async function loadModelHeads(engine: Engine): Promise<ModelHeads> {
  const [{ runDecoder }, { encode }, { BOS }, model] = await Promise.all([
    import('@attention-guide/models/inference'),
    import('@attention-guide/models/tokenize'),
    import('@attention-guide/models/data'),
    pageModel('decoder'),
  ]);
  const encoded = encode(MODEL_SENTENCE, model.vocabulary['tokens']!, 1000);
  if (!encoded.ok) throw new Error(encoded.message);
  const run = await runDecoder(engine, model, [BOS, ...encoded.value.ids], { projections: true });
  const tokens = ['<bos>', ...encoded.value.words];
  const heads: SpaceVectors[][] = [];
  for (const p of run.projections ?? []) {
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
