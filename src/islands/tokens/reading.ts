/**
 * The decoder-only model reading one sentence, for the token explorer: the
 * same code at build time (in Node, on the CPU) and in the reader's browser
 * (WebGPU or the CPU). The model runs through the attention engine; this
 * only encodes the text and keeps the visible part of each head's weights.
 */
import type { Engine } from '@attention-guide/attention';
import { BOS, Vocabulary } from '@attention-guide/models/vocabulary';
import { runDecoder, type LoadedModel } from '@attention-guide/models/inference';
import { encode, type Encoded, type EncodeResult } from '@attention-guide/models/tokenize';
import { maskedMax, visibleRows, type Reading } from './packed';

const vocabularies = new WeakMap<readonly string[], Vocabulary>();

/**
 * Words and ids for a text, or a message when there is nothing to read.
 * `context` counts <bos>, so at most context - 1 words are kept.
 */
export function encodeText(text: string, vocabulary: readonly string[], context: number): EncodeResult {
  let known = vocabularies.get(vocabulary);
  if (!known) {
    known = new Vocabulary(vocabulary);
    vocabularies.set(vocabulary, known);
  }
  return encode(text, known, context - 1);
}

/** Runs the decoder on <bos> and the encoded words; every head's weights, visible part only. */
export async function readEncoded(engine: Engine, model: LoadedModel, encoded: Encoded): Promise<Reading> {
  const run = await runDecoder(engine, model, [BOS, ...encoded.ids]);
  const tokens = encoded.ids.length + 1;
  return {
    words: encoded.words,
    unknown: encoded.unknown,
    ...(encoded.cut ? { cut: encoded.cut.message } : {}),
    weights: run.attention.map((layer) => layer.heads.map((matrix) => visibleRows(matrix, tokens))),
    maskedMax: Math.max(...run.attention.flatMap((layer) => layer.heads.map((matrix) => maskedMax(matrix, tokens)))),
  };
}
