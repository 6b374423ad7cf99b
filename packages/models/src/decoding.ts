/**
 * Decoding with the decoder-only model one token at a time, with a key/value
 * cache, through the attention engine (and, to check it, greedy decoding that
 * recomputes the whole prefix every step). Apart from inference.ts so that a
 * page that only reads text with the model does not load it.
 */

import { KVCache, type Engine, type Tensor } from '@attention-guide/attention';
import { addInto, argmaxRow, logitsOf, matrix, mlp, norm, param, runDecoder, type LoadedModel } from './inference';
import type { DecoderConfig, Params } from './model';
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

const fused = new WeakMap<Params, Map<string, { weights: Tensor; widths: [number, number, number] }>>();

/** W_Q, W_K and W_V of one attention layer side by side, [d_model × (q + k + v widths)], made once per model. */
function projections(params: Params, prefix: string): { weights: Tensor; widths: [number, number, number] } {
  let layers = fused.get(params);
  if (!layers) fused.set(params, (layers = new Map()));
  let entry = layers.get(prefix);
  if (!entry) {
    const parts = (['wq', 'wk', 'wv'] as const).map((w) => params.get(`${prefix}.${w}`));
    const rows = parts[0]!.rows;
    const widths = parts.map((p) => p.cols) as [number, number, number];
    const cols = widths[0] + widths[1] + widths[2];
    const data = new Float32Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      let at = i * cols;
      for (const p of parts) {
        data.set(p.value.subarray(i * p.cols, (i + 1) * p.cols), at);
        at += p.cols;
      }
    }
    entry = { weights: matrix(data, rows, cols), widths };
    layers.set(prefix, entry);
  }
  return entry;
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
 * Reads one more token with a decoder-only model: in each layer, the new
 * token's query, key and value come from one row of projections (one
 * engine.matmul against W_Q, W_K and W_V side by side); its key and value are appended to the cache; its query
 * attends to every cached key and value (engine.attention, 1 × d_k against
 * (position + 1) × d_k), and W_O mixes the heads (engine.matmul). Nothing
 * earlier is recomputed. The logits and weights equal row `position` of
 * runDecoder on the whole prefix, up to rounding.
 */
export async function stepDecoder(engine: Engine, model: LoadedModel, cache: DecoderCache, id: number): Promise<DecoderStep> {
  const { params } = model;
  const config = params.config as DecoderConfig;
  const position = cache.length;
  if (cache.layers.length !== config.layers || cache.layers[0]!.length !== config.heads) {
    throw new RangeError(`This cache holds ${cache.layers.length} layers of ${cache.layers[0]!.length} heads; the model has ${config.layers} of ${config.heads}.`);
  }
  if (position >= config.maxLength) throw new RangeError(`This model reads at most ${config.maxLength} tokens; the cache is full.`);
  const d = config.dModel;
  const embed = params.get('embed');
  const pos = params.get('pos');
  const x = new Float32Array(d);
  for (let j = 0; j < d; j++) x[j] = embed.value[id * d + j]! + pos.value[position * d + j]!;
  const weights: Float32Array[][] = [];
  for (let l = 0; l < config.layers; l++) {
    const prefix = `layer${l}.self`;
    const h = matrix(norm(params, `layer${l}.norm1`, x, 1), 1, d);
    // The new token's query, key and value in one product: [q | k | v] = h [W_Q | W_K | W_V].
    const { weights: wqkv, widths } = projections(params, prefix);
    const qkv = (await engine.matmul(h, wqkv)).data;
    const heads = cache.layers[l]!;
    const dk = widths[0] / heads.length;
    const dv = widths[2] / heads.length;
    const [q, k, v] = [qkv.subarray(0, widths[0]), qkv.subarray(widths[0], widths[0] + widths[1]), qkv.subarray(widths[0] + widths[1])];
    heads.forEach((kv, hd) => kv.append(k.subarray(hd * dk, (hd + 1) * dk), v.subarray(hd * dv, (hd + 1) * dv)));
    // One query row against the cache: every cached key is at or before it, so nothing is masked.
    const results = await Promise.all(
      heads.map((kv, hd) => engine.attention(matrix(q.slice(hd * dk, (hd + 1) * dk), 1, dk), kv.keys(), kv.values(), { stages: true })),
    );
    const concatenated = new Float32Array(heads.length * dv);
    weights.push(
      results.map((result, hd) => {
        concatenated.set(result.output.data, hd * dv);
        return result.stages!.weights.data;
      }),
    );
    addInto(x, (await engine.matmul(matrix(concatenated, 1, concatenated.length), param(params, `${prefix}.wo`))).data);
    if (config.dFF > 0) addInto(x, await mlp(engine, params, `layer${l}.mlp`, norm(params, `layer${l}.norm2`, x, 1), 1));
  }
  return { position, logits: await logitsOf(engine, params, x, 1, 'embed'), weights };
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
