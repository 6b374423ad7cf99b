/**
 * Running the trained models through the attention engine, on whichever
 * backend it chose (WebGPU or the CPU). Each run is one engine batch
 * (PassBuilder: layer norms, products, every head's attention, residuals
 * and logits; on WebGPU one submission and one readback): a decoder-only
 * run here; an encoder run and a run of the translation model's decoder in
 * translation.ts, so a page with the decoder alone does not load them. Only
 * the embedding lookup is done outside the engine. Decoding one token at a
 * time with a key/value cache is in decoding.ts, which builds on decoderPass.
 */

import { Batch, concatMatrices, type BatchResult, type BatchValue, type Engine, type Tensor } from '@attention-guide/attention';
import { LAYER_NORM_EPSILON } from './autograd';
import { Vocabulary } from './vocabulary';
import { Params, type DecoderConfig } from './model';
import { decodeFinal, decodeSnapshot, type ModelManifest } from './weights';

/** A model ready to run: its manifest, weights and vocabularies. */
export interface LoadedModel {
  manifest: ModelManifest;
  params: Params;
  vocabulary: Record<string, Vocabulary>;
}

/** Builds a model from its manifest and binary file; `snapshot` picks a training snapshot instead of the final weights. */
export function loadModel(manifest: ModelManifest, bytes: Uint8Array, snapshot?: number): LoadedModel {
  const values = snapshot === undefined ? decodeFinal(manifest, bytes) : decodeSnapshot(manifest, bytes, snapshot);
  const vocabulary = Object.fromEntries(Object.entries(manifest.vocabulary).map(([role, words]) => [role, new Vocabulary(words)]));
  return { manifest, params: new Params(manifest.config, values), vocabulary };
}

/** Attention weights of one layer: one [queries × keys] matrix (row-major) per head. */
export interface LayerAttention {
  /** "layer0.self", "enc1.self", "dec0.cross", … */
  name: string;
  queries: number;
  keys: number;
  heads: Float32Array[];
}

export interface DecoderRun {
  /** [tokens × vocabulary], row-major: row i predicts token i + 1. */
  logits: Float32Array;
  attention: LayerAttention[];
  /** Each self-attention head's queries, keys and values, when asked for. */
  projections?: HeadProjections[];
  /** Each self-attention layer's heads side by side and its output, when asked for. */
  outputs?: AttentionOutputs[];
}

export const matrix = (data: Float32Array, rows: number, cols: number): Tensor => ({ data, shape: [rows, cols] });

export function param(params: Params, name: string): Tensor {
  const v = params.get(name);
  return matrix(v.value, v.rows, v.cols);
}

/** Each id's embedding plus its position's, one row per id; the first id at position `first`. */
export function embedRows(params: Params, table: string, positions: string, ids: readonly number[], first = 0): Float32Array {
  const t = params.get(table);
  const p = params.get(positions);
  const d = t.cols;
  if (first + ids.length > p.rows) throw new RangeError(`This model reads at most ${p.rows} tokens; got ${first + ids.length}.`);
  const x = new Float32Array(ids.length * d);
  ids.forEach((id, i) => {
    for (let j = 0; j < d; j++) x[i * d + j] = t.value[id * d + j]! + p.value[(first + i) * d + j]!;
  });
  return x;
}

/** One attention layer of a decoder run: the heads' outputs side by side, and their product with W_O. */
export interface AttentionOutputs {
  name: string;
  /** [queries × heads·d_v], before W_O. */
  concatenated: Tensor;
  /** [queries × d_model]: concatenated · W_O, what the layer adds to the residual stream. */
  output: Tensor;
}

/** One head's queries, keys and values in one attention layer, as the layer computed them (before the scores). */
export interface HeadProjections {
  name: string;
  head: number;
  /** [queries × d_k] */
  queries: Tensor;
  /** [keys × d_k] */
  keys: Tensor;
  /** [keys × d_v] */
  values: Tensor;
}

/** W_Q, W_K and W_V of one attention layer side by side, [d_model × (q + k + v widths)], made once per model. */
const fused = new WeakMap<Params, Map<string, { weights: Tensor; widths: [number, number, number] }>>();

