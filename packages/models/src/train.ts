/**
 * Training: Adam on mini-batches drawn from the training split, with the
 * learning rate warmed up linearly and then decayed on a cosine, the gradient
 * clipped to norm 1, and snapshots of the weights along the way. Every random
 * choice comes from the seed, so a run is repeatable.
 */

import { rng } from '@attention-guide/attention/tensor';
import { languageModelExample, translationExample, trainingSplits, Vocabulary, type Passage, type Splits } from './data';
import type { SentencePair } from './grammar';
import { decoderForward, pack, Params, seq2seqForward, Tape, type DecoderConfig, type ForwardOptions, type ModelConfig, type Seq2SeqConfig } from './model';

export interface TrainSettings {
  seed: number;
  steps: number;
  batchSize: number;
  learningRate: number;
  warmupSteps: number;
  /** Share of sentences drawn from the kinds other than the pronoun sentences (which are most of the grammar), split equally between those kinds. */
  repetitionShare: number;
  /** How many snapshots to keep, the first before any step and the last after the final one. */
  snapshots: number;
  /** Validation sentences scored at each snapshot. */
  validationSize: number;
  /**
   * Sentences per training example, drawn uniformly from this range. Several
   * sentences in one context make position alone useless for finding a word,
   * so heads must find it by content or by relative position.
   */
  sentencesPerExample: [min: number, max: number];
  /** Weight of the mean attention entropy added to the training loss (see ForwardOptions); 0 for none. */
  attentionEntropy: number;
  /** The kinds of sentence the model learns from; every kind when absent. */
  kinds?: ReadonlyArray<SentencePair['kind']>;
}

export interface Snapshot {
  step: number;
  /** Mean training loss (with any entropy penalty) over the steps since the previous snapshot (at step 0: the loss of the first batch before any update). */
  trainLoss: number;
  validationLoss: number;
  values: Float32Array;
}

export interface TrainResult {
  params: Params;
  snapshots: Snapshot[];
}

/** Steps at which snapshots are taken: quadratic spacing, since heads change fastest early. */
export function snapshotSteps(steps: number, count: number): number[] {
  const out = new Set<number>();
  for (let k = 0; k < count; k++) out.add(Math.round(steps * (k / (count - 1)) ** 2));
  return [...out].sort((a, b) => a - b);
}

export function learningRateAt(settings: TrainSettings, step: number): number {
  if (step < settings.warmupSteps) return (settings.learningRate * (step + 1)) / settings.warmupSteps;
  const progress = (step - settings.warmupSteps) / Math.max(1, settings.steps - settings.warmupSteps);
  return settings.learningRate * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * progress)));
}

class Adam {
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private t = 0;
  constructor(size: number, private readonly beta1 = 0.9, private readonly beta2 = 0.98, private readonly epsilon = 1e-8) {
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
  }
  step(values: Float32Array, grads: Float32Array, learningRate: number): void {
    this.t++;
    const c1 = 1 - this.beta1 ** this.t;
    const c2 = 1 - this.beta2 ** this.t;
    for (let i = 0; i < values.length; i++) {
      const g = grads[i]!;
      const m = (this.m[i] = this.beta1 * this.m[i]! + (1 - this.beta1) * g);
      const v = (this.v[i] = this.beta2 * this.v[i]! + (1 - this.beta2) * g * g);
      values[i] = values[i]! - (learningRate * (m / c1)) / (Math.sqrt(v / c2) + this.epsilon);
    }
  }
}

/** Scales grads so their L2 norm is at most maxNorm; returns the norm before. */
function clipGradients(grads: Float32Array, maxNorm: number): number {
  let sum = 0;
  for (let i = 0; i < grads.length; i++) sum += grads[i]! * grads[i]!;
  const norm = Math.sqrt(sum);
  if (norm > maxNorm) {
    const f = maxNorm / norm;
    for (let i = 0; i < grads.length; i++) grads[i] = grads[i]! * f;
  }
  return norm;
}

/** The loss of one batch of passages, recorded on the tape when there is one. */
export type BatchLoss = (params: Params, batch: readonly Passage[], tape: Tape | null, options?: ForwardOptions) => number;

export function decoderLoss(vocab: Vocabulary): BatchLoss {
  return (params, batch, tape, options) => {
    const examples = batch.map((pair) => languageModelExample(pair, vocab));
    const input = pack(examples.map((e) => e.input));
    return decoderForward(tape, params, input, Int32Array.from(examples.flatMap((e) => e.targets)), options).loss;
  };
}

