/**
 * Decoding with the decoder-only model one token at a time, with a key/value
 * cache, through the attention engine (and, to check it, greedy decoding that
 * recomputes the whole prefix every step). Apart from inference.ts so that a
 * page that only reads text with the model does not load it.
 */

import { Batch, KVCache, type Engine } from '@attention-guide/attention';
import { argmaxRow, decoderPass, embedRows, runDecoder, type LoadedModel } from './inference';
import type { DecoderConfig } from './model';
import { EOS } from './vocabulary';

/**
 * What a decoder-only model keeps between steps: every layer's and head's
 * keys and values of the tokens read so far, in the engine's KVCache. The
 * causal mask is what makes this valid: no earlier token's key or value can
 * change when a later one arrives.
 */
export class DecoderCache {
  /** [layer][head]: that head's cached keys and values. */
  readonly layers: KVCache[][];

  constructor(layers: number, heads: number, dk: number, dv: number) {
    this.layers = Array.from({ length: layers }, () => Array.from({ length: heads }, () => new KVCache(dk, dv)));
  }

  /** Tokens read so far: every layer and head caches one key and one value for each. */
  get length(): number {
    return this.layers[0]![0]!.length;
  }
}

/** An empty cache shaped for a decoder-only model. */
export function createDecoderCache(model: LoadedModel): DecoderCache {
  const { params } = model;
  const config = params.config as DecoderConfig;
  const width = params.get('layer0.self.wq').cols / config.heads;
  const dv = params.get('layer0.self.wv').cols / config.heads;
  return new DecoderCache(config.layers, config.heads, width, dv);
}

/** One step of cached decoding. */
export interface DecoderStep {
  /** The position of the token read (0 is <bos>); the cache now holds position + 1 tokens. */
  position: number;
  /** [vocabulary]: the logits for the token after it. */
  logits: Float32Array;
  /** [layer][head]: the weights the new token's query put on the position + 1 cached tokens. */
  weights: Float32Array[][];
}

/**
 * Reads one more token with a decoder-only model: decoderPass on one row,
 * whose queries attend to the cached keys and values with its own below
 * them, in one engine.run (on WebGPU, one submission and one readback for
 * the whole step). Nothing earlier is recomputed. Its new keys and values
 * then join the cache. The logits and weights equal row `position` of
 * runDecoder on the whole prefix, up to rounding (npm run bench:compute
 * finds no difference at all on either backend: each row goes through the
 * same kernels in the same order).
 */
export async function stepDecoder(engine: Engine, model: LoadedModel, cache: DecoderCache, id: number): Promise<DecoderStep> {
  const { params } = model;
  const config = params.config as DecoderConfig;
  const position = cache.length;
  if (cache.layers.length !== config.layers || cache.layers[0]!.length !== config.heads) {
    throw new RangeError(`This cache holds ${cache.layers.length} layers of ${cache.layers[0]!.length} heads; the model has ${config.layers} of ${config.heads}.`);
  }
  if (position >= config.maxLength) throw new RangeError(`This model reads at most ${config.maxLength} tokens; the cache is full.`);
  const batch = new Batch();
  const pass = decoderPass(batch, params, embedRows(params, 'embed', 'pos', [id], position), 1, cache.layers);
  batch.read(pass.logits);
  for (const layer of pass.layers) for (const value of [...layer.weights, ...layer.newKeys, ...layer.newValues]) batch.read(value);
  const result = await engine.run(batch);
  pass.layers.forEach((layer, l) => cache.layers[l]!.forEach((kv, h) => kv.append(result.get(layer.newKeys[h]!).data, result.get(layer.newValues[h]!).data)));
  return { position, logits: result.get(pass.logits).data, weights: pass.layers.map((layer) => layer.weights.map((w) => result.get(w).data)) };
}

/** Greedy decoding from a prompt (<bos> first): the ids read and written, and whether it stopped on <eos>. */
export interface Generation {
  ids: number[];
  finished: boolean;
}

/**
 * Greedy generation the slow way, for checking the cached one: the whole
 * prefix through runDecoder at every step, until <eos> or the model's length.
 */
export async function generateWithoutCache(engine: Engine, model: LoadedModel, prompt: readonly number[]): Promise<Generation> {
  const config = model.params.config as DecoderConfig;
  const ids = [...prompt];
  for (;;) {
    const run = await runDecoder(engine, model, ids);
    const next = argmaxRow(run.logits, ids.length - 1, config.vocab);
    if (next === EOS) return { ids, finished: true };
    if (ids.length === config.maxLength) return { ids, finished: false };
    ids.push(next);
  }
}
