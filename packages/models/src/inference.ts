/**
 * Running the trained models through the attention engine, on whichever
 * backend it chose (WebGPU or the CPU). The decoder-only model runs as one
 * engine batch (decoderPass: layer norms, products, every head's attention,
 * residuals and logits in one submission on WebGPU). The translation model
 * runs op by op: every attention layer is engine.multiHeadAttention and
 * every product engine.matmul, with the embeddings, layer norms, biases and
 * GELU done here, element by element. Decoding one token at a time with a
 * key/value cache is in decoding.ts, which builds on decoderPass.
 */

import { Batch, type BatchValue, type Engine, type Tensor } from '@attention-guide/attention';
import { gelu, LAYER_NORM_EPSILON, layerNorm, makeVar } from './autograd';
import { BOS, EOS, Vocabulary } from './vocabulary';
import { Params, type DecoderConfig, type Seq2SeqConfig } from './model';
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

function embedRows(params: Params, table: string, positions: string, ids: readonly number[]): Float32Array {
  const t = params.get(table);
  const p = params.get(positions);
  const d = t.cols;
  if (ids.length > p.rows) throw new RangeError(`This model reads at most ${p.rows} tokens; got ${ids.length}.`);
  const x = new Float32Array(ids.length * d);
  ids.forEach((id, i) => {
    for (let j = 0; j < d; j++) x[i * d + j] = t.value[id * d + j]! + p.value[i * d + j]!;
  });
  return x;
}

export function norm(params: Params, name: string, x: Float32Array, rows: number): Float32Array {
  const gain = params.get(`${name}.gain`);
  return layerNorm(null, makeVar(rows, gain.cols, x), gain, params.get(`${name}.bias`)).value;
}

export function addInto(x: Float32Array, y: Float32Array): void {
  for (let i = 0; i < x.length; i++) x[i] = x[i]! + y[i]!;
}

function addBias(x: Float32Array, bias: Float32Array): void {
  for (let i = 0; i < x.length; i++) x[i] = x[i]! + bias[i % bias.length]!;
}

