/**
 * The grammar the guide's tiny models learn from: English sentences in the
 * style of the running example, "The cat sat on the mat because it was
 * tired.", each with a French translation made by fixed rules.
 *
 * What the grammar is built to teach:
 * - Pronoun resolution. In "because it was ADJ", the adjective decides what
 *   "it" is: tired, hungry and sleepy fit the animal; wet, dirty and soft fit
 *   the object. Nothing else in the sentence says which; a model that gets the
 *   French pronoun and adjective agreement right has resolved "it".
 * - Word order. A colour adjective comes before the noun in English and after
 *   it in French ("the black cat" → "le chat noir").
 * - Agreement. French articles, "s'est assis(e)", the pronoun (il / elle) and
 *   adjectives follow the gender of the noun they belong to.
 * - Repetition. Sentences that repeat names ("tom met anna and anna thanked
 *   tom .") or a whole phrase ("tom saw the black cat and nina saw the black
 *   cat too .") reward heads that look back at earlier matches. The phrase
 *   is free in its first half and has one or two words, so only copying
 *   predicts the second half, wherever it starts. A roll call repeats a list
 *   of names in a random order ("roll call : tom nina leo , again : tom nina
 *   leo ."), which only looking back at the first list can continue.
 *
 * Sentences are lists of lower-case word tokens, punctuation included.
 * GRAMMAR_VERSION changes whenever the sentences or translations change, so
 * trained weights can say which grammar they learned.
 */

import { rng } from '@attention-guide/attention/tensor';

export const GRAMMAR_VERSION = 2;

type Gender = 'm' | 'f';

interface Noun {
  en: string;
  fr: string;
  gender: Gender;
}

interface Adjective {
  en: string;
  /** Masculine and feminine French forms. */
  fr: { m: string; f: string };
}

const ANIMALS: readonly Noun[] = [
  { en: 'cat', fr: 'chat', gender: 'm' },
  { en: 'dog', fr: 'chien', gender: 'm' },
  { en: 'rabbit', fr: 'lapin', gender: 'm' },
  { en: 'horse', fr: 'cheval', gender: 'm' },
  { en: 'mouse', fr: 'souris', gender: 'f' },
  { en: 'cow', fr: 'vache', gender: 'f' },
  { en: 'goat', fr: 'chèvre', gender: 'f' },
  { en: 'duck', fr: 'cane', gender: 'f' },
];

const OBJECTS: readonly Noun[] = [
  { en: 'mat', fr: 'tapis', gender: 'm' },
  { en: 'bed', fr: 'lit', gender: 'm' },
  { en: 'sofa', fr: 'canapé', gender: 'm' },
  { en: 'box', fr: 'boîte', gender: 'f' },
  { en: 'chair', fr: 'chaise', gender: 'f' },
  { en: 'blanket', fr: 'couverture', gender: 'f' },
];

/** Colours: before the noun in English, after it in French. */
const COLOURS: readonly Adjective[] = [
  { en: 'black', fr: { m: 'noir', f: 'noire' } },
  { en: 'white', fr: { m: 'blanc', f: 'blanche' } },
  { en: 'grey', fr: { m: 'gris', f: 'grise' } },
  { en: 'green', fr: { m: 'vert', f: 'verte' } },
  { en: 'red', fr: { m: 'rouge', f: 'rouge' } },
];

/** States that fit an animal: "it" is the animal. */
const ANIMAL_STATES: readonly Adjective[] = [
  { en: 'tired', fr: { m: 'fatigué', f: 'fatiguée' } },
  { en: 'hungry', fr: { m: 'affamé', f: 'affamée' } },
  { en: 'sleepy', fr: { m: 'endormi', f: 'endormie' } },
];

/** States that fit an object: "it" is the object. */
const OBJECT_STATES: readonly Adjective[] = [
  { en: 'wet', fr: { m: 'mouillé', f: 'mouillée' } },
  { en: 'dirty', fr: { m: 'sale', f: 'sale' } },
  { en: 'soft', fr: { m: 'doux', f: 'douce' } },
];

