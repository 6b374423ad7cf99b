/**
 * Generation with a KV cache: its first state (the default prompt read into
 * the cache, one token at a time), the check against recomputing the prefix
 * and the text greedy decoding writes without the cache, computed at build
 * time by the code the browser runs, on the CPU engine. For its figure
 * (KvGeneration.astro) and its custom element (/embed/kv-generation/props.json).
 */
import { join } from 'node:path';
import { createEngine } from '@attention-guide/attention';
import { BOS } from '@attention-guide/models/data';
import { generateWithoutCache } from '@attention-guide/models/decoding';
import type { DecoderConfig } from '@attention-guide/models/model';
import { readShipped } from '@attention-guide/models/shipped';
import { encodeText } from '../tokens/reading';
import { Generation } from './generation';
import { packGeneration } from './view';
import type { Dims } from './work';

/** The prompt the figure starts from. */
const PROMPT = 'the cat';

export async function props() {
  // The build runs from the repository root (as the token explorer does).
  const model = readShipped('decoder', undefined, join(process.cwd(), 'public', 'models'));
  const config = model.manifest.config as DecoderConfig;
  const vocabulary = model.vocabulary['tokens']!;
  const encoded = encodeText(PROMPT, vocabulary.words, config.maxLength);
  if (!encoded.ok) throw new Error(encoded.message);

  const engine = await createEngine({ prefer: 'cpu' });
  const generation = await Generation.start(engine, model, encoded.value);
  const { largest } = await generation.difference(engine);
  const reference = await generateWithoutCache(engine, model, [BOS, ...encoded.value.ids]);
  engine.dispose();

  const wq = model.params.get('layer0.self.wq');
  const wv = model.params.get('layer0.self.wv');
  const dims: Dims = { layers: config.layers, heads: config.heads, dModel: config.dModel, dk: wq.cols / config.heads, dv: wv.cols / config.heads };
  return {
    initial: packGeneration(generation.view()),
    initialText: PROMPT,
    initialDifference: largest,
    reference: reference.ids.map((id) => vocabulary.word(id)),
    dims,
    context: config.maxLength,
    initialLayer: 0,
    initialHead: 2,
  };
}
