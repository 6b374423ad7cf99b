/**
 * The two shipped models: their shapes and how they are trained. Changing
 * anything here changes the weights `npm run train` makes.
 */

import { Vocabulary } from './data';
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

/**
 * Both models are attention-only (dFF 0: no MLP blocks), so every exchange of
 * information between tokens is an attention pattern a demo can show, and
 * both read passages of one to three sentences, so that where a sentence
 * starts says nothing about where its words are. No penalty on attention
 * entropy: with weight 0.1 the translation model's exact-match fell from 100%
 * to 27% and the decoder's copying from 95% to 43%, with no head taking a
 * clearer role, so the shipped models train on the task's loss alone.
 *
 * No head of the decoder attends mostly to the previous token (HEADS.md), and
 * `npm run probe` shows that both the model's width and the grammar stand in
 * the way. Trained for 3000 steps to name the word before each position,
 * which one previous-token head does outright, this shape names it right at
 * 100% of held-out positions while its best head puts 71.2% of its weight
 * there: the heads share the job, each sharp at some positions. With heads 16
 * wide the best head reaches 80.8% (d_model 32, 2 heads) and 94.4% (d_model
 * 64, 4 heads). But trained on the grammar's next word, d_model 64 comes
 * little closer than the shipped decoder (24%, HEADS.md): its best head puts
 * 35.5% there after 6000 steps (`npm run probe -- --objective next --d-model
 * 64 --steps 6000`). Nor do the roll calls draw one out, though an induction
 * head, which would continue one, reads a previous-token head (learned
 * positions also let a model copy by position): trained on every kind for
 * 9000 steps (`--objective next --all-kinds`), the best head puts 28.6% there
 * with heads 16 wide at d_model 32 (`--heads 2`) and 37.8% at d_model 64;
 * trained on roll calls alone (`--objective next --kinds roll-call --steps
 * 6000`), 24.5%, while the model names 67.0% of held-out positions right.
 * Training longer helps little: after 15000 steps on roll calls alone,
 * 36.7%, with 67.0% of positions right again. Nor does one roll call per
 * passage (`--sentences 1,1 --steps 15000`): that model names 90.3% of the
 * held-out positions the grammar determines right (the second list's names
 * are among them; after 6000 steps it names all 2430 held-out names that
 * only the first list says), while its best head puts 24.3% on the word
 * before. Nor does a roll call that starts again from a name chosen at
 * random (experiments/roll-call-restart.patch), which the names not yet
 * said again cannot continue: the model names 1396 of the 1397 held-out
 * names only the first list says, and its best head puts 31.2% on the word
 * before (26.5% with the distance biases below). The first list sits at
 * positions 4 to 11, and there the first layer's heads share the attention
 * to the word before, each at its own positions (two heads put 49.3% and
 * 34.6% there at positions 5 to 8): the task needs the word before read,
 * and the model spreads that reading over its heads.
 * And a decoder of d_model 64 would weigh about 615 kB with 12 snapshots,
 * which with the translation model's 398 kB is over the 1 MB both may take.
 *
 * Width is not the whole story either. Given a learned bias per head and
 * distance, so that one number makes a previous-token head
 * (experiments/relative-bias.patch), this shape's best head puts 88.1% on the
 * word before when trained to name it, but 25.4% when trained on the next
 * word: the grammar's objective does not reward such a head.
 */
export function decoderPlan(): ModelPlan<DecoderConfig> {
  return {
    name: 'decoder',
    title: 'Decoder-only language model (English)',
    config: { kind: 'decoder', vocab: Vocabulary.of('en').size, dModel: 32, heads: 4, layers: 2, dFF: 0, maxLength: 64 },
    settings: {
      seed: 11,
      steps: 9000,
      batchSize: 16,
      learningRate: 3e-3,
      warmupSteps: 100,
      repetitionShare: 0.6,
      snapshots: 12,
      validationSize: 256,
      sentencesPerExample: [1, 3],
      attentionEntropy: 0,
      // Not the roll calls: continuing one needs an induction head, and with them in its
      // training this model reached 49% on them and lost accuracy on the other kinds.
      kinds: ['antecedent', 'repetition', 'phrase'],
    },
  };
}

/**
 * No head of the encoder sends "it" to the noun it refers to (HEADS.md), though
 * the model writes il or elle right in every held-out sentence. The task
 * does not ask for such a head. In every pronoun sentence the animal is the
 * subject and the object is the place. By the time the decoder writes the
 * pronoun, it has written both French nouns with their genders. So one fact
 * from the source decides the pronoun: whether the adjective fits an animal
 * or an object. Which heads carry that fact is not measured. With the
 * because-clause first in French (experiments/fronted-clause.patch), the
 * pronoun comes before both nouns: a cross-attention head then finds the
 * noun in every held-out sentence, and the encoder's best "it" head reaches
 * 40.8%, but no head aligns nouns and adjectives in 90% of cases any more.
 */
export function translatorPlan(): ModelPlan<Seq2SeqConfig> {
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
      decoderLayers: 1,
      dFF: 0,
      maxSourceLength: 64,
      maxTargetLength: 64,
    },
    settings: {
      seed: 12,
      steps: 4500,
      batchSize: 16,
      learningRate: 3e-3,
      warmupSteps: 100,
      repetitionShare: 0.3,
      snapshots: 12,
      validationSize: 256,
      sentencesPerExample: [1, 3],
      attentionEntropy: 0,
    },
  };
}