/** Past-tense verbs of resting somewhere; "sat" agrees with its subject in French. */
const VERBS: ReadonlyArray<{ en: string; fr: (subject: Gender) => string[] }> = [
  { en: 'sat', fr: (g) => ["s'est", g === 'm' ? 'assis' : 'assise'] },
  { en: 'slept', fr: () => ['a', 'dormi'] },
  { en: 'waited', fr: () => ['a', 'attendu'] },
  { en: 'played', fr: () => ['a', 'joué'] },
];

const PREPOSITIONS: ReadonlyArray<{ en: string; fr: string }> = [
  { en: 'on', fr: 'sur' },
  { en: 'under', fr: 'sous' },
  { en: 'against', fr: 'contre' },
  { en: 'behind', fr: 'derrière' },
];

const NAMES = ['tom', 'anna', 'paul', 'marie', 'leo', 'nina', 'sam', 'lea', 'max', 'eva', 'ben', 'zoe'] as const;

const NAME_VERBS: ReadonlyArray<{ en: string; fr: string[] }> = [
  { en: 'met', fr: ['a', 'rencontré'] },
  { en: 'helped', fr: ['a', 'aidé'] },
  { en: 'thanked', fr: ['a', 'remercié'] },
  { en: 'called', fr: ['a', 'appelé'] },
];

/** Verbs whose object may be an animal or a thing, for the repeated phrases. */
const OBJECT_VERBS: ReadonlyArray<{ en: string; fr: string[] }> = [
  { en: 'saw', fr: ['a', 'vu'] },
  { en: 'liked', fr: ['a', 'aimé'] },
  { en: 'found', fr: ['a', 'trouvé'] },
  { en: 'washed', fr: ['a', 'lavé'] },
];

/** One sentence pair and what the evaluation needs to know about it. */
export interface SentencePair {
  kind: 'antecedent' | 'repetition' | 'phrase' | 'roll-call';
  en: string[];
  fr: string[];
  /**
   * For 'antecedent' sentences: the English token index of "it" and of the
   * noun it refers to, and of the other noun it could be mistaken for.
   */
  pronoun?: { it: number; antecedent: number; distractor: number };
  /**
   * Pairs [French token index, English token index] of nouns and adjectives
   * that translate each other, for checking cross-attention.
   */
  alignment: Array<[number, number]>;
}

const article = (g: Gender) => (g === 'm' ? 'le' : 'la');

/** "the [colour] noun" in both languages, with the index of the noun in each. */
function nounPhrase(noun: Noun, colour: Adjective | undefined, enStart: number, frStart: number) {
  const en = ['the', ...(colour ? [colour.en] : []), noun.en];
  const frNoun = noun.fr.split(' ');
  const fr = [article(noun.gender), ...frNoun, ...(colour ? [colour.fr[noun.gender]] : [])];
  const alignment: Array<[number, number]> = [[frStart + 1, enStart + en.length - 1]];
  if (colour) alignment.push([frStart + 1 + frNoun.length, enStart + 1]);
  return { en, fr, nounEn: enStart + en.length - 1, alignment };
}

/**
 * "the [colour] ANIMAL VERB PREP the [colour] OBJECT because it was STATE ."
 * Indices choose each slot; colour index COLOURS.length means no colour.
 */