export function seq2seqLoss(source: Vocabulary, target: Vocabulary): BatchLoss {
  return (params, batch, tape, options) => {
    const examples = batch.map((pair) => translationExample(pair, source, target));
    return seq2seqForward(
      tape,
      params,
      pack(examples.map((e) => e.source)),
      pack(examples.map((e) => e.input)),
      Int32Array.from(examples.flatMap((e) => e.targets)),
      options,
    ).loss;
  };
}

export interface Progress {
  step: number;
  steps: number;
  loss: number;
  learningRate: number;
}

export function train(
  config: ModelConfig,
  settings: TrainSettings,
  loss: BatchLoss,
  splits: Splits = trainingSplits(settings.seed),
  onProgress?: (progress: Progress) => void,
): TrainResult {
  const params = Params.init(config, settings.seed);
  const learns = (p: SentencePair) => !settings.kinds || settings.kinds.includes(p.kind);
  splits = { train: splits.train.filter(learns), validation: splits.validation.filter(learns), test: splits.test.filter(learns) };
  const adam = new Adam(params.values.length);
  const next = rng(settings.seed + 1);
  // The rare kinds (everything but the pronoun sentences) share repetitionShare equally; without
  // pronoun sentences, every sentence is of a rare kind.
  const rare = [...new Set(splits.train.map((p) => p.kind))].filter((k) => k !== 'antecedent').sort().map((k) => splits.train.filter((p) => p.kind === k));
  const other = splits.train.filter((p) => p.kind === 'antecedent');
  const validation = splits.validation.slice(0, settings.validationSize);
  const pick = (list: readonly SentencePair[]) => list[Math.floor(next() * list.length)]!;
  const [fewest, most] = settings.sentencesPerExample;
  const sentence = () => (rare.length > 0 && (other.length === 0 || next() < settings.repetitionShare) ? pick(rare[Math.floor(next() * rare.length)]!) : pick(other));
  // Words a passage may hold: the model's context, less <bos> where the model reads one.
  const room = config.kind === 'decoder' ? { en: config.maxLength - 1, fr: Infinity } : { en: config.maxSourceLength, fr: config.maxTargetLength - 1 };
  const passage = (): Passage => {
    const count = fewest + Math.floor(next() * (most - fewest + 1));
    const out: SentencePair[] = [];
    let en = 0;
    let fr = 0;
    for (let k = 0; k < count; k++) {
      const pair = sentence();
      // A sentence that would overflow the context is left out (the draw still happens, so runs stay repeatable).
      if (out.length > 0 && (en + pair.en.length > room.en || fr + pair.fr.length > room.fr)) continue;
      out.push(pair);
      en += pair.en.length;
      fr += pair.fr.length;
    }
    return out;
  };
  const batchAt = (): Passage[] => Array.from({ length: settings.batchSize }, passage);
  // Validation: single sentences, as a reader types them.
  const validate = () => {
    let sum = 0;
    for (let i = 0; i < validation.length; i += 64) {
      const chunk = validation.slice(i, i + 64).map((pair) => [pair]);
      sum += loss(params, chunk, null) * chunk.length;
    }
    return sum / validation.length;
  };

  const at = snapshotSteps(settings.steps, settings.snapshots);
  const snapshots: Snapshot[] = [];
  let lossSum = 0;
  let lossCount = 0;
  for (let step = 0; step <= settings.steps; step++) {
    if (at.includes(step)) {
      const trainLoss = lossCount > 0 ? lossSum / lossCount : loss(params, batchAt(), null);
      snapshots.push({ step, trainLoss, validationLoss: validate(), values: Float32Array.from(params.values) });
      lossSum = 0;
      lossCount = 0;
    }
    if (step === settings.steps) break;
    const tape = new Tape();
    params.grads.fill(0);
    const value = loss(params, batchAt(), tape, { attentionEntropy: settings.attentionEntropy });
    tape.backward();
    clipGradients(params.grads, 1);
    const learningRate = learningRateAt(settings, step);
    adam.step(params.values, params.grads, learningRate);
    lossSum += value;
    lossCount++;
    onProgress?.({ step: step + 1, steps: settings.steps, loss: value, learningRate });
  }
  return { params, snapshots };
}

export type { DecoderConfig, Seq2SeqConfig };
