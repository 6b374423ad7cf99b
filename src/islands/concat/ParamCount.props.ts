/**
 * The parameter count's sizes: the trained decoder's (from its manifest) and
 * GPT-3 175B's (src/lib/sizes.ts), for its figure (ParamCount.astro) and its
 * custom element (/embed/param-count/props.json).
 */
import { join } from 'node:path';
import type { DecoderConfig } from '@attention-guide/models/model';
import { readManifest } from '@attention-guide/models/shipped';
import { MODELS } from '../../lib/sizes';

export async function props() {
  // The build runs from the repository root.
  const config = readManifest('decoder', join(process.cwd(), 'public', 'models')).config as DecoderConfig;
  const gpt3 = MODELS.gpt3_175b;
  return {
    trained: { dModel: config.dModel, heads: config.heads, headDim: config.dModel / config.heads, layers: config.layers },
    large: { dModel: gpt3.heads * gpt3.headDim, heads: gpt3.heads, headDim: gpt3.headDim, layers: gpt3.layers },
    largeName: gpt3.name,
    largeSource: gpt3.source,
  };
}