export function antecedentSentence(
  animal: number,
  animalColour: number,
  verb: number,
  preposition: number,
  object: number,
  objectColour: number,
  state: number,
): SentencePair {
  const a = ANIMALS[animal]!;
  const o = OBJECTS[object]!;
  const v = VERBS[verb]!;
  const p = PREPOSITIONS[preposition]!;
  const states = [...ANIMAL_STATES, ...OBJECT_STATES];
  const s = states[state]!;
  const refersToAnimal = state < ANIMAL_STATES.length;
  const referent = refersToAnimal ? a : o;

  const subject = nounPhrase(a, COLOURS[animalColour], 0, 0);
  const verbFr = v.fr(a.gender);
  const prepFr = [p.fr];
  const enObjectStart = subject.en.length + 2;
  const frObjectStart = subject.fr.length + verbFr.length + prepFr.length;
  const place = nounPhrase(o, COLOURS[objectColour], enObjectStart, frObjectStart);

  const en = [...subject.en, v.en, p.en, ...place.en, 'because', 'it', 'was', s.en, '.'];
  const frPronoun = referent.gender === 'm' ? 'il' : 'elle';
  const fr = [...subject.fr, ...verbFr, ...prepFr, ...place.fr, 'car', frPronoun, 'était', s.fr[referent.gender], '.'];

  const itIndex = en.indexOf('it');
  const frState = fr.length - 2;
  return {
    kind: 'antecedent',
    en,
    fr,
    pronoun: {
      it: itIndex,
      antecedent: refersToAnimal ? subject.nounEn : place.nounEn,
      distractor: refersToAnimal ? place.nounEn : subject.nounEn,
    },
    alignment: [...subject.alignment, ...place.alignment, [frState, en.length - 2]],
  };
}

/** "A VERB B and B VERB2 A ." : names repeated in swapped order. */
export function repetitionSentence(first: number, second: number, verb: number, verb2: number): SentencePair {
  const a = NAMES[first]!;
  const b = NAMES[second]!;
  const v = NAME_VERBS[verb]!;
  const w = NAME_VERBS[verb2]!;
  const en = [a, v.en, b, 'and', b, w.en, a, '.'];
  const fr = [a, ...v.fr, b, 'et', b, ...w.fr, a, '.'];
  return { kind: 'repetition', en, fr, alignment: [] };
}

/**
 * "A VERB the [colour] NOUN and B VERB the [colour] NOUN too ." : the phrase
 * after A is repeated after B. Nouns index the animals, then the objects.
 */
export function phraseSentence(first: number, second: number, verb: number, colour: number, noun: number): SentencePair {
  const a = NAMES[first]!;
  const b = NAMES[second]!;
  const v = OBJECT_VERBS[verb]!;
  const n = [...ANIMALS, ...OBJECTS][noun]!;
  const head = nounPhrase(n, COLOURS[colour], 2, 1 + v.fr.length);
  const enHalf = [v.en, ...head.en];
  const frHalf = [...v.fr, ...head.fr];
  const en = [a, ...enHalf, 'and', b, ...enHalf, 'too', '.'];
  const fr = [a, ...frHalf, 'et', b, ...frHalf, 'aussi', '.'];
  // The second half's words sit enHalf.length + 2 (en) and frHalf.length + 2 (fr) further on.
  const shift = ([f, e]: [number, number]): [number, number] => [f + frHalf.length + 2, e + enHalf.length + 2];
  return { kind: 'phrase', en, fr, alignment: [...head.alignment, ...head.alignment.map(shift)] };
}

/**
 * "roll call : A B C , again : A B C ." : three to eight different names in
 * a random order, then the same names in the same order. Nothing but the
 * first list says which name comes next in the second.
 */
export function rollCallSentence(order: readonly number[]): SentencePair {
  const names = order.map((i) => NAMES[i]!);
  return {
    kind: 'roll-call',
    en: ['roll', 'call', ':', ...names, ',', 'again', ':', ...names, '.'],
    fr: ['appel', ':', ...names, ',', 'encore', ':', ...names, '.'],
    alignment: [],
  };
}

/** How many roll calls the grammar holds: a fixed sample, since every list of 3 to 8 of 12 names would be over 20 million. */
export const ROLL_CALLS = 20_000;

