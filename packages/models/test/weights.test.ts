import { describe, expect, it } from 'vitest';
import { rng } from '@attention-guide/attention/tensor';
import { Params, type DecoderConfig } from '../src/model';
import { decodeFinal, decodeSnapshot, encodeWeights, fromHalf, parameterCount, toHalf, WEIGHTS_FORMAT, type ModelManifest } from '../src/weights';

describe('float16', () => {
  it('round-trips exactly representable values and rounds others to the nearest half', () => {
    for (const x of [0, 1, -2, 0.5, 65504, -65504, 2 ** -14, 2 ** -24, 1.5, 0.099975586]) expect(fromHalf(toHalf(x))).toBe(Math.fround(x) === x ? x : fromHalf(toHalf(x)));
    expect(fromHalf(toHalf(1 + 2 ** -11))).toBe(1); // a tie rounds to even
    expect(fromHalf(toHalf(1 + 3 * 2 ** -11))).toBe(1 + 2 ** -9);
    expect(fromHalf(toHalf(1e6))).toBe(Infinity);
    expect(Number.isNaN(fromHalf(toHalf(NaN)))).toBe(true);
    const next = rng(5);
    for (let i = 0; i < 10_000; i++) {
      const x = (next() - 0.5) * 8;
      const y = fromHalf(toHalf(x));
      expect(Math.abs(x - y)).toBeLessThanOrEqual(Math.abs(x) * 2 ** -11 + 2 ** -25);
    }
  });
});

describe('the weights file', () => {
  const config: DecoderConfig = { kind: 'decoder', vocab: 7, dModel: 8, heads: 2, layers: 1, dFF: 16, maxLength: 5 };
  const final = Params.init(config, 1).values;
  const early = Params.init(config, 2).values;
  const { bytes, offsets } = encodeWeights(config, final, [early, final]);
  const manifest: ModelManifest = {
    format: WEIGHTS_FORMAT,
    name: 'test',
    grammarVersion: 0,
    config,
    vocabulary: {},
    tensors: [],
    file: 'test.bin',
    bytes: bytes.length,
    training: { seed: 1, steps: 1, batchSize: 1, learningRate: 1, seconds: 0 },
    final: { offset: 0, encoding: 'float16' },
    snapshots: offsets.map((offset, i) => ({ step: i, trainLoss: 0, validationLoss: 0, offset })),
  };

  it('holds the final weights to float16 precision', () => {
    const back = decodeFinal(manifest, bytes);
    expect(back).toHaveLength(parameterCount(config));
    for (let i = 0; i < final.length; i++) expect(Math.abs(back[i]! - final[i]!)).toBeLessThanOrEqual(Math.abs(final[i]!) * 2 ** -11 + 2 ** -24);
  });

  it('holds each snapshot to within half a step of its row’s 8-bit scale', () => {
    for (const [index, original] of [early, final].entries()) {
      const back = decodeSnapshot(manifest, bytes, index);
      let worst = 0;
      let largest = 0;
      for (let i = 0; i < original.length; i++) {
        worst = Math.max(worst, Math.abs(back[i]! - original[i]!));
        largest = Math.max(largest, Math.abs(original[i]!));
      }
      expect(worst).toBeGreaterThan(0);
      expect(worst).toBeLessThanOrEqual(largest / 127 / 2 + 1e-7);
    }
  });

  it('is 2 bytes a weight for the final weights and about 1 byte a weight for each snapshot', () => {
    const n = parameterCount(config);
    expect(offsets[0]).toBe(2 * n);
    expect(offsets[1]! - offsets[0]!).toBeLessThan(1.5 * n);
  });

  it('refuses a truncated file and a snapshot that does not exist', () => {
    expect(() => decodeFinal(manifest, bytes.subarray(0, 10))).toThrow(/truncated/);
    expect(() => decodeSnapshot(manifest, bytes, 5)).toThrow(/no snapshot 5/);
  });
});
