/**
 * What the models page's "try it" box shows for a typed text: the words as
 * the models read them (unknown ones marked, a long text cut), the decoder's
 * most likely next words and the translation. Used at build time for the
 * server-rendered state and in the browser when the reader types.
 */

import type { Engine } from '@attention-guide/attention';
import { BOS } from './vocabulary';
import { runDecoder, type LoadedModel } from './inference';
import { translate } from './translation';
import type { DecoderConfig, Seq2SeqConfig } from './model';
import { encode } from './tokenize';

export interface Reading {
  words: string[];
  unknown: number[];
  cut?: string;
  /** The decoder's five most likely next words, with probabilities. */
  next: Array<{ word: string; probability: number }>;
  french: string;
  /** False when the translation hit the length limit before ending. */
  finished: boolean;
}

export type ReadingResult = { ok: true; value: Reading } | { ok: false; message: string };

export async function readText(engine: Engine, decoder: LoadedModel, translator: LoadedModel, text: string): Promise<ReadingResult> {
  const english = decoder.vocabulary['tokens']!;
  // Both models must read the same words: the shorter of their two limits applies.
  const limit = Math.min((decoder.params.config as DecoderConfig).maxLength - 1, (translator.params.config as Seq2SeqConfig).maxSourceLength);
  const encoded = encode(text, english, limit);
  if (!encoded.ok) return encoded;
  const { words, ids, unknown, cut } = encoded.value;
  const run = await runDecoder(engine, decoder, [BOS, ...ids]);
  const vocab = english.size;
  const last = run.logits.subarray(ids.length * vocab, (ids.length + 1) * vocab);
  const probabilities = (await engine.softmax({ data: Float32Array.from(last), shape: [1, vocab] })).data;
  const next = [...probabilities]
    .map((probability, id) => ({ word: english.word(id), probability }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, 5);
  const french = await translate(engine, translator, translator.vocabulary['source']!.ids(words));
  const value: Reading = { words, unknown, next, french: french.words.join(' '), finished: french.finished };
  if (cut) value.cut = cut.message;
  return { ok: true, value };
}
