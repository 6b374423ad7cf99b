/**
 * From the grammar's sentences to what the models read: vocabularies, the
 * splits the models are trained and measured on, and token ids.
 */

import { rng } from '@attention-guide/attention/tensor';
import { allSentences, vocabulary as grammarVocabulary, type SentencePair } from './grammar';
import { BOS, EOS, Vocabulary as WordList } from './vocabulary';

export { PAD, UNK, BOS, EOS } from './vocabulary';

/** A language's words, each with an id (its index); special tokens first. Vocabulary.of gives the grammar's. */
export class Vocabulary extends WordList {
  static of(language: 'en' | 'fr'): Vocabulary {
    return new Vocabulary(grammarVocabulary(language));
  }
}

export interface Splits {
  train: SentencePair[];
  validation: SentencePair[];
  test: SentencePair[];
}

/**
 * The splits both models use. Each kind of sentence is shuffled (seeded) and
 * split on its own, so the rare kind (repetition: 480 sentences against
 * 165,888 of the pronoun kind) is in every split: 10% of each kind, at most
 * `cap`, is held out for testing, as much again for validation, and the rest
 * is training data. No sentence is in two splits.
 */
export function trainingSplits(seed: number, cap = 1000): Splits {
  const byKind = new Map<SentencePair['kind'], SentencePair[]>();
  for (const pair of allSentences()) {
    const list = byKind.get(pair.kind) ?? [];
    list.push(pair);
    byKind.set(pair.kind, list);
  }
  const next = rng(seed);
  const splits: Splits = { train: [], validation: [], test: [] };
  for (const kind of [...byKind.keys()].sort()) {
    const list = [...byKind.get(kind)!];
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
    const held = Math.min(cap, Math.ceil(list.length * 0.1));
    for (let i = 0; i < list.length; i++) (i < held ? splits.test : i < 2 * held ? splits.validation : splits.train).push(list[i]!);
  }
  return splits;
}

/** A short text: one or more sentences, one after another. */
export type Passage = readonly SentencePair[];

const asPassage = (text: SentencePair | Passage): Passage => ('en' in text ? [text] : text);

/** Decoder-only example: input <bos> w1 … wn, targets w1 … wn <eos>, the words of every sentence in turn. */
export function languageModelExample(text: SentencePair | Passage, vocab: Vocabulary): { input: number[]; targets: number[] } {
  const ids = asPassage(text).flatMap((pair) => vocab.ids(pair.en));
  return { input: [BOS, ...ids], targets: [...ids, EOS] };
}

/** Encoder-decoder example: source = the English ids; target input <bos> f1 … fm, targets f1 … fm <eos>. */
export function translationExample(text: SentencePair | Passage, source: Vocabulary, target: Vocabulary): { source: number[]; input: number[]; targets: number[] } {
  const passage = asPassage(text);
  const ids = passage.flatMap((pair) => target.ids(pair.fr));
  return { source: passage.flatMap((pair) => source.ids(pair.en)), input: [BOS, ...ids], targets: [...ids, EOS] };
}

/** Longest English and French sentences the grammar makes, in words. */
export function longestSentences(): { en: number; fr: number } {
  let en = 0;
  let fr = 0;
  for (const pair of allSentences()) {
    en = Math.max(en, pair.en.length);
    fr = Math.max(fr, pair.fr.length);
  }
  return { en, fr };
}