function projectionWeights(params: Params, prefix: string): { weights: Tensor; widths: [number, number, number] } {
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

/** Keys and values a head has cached for earlier tokens (the engine's KVCache fits). */
export interface CachedHead {
  readonly length: number;
  keys(): Tensor;
  values(): Tensor;
}

/** One attention layer of a pass, as values of its batch. */
export interface PassLayer {
  /** "layer0.self", "enc1.self", "dec0.cross", … */
  name: string;
  /** Per head: the new tokens' queries, keys and values. */
  queries: BatchValue[];
  newKeys: BatchValue[];
  newValues: BatchValue[];
  /** Per head: the keys and values attended to (any cached ones above the new ones) and the weights. */
  keys: BatchValue[];
  values: BatchValue[];
  weights: BatchValue[];
  /** The heads side by side, and their product with W_O (what the layer adds to the residual stream). */
  concatenated: BatchValue;
  output: BatchValue;
}

/** Builds one model's ops into a batch: its weights as inputs, by name. */
export class PassBuilder {
  constructor(
    readonly batch: Batch,
    readonly params: Params,
  ) {}

  weight(name: string): BatchValue {
    return this.batch.input(param(this.params, name), name);
  }

  norm(x: BatchValue, name: string): BatchValue {
    return this.batch.layerNorm(x, this.weight(`${name}.gain`), this.weight(`${name}.bias`), LAYER_NORM_EPSILON);
  }

  /**
   * One attention layer: self-attention (Q, K and V in one product with
   * W_Q, W_K and W_V side by side) when `memory` is null, else
   * cross-attention to it. `cached`: per head, keys and values of earlier
   * tokens (the same tokens for every head), stacked above the new ones.
   */
  attention(name: string, normed: BatchValue, memory: BatchValue | null, causal: boolean, cached?: readonly CachedHead[]): PassLayer {
    const { batch, params } = this;
    const count = params.config.heads;
    let sources: [BatchValue, BatchValue, BatchValue];
    let at: [number, number, number] = [0, 0, 0];
    if (memory) {
      sources = [batch.matmul(normed, this.weight(`${name}.wq`)), batch.matmul(memory, this.weight(`${name}.wk`)), batch.matmul(memory, this.weight(`${name}.wv`))];
    } else {
      const { weights, widths } = projectionWeights(params, name);
      const qkv = batch.matmul(normed, batch.input(weights, `${name} W_Q, W_K and W_V`));
      sources = [qkv, qkv, qkv];
      at = [0, widths[0], widths[0] + widths[1]];
    }
    const dk = params.get(`${name}.wq`).cols / count;
    const dv = params.get(`${name}.wv`).cols / count;
    // Cached keys and values go above the new ones for every head at once: one stack for all the heads' keys and
    // one for their values, of which each head takes its columns. On WebGPU that is one copy of the new rows for
    // each, where a stack per head would copy once per head (batch.ts: columns are views, inputs in place).
    const length = cached?.[0]?.length ?? 0;
    let stacked: [BatchValue, BatchValue] | null = null;
    if (length > 0) {
      if (cached!.length !== count || cached!.some((head) => head.length !== length)) throw new Error(`${name}: a cache needs all ${count} heads, each with the same tokens.`);
      const stack = (cache: Tensor[], what: string, source: BatchValue, from: number, width: number) =>
        batch.concat([batch.input(concatMatrices(cache, 'columns'), what), batch.columns(source, from, width)], 'rows');
      stacked = [
        stack(cached!.map((head) => head.keys()), 'Cached keys', sources[1], at[1], count * dk),
        stack(cached!.map((head) => head.values()), 'Cached values', sources[2], at[2], count * dv),
      ];
    }
    const heads = Array.from({ length: count }, (_, h) => {
      const q = batch.columns(sources[0], at[0] + h * dk, dk);
      const k = batch.columns(sources[1], at[1] + h * dk, dk);
      const v = batch.columns(sources[2], at[2] + h * dv, dv);
      const keys = stacked ? batch.columns(stacked[0], h * dk, dk) : k;
      const values = stacked ? batch.columns(stacked[1], h * dv, dv) : v;
      return { q, k, v, keys, values, ...batch.attention(q, keys, values, causal ? { mask: { kind: 'causal' } } : {}) };
    });
    const concatenated = batch.concat(heads.map((head) => head.output), 'columns');
    return {
      name,
      queries: heads.map((head) => head.q),
      newKeys: heads.map((head) => head.k),
      newValues: heads.map((head) => head.v),
      keys: heads.map((head) => head.keys),
      values: heads.map((head) => head.values),
      weights: heads.map((head) => head.weights),
      concatenated,
      output: batch.matmul(concatenated, this.weight(`${name}.wo`)),
    };
  }

  /**
   * One block: attention (causal or not; with cross-attention to `memory`
   * after it in the translation model's decoder), each added to the
   * residual stream after a layer norm, then the MLP block if the model has
   * one. Returns the new residual stream; the layers go to `layers`.
   */
  block(prefix: string, residual: BatchValue, causal: boolean, layers: PassLayer[], memory: BatchValue | null, cached?: readonly CachedHead[]): BatchValue {
    const { batch } = this;
    const self = this.attention(`${prefix}.self`, this.norm(residual, `${prefix}.norm1`), null, causal, cached);
    layers.push(self);
    let x = batch.add(residual, self.output);
    let mlpNorm = 'norm2';
    if (memory) {
      const cross = this.attention(`${prefix}.cross`, this.norm(x, `${prefix}.norm2`), memory, false);
      layers.push(cross);
      x = batch.add(x, cross.output);
      mlpNorm = 'norm3';
    }
    if (this.params.config.dFF > 0) {
      const mlp = `${prefix}.mlp`;
      const hidden = batch.gelu(batch.add(batch.matmul(this.norm(x, `${prefix}.${mlpNorm}`), this.weight(`${mlp}.w1`)), this.weight(`${mlp}.b1`)));
      x = batch.add(x, batch.add(batch.matmul(hidden, this.weight(`${mlp}.w2`)), this.weight(`${mlp}.b2`)));
    }
    return x;
  }

  /** The final layer norm and the logits against an embedding table (the weights are tied). */
  logits(x: BatchValue, table: string): BatchValue {
    return this.batch.matmul(this.norm(x, 'final'), this.weight(table), { transposeB: true });
  }
}

/**
 * The decoder-only model on `rows` new tokens, added to a batch so the
 * engine runs it in one go (on WebGPU, one submission and one readback for
 * the whole model). `x` is their embeddings plus positions. In each layer:
 * layer norm; [Q | K | V] in one product with W_Q, W_K and W_V side by side;
 * per head, its columns, with any cached keys and values of earlier tokens
 * (`cached`, [layer][head]) above the new ones, and causal attention (query
 * i sees the keys up to its own position); the heads side by side, W_O and
 * the residual; the MLP block if the model has one. Then the final norm and
 * the logits against the embedding table. The caller reads what it needs.
 */
export function decoderPass(batch: Batch, params: Params, x: Float32Array, rows: number, cached?: readonly (readonly CachedHead[])[]): { layers: PassLayer[]; logits: BatchValue } {
  const config = params.config as DecoderConfig;
  const pass = new PassBuilder(batch, params);
  let residual = batch.input(matrix(x, rows, config.dModel), 'The embeddings');
  const layers: PassLayer[] = [];
  for (let l = 0; l < config.layers; l++) residual = pass.block(`layer${l}`, residual, true, layers, null, cached?.[l]);
  return { layers, logits: pass.logits(residual, 'embed') };
}

/** Every head's weights of a run, layer by layer. */
export function attentionOf(layers: PassLayer[], result: BatchResult): LayerAttention[] {
  return layers.map((layer) => {
    const [queries, keys] = layer.weights[0]!.shape;
    return { name: layer.name, queries, keys, heads: layer.weights.map((w) => result.get(w).data) };
  });
}

/**
 * The decoder-only model on token ids (<bos> first): next-token logits and
 * every head's weights; with `projections`, also every head's queries, keys
 * and values; with `outputs`, every layer's concatenated heads and output.
 * One engine.run of decoderPass: on WebGPU, one submission and one readback.
 */
export async function runDecoder(
  engine: Engine,
  model: Pick<LoadedModel, 'params'>,
  ids: readonly number[],
  options: { projections?: boolean; outputs?: boolean } = {},
): Promise<DecoderRun> {
  const { params } = model;
  const rows = ids.length;
  const batch = new Batch();
  const pass = decoderPass(batch, params, embedRows(params, 'embed', 'pos', ids), rows);
  batch.read(pass.logits);
  for (const layer of pass.layers) {
    const wanted = [...layer.weights, ...(options.projections ? [...layer.queries, ...layer.keys, ...layer.values] : []), ...(options.outputs ? [layer.concatenated, layer.output] : [])];
    for (const value of wanted) batch.read(value);
  }
  const result = await engine.run(batch);
  const run: DecoderRun = {
    logits: result.get(pass.logits).data,
    attention: attentionOf(pass.layers, result),
  };
  if (options.projections) {
    run.projections = pass.layers.flatMap((layer) =>
      layer.queries.map((q, head) => ({ name: layer.name, head, queries: result.get(q), keys: result.get(layer.keys[head]!), values: result.get(layer.values[head]!) })),
    );
  }
  if (options.outputs) run.outputs = pass.layers.map((layer) => ({ name: layer.name, concatenated: result.get(layer.concatenated), output: result.get(layer.output) }));
  return run;
}

/** The id with the largest logit in one row. */
export function argmaxRow(logits: Float32Array, row: number, vocab: number): number {
  let best = 0;
  for (let j = 1; j < vocab; j++) if (logits[row * vocab + j]! > logits[row * vocab + best]!) best = j;
  return best;
}

