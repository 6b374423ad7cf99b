/**
 * Token ids and vocabularies as the models read them, without the grammar
 * that makes the training sentences (data.ts adds Vocabulary.of, which reads
 * it): what a page needs to run a shipped model, which brings its own words.
 */
import { SPECIAL_TOKENS } from './grammar';

export const PAD = 0;
export const UNK = 1;
export const BOS = 2;
export const EOS = 3;

/** A language's words, each with an id (its index); special tokens first. */
export class Vocabulary {
  private readonly index: Map<string, number>;

  constructor(readonly words: readonly string[]) {
    SPECIAL_TOKENS.forEach((token, i) => {
      if (words[i] !== token) throw new Error(`A vocabulary must start with ${SPECIAL_TOKENS.join(' ')}; word ${i} is ${words[i]}.`);
    });
    this.index = new Map(words.map((w, i) => [w, i]));
  }

  get size(): number {
    return this.words.length;
  }

  has(word: string): boolean {
    return this.index.has(word);
  }

  /** The id of a word, or UNK. */
  id(word: string): number {
    return this.index.get(word) ?? UNK;
  }

  word(id: number): string {
    return this.words[id] ?? SPECIAL_TOKENS[UNK];
  }

  ids(words: readonly string[]): number[] {
    return words.map((w) => this.id(w));
  }
}
