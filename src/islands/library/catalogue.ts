/**
 * The library search: a small invented catalogue over five topics, a word
 * list that turns a typed query into a vector over the same topics, and one
 * call to the engine that matches the query against the books' keys and
 * mixes their values. Shared by the build (the first state) and the browser.
 */
import type { Engine } from '@attention-guide/attention';
import { tensor } from '@attention-guide/attention/tensor';
import { shortest } from '../../lib/float32';

export const TOPICS = ['cats', 'cooking', 'space', 'history', 'gardening'] as const;
export type Topic = (typeof TOPICS)[number];

export interface Book {
  title: string;
  /** What the title and tags advertise: how strongly each topic is promised, 0 to 6. */
  key: readonly number[];
  /** What the book actually contains: the share of its pages on each topic (sums to 1). */
  value: readonly number[];
  /** Said where the title promises more than, or other than, the contents. */
  note?: string;
}

// Columns follow TOPICS: cats, cooking, space, history, gardening.
export const BOOKS: readonly Book[] = [
  { title: 'Cats of Rome', key: [6, 0, 0, 3, 0], value: [0.6, 0, 0, 0.4, 0] },
  {
    title: 'Cooking with Cats',
    key: [5, 5, 0, 0, 0],
    value: [0.1, 0.9, 0, 0, 0],
    note: 'A cookbook: the cat is on the cover and in the foreword.',
  },
  {
    title: 'Moon Gardens',
    key: [0, 0, 4, 0, 5],
    value: [0, 0, 0, 0, 1],
    note: 'About flowers that open at night; nothing about the Moon.',
  },
  { title: 'A History of the Stars', key: [0, 0, 6, 4, 0], value: [0, 0, 0.5, 0.5, 0] },
  { title: 'The Kitchen Garden', key: [0, 3, 0, 0, 6], value: [0, 0.4, 0, 0, 0.6] },
  { title: 'Roman Feasts', key: [0, 4, 0, 5, 0], value: [0, 0.5, 0, 0.5, 0] },
];

/** The words the search understands, by topic. Every other word is ignored, and listed as such. */
export const WORDS: Record<Topic, readonly string[]> = {
  cats: ['cat', 'cats', 'kitten', 'kittens', 'feline'],
  cooking: ['cook', 'cooking', 'recipes', 'food', 'dinner', 'kitchen'],
  space: ['space', 'stars', 'moon', 'planets', 'rocket'],
  history: ['history', 'ancient', 'rome', 'roman', 'kings'],
  gardening: ['garden', 'gardening', 'flowers', 'plants', 'vegetables'],
};

const TOPIC_OF = new Map<string, Topic>(TOPICS.flatMap((topic) => WORDS[topic].map((word) => [word, topic] as const)));

/** Searches to pick from; the first is the one the page opens with. */
export const PRESETS = ['the history of the stars', 'kittens', 'moon flowers', 'what to cook for dinner', 'ancient rome'] as const;

/** Longer queries are cut here, and the reader is told. */
export const MAX_WORDS = 40;

/** Softmax temperatures on offer; the formula's own, √d_k = √5, is the default. */
export const TEMPERATURES = [0.25, 0.5, 1, Math.sqrt(TOPICS.length), 4, 8] as const;
export const DEFAULT_TEMPERATURE = 3;

export interface QueryWord {
  word: string;
  topic: Topic | null;
}

export type ParsedQuery =
  | {
      ok: true;
      words: QueryWord[];
      /** Words in the text before the cut at MAX_WORDS (equal to words.length when nothing was cut). */
      total: number;
      /** The query vector: each topic's share of the understood words. */
      query: number[];
    }
  | { ok: false; message: string; words: QueryWord[] };

/**
 * Reads a query as plain text: anything that looks like markup is dropped,
 * words are runs of letters and digits in any script, lower-cased, and each
 * understood word adds one to its topic. The query is each topic's share, so
 * a longer query is no sharper than a short one.
 */
export function parseQuery(text: string): ParsedQuery {
  const plain = text.replace(/<[^>]*>/g, ' ');
  const all = plain.match(/[\p{L}\p{N}]+/gu) ?? [];
  if (all.length === 0) {
    return { ok: false, message: 'There are no words to search for. Type a word such as “cats”, or pick one of the searches above.', words: [] };
  }
  const words = all.slice(0, MAX_WORDS).map((raw) => {
    const word = raw.toLowerCase();
    return { word, topic: TOPIC_OF.get(word) ?? null };
  });
  const counts = TOPICS.map((topic) => words.filter((w) => w.topic === topic).length);
  const known = counts.reduce((a, b) => a + b, 0);
  if (known === 0) {
    const unique = [...new Set(words.map((w) => w.word))];
    // Each word in isolates (U+2068 … U+2069), so right-to-left words do not reorder the sentence around them.
    const listed = unique.slice(0, 5).map((w) => `\u2068${shorten(w)}\u2069`).join(', ') + (unique.length > 5 ? ` and ${unique.length - 5} more` : '');
    return {
      ok: false,
      message: `None of these words (${listed}) is in the search’s word list, so there is nothing to match. The list is under “Words the search understands”.`,
      words,
    };
  }
  return { ok: true, words, total: all.length, query: counts.map((c) => c / known) };
}

/** A word as shown: at most 24 characters, so a pasted run of letters cannot stretch the page. */
export function shorten(word: string): string {
  const chars = [...word];
  return chars.length > 24 ? `${chars.slice(0, 23).join('')}…` : word;
}

/**
 * One search as shown. The words and the query vector are not kept: they
 * follow from the text (parseQuery), which keeps the page's HTML short.
 */
export interface SearchView {
  /** The text searched for; it always parses. */
  text: string;
  temperatureIndex: number;
  /** Per book: q · k divided by the temperature (what the softmax gets), and the weight. */
  scaled: number[];
  weights: number[];
  /** The weighted mix of the books' values, over TOPICS. */
  answer: number[];
}

const KEYS = tensor(BOOKS.flatMap((b) => b.key), [BOOKS.length, TOPICS.length]);
const VALUES = tensor(BOOKS.flatMap((b) => b.value), [BOOKS.length, TOPICS.length]);


/** One attention call: the query against every book's key, softmax at the temperature, and the mix of the values. */
export async function search(engine: Engine, text: string, parsed: ParsedQuery & { ok: true }, temperatureIndex: number): Promise<SearchView> {
  const temperature = TEMPERATURES[temperatureIndex];
  if (temperature === undefined) throw new RangeError(`No temperature number ${temperatureIndex}.`);
  const q = tensor(parsed.query, [1, TOPICS.length]);
  const { output, stages } = await engine.attention(q, KEYS, VALUES, { stages: true, scale: 1 / temperature });
  const row = (t: { data: Float32Array }) => Array.from(t.data, shortest);
  return {
    text,
    temperatureIndex,
    scaled: row(stages!.scaled),
    weights: row(stages!.weights),
    answer: row(output),
  };
}
