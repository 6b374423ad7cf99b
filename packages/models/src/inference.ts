/**
 * Running the trained models through the attention engine, on whichever
 * backend it chose (WebGPU or the CPU): every attention layer is
 * engine.multiHeadAttention and every product engine.matmul; only the
 * embeddings, layer norms, biases and GELU are done here, element by element.
 * Decoding one token at a time with a key/value cache is in decoding.ts,
 * which uses the helpers exported below for that alone (matrix, param, norm,
 * addInto, mlp, logitsOf).
 */

import type { Engine, Tensor } from '@attention-guide/attention';
import { gelu, layerNorm, makeVar } from './autograd';
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

/** What a decoder run keeps beyond its weights, when asked. */
interface Recorded {
  projections?: HeadProjections[];
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
  { projections, outputs }: Recorded = {},
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
  outputs?.push({ name: prefix, concatenated: result.concatenated, output: result.output });
  if (projections) {
    const [qAll, kAll, vAll] = await Promise.all(
      (['wq', 'wk', 'wv'] as const).map((w) => engine.matmul(w === 'wq' ? q : kv, param(params, `${prefix}.${w}`))),
    );
    const dk = qAll!.shape[1]! / heads;
    const dv = vAll!.shape[1]! / heads;
    const keys = memory ? memory.rows : rows;
    for (let h = 0; h < heads; h++) {
      projections.push({
        name: prefix,
        head: h,
        queries: columns(qAll!.data, rows, heads * dk, h * dk, dk),
        keys: columns(kAll!.data, keys, heads * dk, h * dk, dk),
        values: columns(vAll!.data, keys, heads * dv, h * dv, dv),
      });
    }
  }
  return result.output.data;
}

/** Columns [from, from + width) of a row-major matrix, as a matrix of their own. */
function columns(data: Float32Array, rows: number, cols: number, from: number, width: number): Tensor {
  const out = new Float32Array(rows * width);
  for (let i = 0; i < rows; i++) out.set(data.subarray(i * cols + from, i * cols + from + width), i * width);
  return matrix(out, rows, width);
}

/** One attention layer as engine.multiHeadAttention returned it: the heads' outputs side by side, and their product with W_O. */
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
  recorded?: Recorded,
): Promise<void> {
  addInto(x, await attentionSublayer(engine, params, `${prefix}.self`, norm(params, `${prefix}.norm1`, x, rows), rows, null, causal, heads, out, recorded));
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

/**
 * The decoder-only model on token ids (<bos> first): next-token logits and
 * every head's weights; with `projections`, also every head's queries, keys
 * and values; with `outputs`, every layer's concatenated heads and output.
 */
export async function runDecoder(
  engine: Engine,
  model: Pick<LoadedModel, 'params'>,
  ids: readonly number[],
  options: { projections?: boolean; outputs?: boolean } = {},
): Promise<DecoderRun> {
  const { params } = model;
  const config = params.config as DecoderConfig;
  const x = embedRows(params, 'embed', 'pos', ids);
  const attention: LayerAttention[] = [];
  const recorded: Recorded = {
    ...(options.projections ? { projections: [] } : {}),
    ...(options.outputs ? { outputs: [] } : {}),
  };
  for (let l = 0; l < config.layers; l++) await block(engine, params, `layer${l}`, x, ids.length, config.heads, true, attention, undefined, recorded);
  return { logits: await logitsOf(engine, params, x, ids.length, 'embed'), attention, ...recorded };
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
