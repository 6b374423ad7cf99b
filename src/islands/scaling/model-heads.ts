/**
 * The trained decoder's queries and keys for the √d_k demo: the running
 * sentence read by the model (through the engine), and each head's
 * projections kept. Loaded only when the reader picks the model as source.
 */
import type { Engine } from '@attention-guide/attention';
import { BOS } from '@attention-guide/models/data';
import { runDecoder, type LoadedModel } from '@attention-guide/models/inference';
import { encode } from '@attention-guide/models/tokenize';
import type { ModelHeads } from './scaling';

export const MODEL_SENTENCE = 'the cat sat on the mat because it was tired .';

export async function modelHeads(engine: Engine, model: LoadedModel): Promise<ModelHeads> {
  const encoded = encode(MODEL_SENTENCE, model.vocabulary['tokens']!, 63);
  if (!encoded.ok) throw new Error(encoded.message);
  const run = await runDecoder(engine, model, [BOS, ...encoded.value.ids], { projections: true });
  const heads = run.projections!.map((p) => ({ name: p.name, head: p.head, queries: p.queries, keys: p.keys }));
  return { dk: heads[0]!.queries.shape[1]!, tokens: ['<bos>', ...encoded.value.words], heads };
}
