/**
 * The two shipped models: their shapes and how they are trained. Changing
 * anything here changes the weights `npm run train` makes.
 */

import { longestSentences, Vocabulary } from './data';
import type { DecoderConfig, Seq2SeqConfig } from './model';
import type { TrainSettings } from './train';

export type ModelName = 'decoder' | 'translator';

/** The seed of the splits both models share, so their held-out sentences are the same. */
export const SPLIT_SEED = 1;

export interface ModelPlan<C> {
  name: ModelName;
  title: string;
  config: C;
  settings: TrainSettings;
}

export function decoderPlan(): ModelPlan<DecoderConfig> {
  const longest = longestSentences();
  return {
    name: 'decoder',
    title: 'Decoder-only language model (English)',
    config: { kind: 'decoder', vocab: Vocabulary.of('en').size, dModel: 32, heads: 4, layers: 2, dFF: 128, maxLength: longest.en + 2 },
    settings: { seed: 11, steps: 2400, batchSize: 32, learningRate: 3e-3, warmupSteps: 100, repetitionShare: 0.15, snapshots: 12, validationSize: 256, sentencesPerExample: [1, 3] },
  };
}

export function translatorPlan(): ModelPlan<Seq2SeqConfig> {
  const longest = longestSentences();
  return {
    name: 'translator',
    title: 'Encoder-decoder translation model (English → French)',
    config: {
      kind: 'encoder-decoder',
      sourceVocab: Vocabulary.of('en').size,
      targetVocab: Vocabulary.of('fr').size,
      dModel: 32,
      heads: 4,
      encoderLayers: 2,
      decoderLayers: 2,
      dFF: 64,
      maxSourceLength: longest.en + 2,
      maxTargetLength: longest.fr + 3,
    },
    settings: { seed: 12, steps: 1200, batchSize: 32, learningRate: 3e-3, warmupSteps: 100, repetitionShare: 0.15, snapshots: 12, validationSize: 256, sentencesPerExample: [1, 3] },
  };
}