/** ROLL_CALLS different lists of 3 to 8 different names, drawn once from a fixed seed. */
function rollCallOrders(): number[][] {
  const next = rng(2024);
  const seen = new Set<string>();
  const out: number[][] = [];
  while (out.length < ROLL_CALLS) {
    const size = 3 + Math.floor(next() * 6);
    const pool = NAMES.map((_, i) => i);
    const order: number[] = [];
    for (let k = 0; k < size; k++) order.push(pool.splice(Math.floor(next() * pool.length), 1)[0]!);
    const key = order.join(',');
    if (!seen.has(key)) {
      seen.add(key);
      out.push(order);
    }
  }
  return out;
}

let every: readonly SentencePair[] | undefined;

/** Every sentence the grammar can make, in a fixed order (made once, then shared: do not modify). */
export function allSentences(): readonly SentencePair[] {
  every ??= enumerate();
  return every;
}

function enumerate(): SentencePair[] {
  const out: SentencePair[] = [];
  const colourChoices = COLOURS.length + 1; // the last choice is "no colour"
  const stateCount = ANIMAL_STATES.length + OBJECT_STATES.length;
  for (let a = 0; a < ANIMALS.length; a++)
    for (let ac = 0; ac < colourChoices; ac++)
      for (let v = 0; v < VERBS.length; v++)
        for (let p = 0; p < PREPOSITIONS.length; p++)
          for (let o = 0; o < OBJECTS.length; o++)
            for (let oc = 0; oc < colourChoices; oc++)
              for (let s = 0; s < stateCount; s++) out.push(antecedentSentence(a, ac, v, p, o, oc, s));
  for (let x = 0; x < NAMES.length; x++)
    for (let y = 0; y < NAMES.length; y++)
      if (x !== y)
        for (let v = 0; v < NAME_VERBS.length; v++)
          for (let w = 0; w < NAME_VERBS.length; w++) out.push(repetitionSentence(x, y, v, w));
  const nouns = ANIMALS.length + OBJECTS.length;
  for (let x = 0; x < NAMES.length; x++)
    for (let y = 0; y < NAMES.length; y++)
      if (x !== y)
        for (let v = 0; v < OBJECT_VERBS.length; v++)
          for (let c = 0; c < colourChoices; c++) for (let n = 0; n < nouns; n++) out.push(phraseSentence(x, y, v, c, n));
  for (const order of rollCallOrders()) out.push(rollCallSentence(order));
  return out;
}

export interface Splits {
  train: SentencePair[];
  validation: SentencePair[];
  test: SentencePair[];
}

/**
 * Train, validation and held-out test splits of `size` sentences in all,
 * drawn without replacement from every sentence the grammar makes, so no
 * sentence is in two splits. Deterministic for a seed.
 */
export function makeSplits(size: number, seed: number, shares = { validation: 0.1, test: 0.1 }): Splits {
  const sentences = allSentences();
  if (!Number.isInteger(size) || size < 3 || size > sentences.length) {
    throw new RangeError(`makeSplits needs a whole number of sentences from 3 to ${sentences.length}, got ${size}.`);
  }
  const next = rng(seed);
  // Partial Fisher-Yates: the first `size` places become a uniform sample.
  const order = sentences.map((_, i) => i);
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(next() * (order.length - i));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const chosen = order.slice(0, size).map((i) => sentences[i]!);
  const nValidation = Math.max(1, Math.round(size * shares.validation));
  const nTest = Math.max(1, Math.round(size * shares.test));
  return {
    test: chosen.slice(0, nTest),
    validation: chosen.slice(nTest, nTest + nValidation),
    train: chosen.slice(nTest + nValidation),
  };
}

/** Every word either language can produce, sorted, with the special tokens first. */
export const SPECIAL_TOKENS = ['<pad>', '<unk>', '<bos>', '<eos>'] as const;

export function vocabulary(language: 'en' | 'fr'): string[] {
  const words = new Set<string>();
  for (const pair of allSentences()) for (const w of pair[language]) words.add(w);
  return [...SPECIAL_TOKENS, ...[...words].sort()];
}
