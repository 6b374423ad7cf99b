/**
 * From text a reader types to the ids a model reads, saying plainly what the
 * model cannot read: words outside its vocabulary are kept and marked
 * unknown, and a sentence longer than the model's context is cut, with a
 * message that says where.
 */

import type { Vocabulary } from './vocabulary';

/** Most characters of input looked at; anything longer is cut before splitting into words. */
export const MAX_INPUT_CHARACTERS = 2000;

/**
 * Lower-cased words and punctuation marks. Letters (any script), digits,
 * apostrophes and hyphens inside a word stay together ("s'est"); each
 * punctuation mark is its own token; anything else (emoji, symbols, markup
 * brackets) is a token of its own so that it can be shown as unknown.
 */
export function words(text: string): string[] {
  const normalised = text.slice(0, MAX_INPUT_CHARACTERS).normalize('NFC').toLowerCase().replace(/[’‘]/g, "'");
  return normalised.match(/[\p{L}\p{M}\p{N}]+(?:['-][\p{L}\p{M}\p{N}]+)*|[.,!?;:]|[^\s\p{L}\p{M}\p{N}.,!?;:]+/gu) ?? [];
}

export interface Encoded {
  /** The words the model reads, after any cut. */
  words: string[];
  ids: number[];
  /** Indices (into words) of words the model does not know; they read as <unk>. */
  unknown: number[];
  /** Set when the input was longer than the model reads. */
  cut?: { limit: number; total: number; message: string };
}

export type EncodeResult = { ok: true; value: Encoded } | { ok: false; message: string };

/**
 * Encodes a sentence for a model that reads at most `limit` words. Never
 * throws: empty input gives a message instead of a value.
 */
export function encode(text: string, vocabulary: Vocabulary, limit: number): EncodeResult {
  const all = words(text);
  if (all.length === 0) return { ok: false, message: 'Type a sentence first: there are no words to read.' };
  const kept = all.slice(0, limit);
  const ids = vocabulary.ids(kept);
  const unknown = kept.flatMap((w, i) => (vocabulary.has(w) ? [] : [i]));
  const value: Encoded = { words: kept, ids, unknown };
  if (all.length > limit) {
    value.cut = {
      limit,
      total: all.length,
      message: `The model reads at most ${limit} words; this text has ${all.length}, so it stops after “${kept[limit - 1]}” (word ${limit}).`,
    };
  }
  return { ok: true, value };
}

/** The vocabulary's words without the special tokens, grouped by first letter, for a reader to browse. */
export function browseVocabulary(vocabulary: Vocabulary): Array<{ letter: string; words: string[] }> {
  const groups = new Map<string, string[]>();
  for (const w of vocabulary.words) {
    if (w.startsWith('<')) continue;
    const letter = /^\p{L}/u.test(w) ? w[0]!.normalize('NFD')[0]!.toUpperCase() : '·';
    groups.set(letter, [...(groups.get(letter) ?? []), w]);
  }
  return [...groups].sort(([a], [b]) => a.localeCompare(b)).map(([letter, list]) => ({ letter, words: list }));
}
