import { describe, expect, it } from 'vitest';
import { trainingSplits, Vocabulary } from '../src/data';
import type { DecoderConfig, Seq2SeqConfig } from '../src/model';
import { decoderLoss, learningRateAt, seq2seqLoss, snapshotSteps, train, type TrainSettings } from '../src/train';

const en = Vocabulary.of('en');
const fr = Vocabulary.of('fr');
const splits = trainingSplits(1);
const settings: TrainSettings = {
  seed: 3,
  steps: 30,
  batchSize: 8,
  learningRate: 1e-2,
  warmupSteps: 5,
  repetitionShare: 0.3,
  snapshots: 4,
  validationSize: 32,
  sentencesPerExample: [1, 3],
  attentionEntropy: 0,
};
const decoder: DecoderConfig = { kind: 'decoder', vocab: en.size, dModel: 16, heads: 2, layers: 1, dFF: 0, maxLength: 64 };
const translator: Seq2SeqConfig = {
  kind: 'encoder-decoder',
  sourceVocab: en.size,
  targetVocab: fr.size,
  dModel: 16,
  heads: 2,
  encoderLayers: 1,
  decoderLayers: 1,
  dFF: 16,
  maxSourceLength: 64,
  maxTargetLength: 64,
};

describe('training', () => {
  it('is deterministic for a seed, and another seed gives other weights', () => {
    const a = train(decoder, settings, decoderLoss(en), splits);
    const b = train(decoder, settings, decoderLoss(en), splits);
    expect(Buffer.from(a.params.values.buffer).equals(Buffer.from(b.params.values.buffer))).toBe(true);
    const c = train(decoder, { ...settings, seed: 4 }, decoderLoss(en), splits);
    expect(Buffer.from(a.params.values.buffer).equals(Buffer.from(c.params.values.buffer))).toBe(false);
  });

  it('lowers the validation loss of both kinds of model, and keeps the asked snapshots', () => {
    for (const [config, loss] of [
      [decoder, decoderLoss(en)],
      [translator, seq2seqLoss(en, fr)],
    ] as const) {
      const result = train(config, settings, loss, splits);
      expect(result.snapshots.map((s) => s.step)).toEqual(snapshotSteps(30, 4));
      expect(result.snapshots[0]!.values).not.toEqual(result.params.values);
      expect(result.snapshots.at(-1)!.values).toEqual(result.params.values);
      expect(result.snapshots.at(-1)!.validationLoss).toBeLessThan(result.snapshots[0]!.validationLoss * 0.8);
    }
  });

  it('learns from the kinds it is given, pronoun sentences or not', () => {
    const seen: string[] = [];
    const loss = decoderLoss(en);
    train(decoder, { ...settings, steps: 5, kinds: ['roll-call'] }, (params, batch, tape, options) => {
      seen.push(...batch.flat().map((pair) => pair.kind));
      return loss(params, batch, tape, options);
    }, splits);
    expect(seen.length).toBeGreaterThan(5 * settings.batchSize);
    expect(new Set(seen)).toEqual(new Set(['roll-call']));
  });

  it('warms the learning rate up, then decays it to a tenth', () => {
    const s = { ...settings, steps: 100, warmupSteps: 10, learningRate: 1 };
    expect(learningRateAt(s, 0)).toBeCloseTo(0.1);
    expect(learningRateAt(s, 9)).toBeCloseTo(1);
    expect(learningRateAt(s, 100)).toBeCloseTo(0.1);
    expect(snapshotSteps(1000, 12)).toHaveLength(12);
    expect(snapshotSteps(1000, 12)[1]).toBeLessThan(20);
  });
});
