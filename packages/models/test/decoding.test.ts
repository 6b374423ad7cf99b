import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '@attention-guide/attention';
import { nodeGpu } from '../../attention/test/webgpu-support';
import { BOS, EOS } from '../src/data';
import { createDecoderCache, generateWithoutCache, stepDecoder } from '../src/decoding';
import { argmaxRow, runDecoder, type LoadedModel } from '../src/inference';
import type { DecoderConfig } from '../src/model';
import { readShipped } from '../src/shipped';
import { encode } from '../src/tokenize';

/**
 * Cached decoding against the full recomputation: reading a prefix one token
 * at a time through the KV cache must give the same logits and the same
 * attention rows as runDecoder on the whole prefix.
 */

const model: LoadedModel = readShipped('decoder');
const config = model.params.config as DecoderConfig;
const vocabulary = model.vocabulary['tokens']!;
const idsOf = (text: string) => {
  const encoded = encode(text, vocabulary, config.maxLength - 1);
  if (!encoded.ok) throw new Error(encoded.message);
  return [BOS, ...encoded.value.ids];
};

const PROMPTS = ['the cat sat on the mat because it was tired .', 'the cat', 'tom met anna and anna thanked tom .', 'the zebra sat under a green sofa'];

let cpu: Engine;
beforeAll(async () => {
  cpu = await createEngine({ prefer: 'cpu' });
});
afterAll(() => cpu.dispose());

const largest = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
};

/** Steps through `ids` with the cache; at every step compares with runDecoder on the prefix. */
async function compareWithFull(engine: Engine, ids: number[]) {
  const cache = createDecoderCache(model);
  expect(cache.length).toBe(0);
  for (let t = 0; t < ids.length; t++) {
    const step = await stepDecoder(engine, model, cache, ids[t]!);
    expect(step.position).toBe(t);
    expect(cache.length).toBe(t + 1);
    for (const layer of cache.layers) for (const head of layer) expect(head.length).toBe(t + 1);
    const full = await runDecoder(engine, model, ids.slice(0, t + 1));
    expect(largest(step.logits, full.logits.subarray(t * config.vocab, (t + 1) * config.vocab))).toBeLessThan(1e-5);
    expect(step.weights).toHaveLength(config.layers);
    step.weights.forEach((layer, l) => {
      expect(layer).toHaveLength(config.heads);
      layer.forEach((row, h) => {
        expect(row).toHaveLength(t + 1);
        expect(largest(row, full.attention[l]!.heads[h]!.subarray(t * (t + 1), (t + 1) * (t + 1)))).toBeLessThan(1e-5);
        expect(Math.abs(row.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
      });
    });
  }
}

describe('decoding with a KV cache', () => {
  for (const prompt of PROMPTS) {
    it(`gives runDecoder's logits and weight rows at every step: “${prompt}”`, async () => {
      await compareWithFull(cpu, idsOf(prompt));
    });
  }

  it('generates, greedily, the tokens that recomputing the whole prefix generates', async () => {
    for (const prompt of ['the cat', 'tom met', 'the dog was']) {
      const reference = await generateWithoutCache(cpu, model, idsOf(prompt));
      const cache = createDecoderCache(model);
      const ids = idsOf(prompt);
      let step;
      for (const id of ids) step = await stepDecoder(cpu, model, cache, id);
      for (;;) {
        const next = argmaxRow(step!.logits, 0, config.vocab);
        if (next === EOS || cache.length === config.maxLength) break;
        ids.push(next);
        step = await stepDecoder(cpu, model, cache, next);
      }
      expect(ids).toEqual(reference.ids);
      expect(reference.finished).toBe(true);
      expect(ids.length).toBeGreaterThan(idsOf(prompt).length);
    }
  });

  it('refuses a token once the cache holds the model’s whole context', async () => {
    const cache = createDecoderCache(model);
    for (let t = 0; t < config.maxLength; t++) await stepDecoder(cpu, model, cache, t === 0 ? BOS : idsOf('the')[1]!);
    expect(cache.length).toBe(config.maxLength);
    await expect(stepDecoder(cpu, model, cache, BOS)).rejects.toThrow(`at most ${config.maxLength} tokens`);
    expect(cache.length).toBe(config.maxLength);
  });
});

const gpu = await nodeGpu();
describe.skipIf(!gpu.gpu)('decoding with a KV cache on WebGPU', () => {
  it('gives runDecoder’s logits and weight rows at every step, and the CPU’s within 1e-5', async () => {
    const engine = await createEngine({ prefer: 'webgpu', gpu: gpu.gpu! });
    try {
      expect(engine.backend.kind).toBe('webgpu');
      const ids = idsOf('the cat sat on the mat .');
      await compareWithFull(engine, ids);
      const [onGpu, onCpu] = [createDecoderCache(model), createDecoderCache(model)];
      for (const id of ids) {
        const [a, b] = [await stepDecoder(engine, model, onGpu, id), await stepDecoder(cpu, model, onCpu, id)];
        expect(largest(a.logits, b.logits)).toBeLessThan(1e-5);
        a.weights.forEach((layer, l) => layer.forEach((row, h) => expect(largest(row, b.weights[l]![h]!)).toBeLessThan(1e-5)));
      }
    } finally {
      engine.dispose();
    }
  });
});
