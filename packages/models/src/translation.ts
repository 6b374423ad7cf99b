/**
 * The translation model through the attention engine: the encoder on the
 * English ids, and its decoder on the French ids so far, reading the
 * encoder's output; each run one engine batch (PassBuilder, inference.ts).
 * Apart from inference.ts so that a page with the decoder-only model alone
 * does not load it.
 */

import { Batch, type Engine } from '@attention-guide/attention';
import { argmaxRow, attentionOf, embedRows, matrix, PassBuilder, type DecoderRun, type LayerAttention, type LoadedModel, type PassLayer } from './inference';
import type { Seq2SeqConfig } from './model';
import { BOS, EOS } from './vocabulary';

/** The encoder on English ids: its output (the decoder's memory) and its heads' weights. One engine.run. */
export async function runEncoder(engine: Engine, model: LoadedModel, source: readonly number[]): Promise<{ memory: Float32Array; attention: LayerAttention[] }> {
  const { params } = model;
  const config = params.config as Seq2SeqConfig;
  const batch = new Batch();
  const pass = new PassBuilder(batch, params);
  let x = batch.input(matrix(embedRows(params, 'src.embed', 'src.pos', source), source.length, config.dModel), 'The embeddings');
  const layers: PassLayer[] = [];
  for (let l = 0; l < config.encoderLayers; l++) x = pass.block(`enc${l}`, x, false, layers, null);
  const memory = batch.read(pass.norm(x, 'enc.final'));
  for (const layer of layers) for (const w of layer.weights) batch.read(w);
  const result = await engine.run(batch);
  return { memory: result.get(memory).data, attention: attentionOf(layers, result) };
}

/** The decoder of the translation model on target ids (<bos> first), reading the encoder's memory. One engine.run. */
export async function runTranslationDecoder(engine: Engine, model: LoadedModel, memory: Float32Array, sourceLength: number, target: readonly number[]): Promise<DecoderRun> {
  const { params } = model;
  const config = params.config as Seq2SeqConfig;
  const batch = new Batch();
  const pass = new PassBuilder(batch, params);
  const source = batch.input(matrix(memory, sourceLength, config.dModel), "The encoder's output");
  let x = batch.input(matrix(embedRows(params, 'tgt.embed', 'tgt.pos', target), target.length, config.dModel), 'The embeddings');
  const layers: PassLayer[] = [];
  for (let l = 0; l < config.decoderLayers; l++) x = pass.block(`dec${l}`, x, true, layers, source);
  const logits = batch.read(pass.logits(x, 'tgt.embed'));
  for (const layer of layers) for (const w of layer.weights) batch.read(w);
  const result = await engine.run(batch);
  return { logits: result.get(logits).data, attention: attentionOf(layers, result) };
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