async function attentionSublayer(
  engine: Engine,
  params: Params,
  prefix: string,
  xq: Float32Array,
  rows: number,
  memory: { data: Float32Array; rows: number } | null,
  causal: boolean,
  heads: number,
  out: LayerAttention[],
): Promise<Float32Array> {
  const d = params.get(`${prefix}.wq`).rows;
  const q = matrix(xq, rows, d);
  const kv = memory ? matrix(memory.data, memory.rows, d) : q;
  const result = await engine.multiHeadAttention(
    q,
    kv,
    { wq: param(params, `${prefix}.wq`), wk: param(params, `${prefix}.wk`), wv: param(params, `${prefix}.wv`), wo: param(params, `${prefix}.wo`) },
    { heads, mask: causal ? { kind: 'causal' } : { kind: 'none' } },
  );
  out.push({ name: prefix, queries: rows, keys: memory ? memory.rows : rows, heads: result.weights.map((w) => w.data) });
  return result.output.data;
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

export async function mlp(engine: Engine, params: Params, prefix: string, h: Float32Array, rows: number): Promise<Float32Array> {
  const d = params.get(`${prefix}.w1`).rows;
  const hidden = (await engine.matmul(matrix(h, rows, d), param(params, `${prefix}.w1`))).data;
  addBias(hidden, params.get(`${prefix}.b1`).value);
  for (let i = 0; i < hidden.length; i++) hidden[i] = gelu(hidden[i]!);
  const y = (await engine.matmul(matrix(hidden, rows, hidden.length / rows), param(params, `${prefix}.w2`))).data;
  addBias(y, params.get(`${prefix}.b2`).value);
  return y;
}

async function block(
  engine: Engine,
  params: Params,
  prefix: string,
  x: Float32Array,
  rows: number,
  heads: number,
  causal: boolean,
  out: LayerAttention[],
  memory?: { data: Float32Array; rows: number },
): Promise<void> {
  addInto(x, await attentionSublayer(engine, params, `${prefix}.self`, norm(params, `${prefix}.norm1`, x, rows), rows, null, causal, heads, out));
  let mlpNorm = 'norm2';
  if (memory) {
    addInto(x, await attentionSublayer(engine, params, `${prefix}.cross`, norm(params, `${prefix}.norm2`, x, rows), rows, memory, false, heads, out));
    mlpNorm = 'norm3';
  }
  if (params.config.dFF > 0) addInto(x, await mlp(engine, params, `${prefix}.mlp`, norm(params, `${prefix}.${mlpNorm}`, x, rows), rows));
}

export async function logitsOf(engine: Engine, params: Params, x: Float32Array, rows: number, table: string): Promise<Float32Array> {
  const out = norm(params, 'final', x, rows);
  const t = params.get(table);
  return (await engine.matmul(matrix(out, rows, t.cols), param(params, table), { transposeB: true })).data;
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

/** One self-attention layer of a decoder pass, as values of its batch. */
export interface PassLayer {
  name: string;
  /** Per head: the new tokens' queries, keys and values. */
  queries: BatchValue[];
  newKeys: BatchValue[];
  newValues: BatchValue[];
  /** Per head: the keys and values attended to (the cached ones above the new ones) and the weights. */
  keys: BatchValue[];
  values: BatchValue[];
  weights: BatchValue[];
  /** The heads side by side, and their product with W_O (what the layer adds to the residual stream). */
  concatenated: BatchValue;
  output: BatchValue;
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
  const input = (name: string) => batch.input(param(params, name), name);
  const normed = (at: BatchValue, name: string) => batch.layerNorm(at, input(`${name}.gain`), input(`${name}.bias`), LAYER_NORM_EPSILON);
  let residual = batch.input(matrix(x, rows, config.dModel), 'The embeddings');
  const layers: PassLayer[] = [];
  for (let l = 0; l < config.layers; l++) {
    const name = `layer${l}.self`;
    const { weights: wqkv, widths } = projectionWeights(params, name);
    const qkv = batch.matmul(normed(residual, `layer${l}.norm1`), batch.input(wqkv, `${name} W_Q, W_K and W_V`));
    const dk = widths[0] / config.heads;
    const dv = widths[2] / config.heads;
    const layer: PassLayer = { name, queries: [], newKeys: [], newValues: [], keys: [], values: [], weights: [], concatenated: qkv, output: qkv };
    const outputs: BatchValue[] = [];
    for (let h = 0; h < config.heads; h++) {
      const q = batch.columns(qkv, h * dk, dk);
      const k = batch.columns(qkv, widths[0] + h * dk, dk);
      const v = batch.columns(qkv, widths[0] + widths[1] + h * dv, dv);
      const before = cached?.[l]?.[h];
      const keys = before?.length ? batch.concat([batch.input(before.keys(), 'Cached keys'), k], 'rows') : k;
      const values = before?.length ? batch.concat([batch.input(before.values(), 'Cached values'), v], 'rows') : v;
      const head = batch.attention(q, keys, values, { mask: { kind: 'causal' } });
      layer.queries.push(q);
      layer.newKeys.push(k);
      layer.newValues.push(v);
      layer.keys.push(keys);
      layer.values.push(values);
      layer.weights.push(head.weights);
      outputs.push(head.output);
    }
    layer.concatenated = batch.concat(outputs, 'columns');
    layer.output = batch.matmul(layer.concatenated, input(`${name}.wo`));
    residual = batch.add(residual, layer.output);
    if (config.dFF > 0) {
      const mlp = `layer${l}.mlp`;
      const hidden = batch.gelu(batch.add(batch.matmul(normed(residual, `layer${l}.norm2`), input(`${mlp}.w1`)), input(`${mlp}.b1`)));
      residual = batch.add(residual, batch.add(batch.matmul(hidden, input(`${mlp}.w2`)), input(`${mlp}.b2`)));
    }
    layers.push(layer);
  }
  return { layers, logits: batch.matmul(normed(residual, 'final'), input('embed'), { transposeB: true }) };
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
    attention: pass.layers.map((layer) => ({ name: layer.name, queries: rows, keys: rows, heads: layer.weights.map((w) => result.get(w).data) })),
  };
  if (options.projections) {
    run.projections = pass.layers.flatMap((layer) =>
      layer.queries.map((q, head) => ({ name: layer.name, head, queries: result.get(q), keys: result.get(layer.keys[head]!), values: result.get(layer.values[head]!) })),
    );
  }
  if (options.outputs) run.outputs = pass.layers.map((layer) => ({ name: layer.name, concatenated: result.get(layer.concatenated), output: result.get(layer.output) }));
  return run;
}

/** The encoder on English ids: its output (the decoder's memory) and its heads' weights. */
export async function runEncoder(engine: Engine, model: LoadedModel, source: readonly number[]): Promise<{ memory: Float32Array; attention: LayerAttention[] }> {
  const { params } = model;
  const config = params.config as Seq2SeqConfig;
  const x = embedRows(params, 'src.embed', 'src.pos', source);
  const attention: LayerAttention[] = [];
  for (let l = 0; l < config.encoderLayers; l++) await block(engine, params, `enc${l}`, x, source.length, config.heads, false, attention);
  return { memory: norm(params, 'enc.final', x, source.length), attention };
}

/** The decoder of the translation model on target ids (<bos> first), reading the encoder's memory. */
export async function runTranslationDecoder(engine: Engine, model: LoadedModel, memory: Float32Array, sourceLength: number, target: readonly number[]): Promise<DecoderRun> {
  const { params } = model;
  const config = params.config as Seq2SeqConfig;
  const x = embedRows(params, 'tgt.embed', 'tgt.pos', target);
  const attention: LayerAttention[] = [];
  for (let l = 0; l < config.decoderLayers; l++) {
    await block(engine, params, `dec${l}`, x, target.length, config.heads, true, attention, { data: memory, rows: sourceLength });
  }
  return { logits: await logitsOf(engine, params, x, target.length, 'tgt.embed'), attention };
}

export interface Translation {
  /** French words, without <bos> and <eos>. */
  words: string[];
  /** True when the model stopped on <eos>; false when it hit its length limit. */
  finished: boolean;
  /** The encoder's output, for reading the decoder again (on other target words) without re-encoding. */
  memory: Float32Array;
  /** Encoder self-attention, then the decoder's self- and cross-attention over <bos> + the words. */
  encoder: LayerAttention[];
  decoder: LayerAttention[];
}

function argmaxRow(logits: Float32Array, row: number, vocab: number): number {
  let best = 0;
  for (let j = 1; j < vocab; j++) if (logits[row * vocab + j]! > logits[row * vocab + best]!) best = j;
  return best;
}

/** Greedy translation of English ids into French: the most likely word at each step, until <eos>. */
export async function translate(engine: Engine, model: LoadedModel, source: readonly number[]): Promise<Translation> {
  const config = model.params.config as Seq2SeqConfig;
  const target = model.vocabulary['target']!;
  const { memory, attention: encoder } = await runEncoder(engine, model, source);
  const ids = [BOS];
  let finished = false;
  let run = await runTranslationDecoder(engine, model, memory, source.length, ids);
  while (ids.length < config.maxTargetLength) {
    const next = argmaxRow(run.logits, ids.length - 1, target.size);
    if (next === EOS) {
      finished = true;
      break;
    }
    ids.push(next);
    run = await runTranslationDecoder(engine, model, memory, source.length, ids);
  }
  return { words: ids.slice(1).map((id) => target.word(id)), finished, memory, encoder, decoder: run.attention };
}

export { argmaxRow };
