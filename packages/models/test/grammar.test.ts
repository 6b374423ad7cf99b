import { describe, expect, it } from 'vitest';
import { allSentences, antecedentSentence, makeSplits, phraseSentence, repetitionSentence, ROLL_CALLS, rollCallSentence, SPECIAL_TOKENS, vocabulary } from '../src/grammar';

const NO_COLOUR = 5;
const text = (words: string[]) => words.join(' ');

describe('the grammar', () => {
  it('makes the running example and its translation', () => {
    const pair = antecedentSentence(0, NO_COLOUR, 0, 0, 0, NO_COLOUR, 0);
    expect(text(pair.en)).toBe('the cat sat on the mat because it was tired .');
    expect(text(pair.fr)).toBe("le chat s'est assis sur le tapis car il était fatigué .");
    expect(pair.pronoun).toEqual({ it: 7, antecedent: 1, distractor: 5 });
  });

  it('lets the adjective decide what "it" refers to, and French agrees with that noun', () => {
    // mouse (f) on the mat (m): "tired" points at the mouse, "wet" at the mat.
    const tired = antecedentSentence(4, NO_COLOUR, 0, 0, 0, NO_COLOUR, 0);
    expect(text(tired.fr)).toBe("la souris s'est assise sur le tapis car elle était fatiguée .");
    expect(tired.en[tired.pronoun!.antecedent]).toBe('mouse');
    const wet = antecedentSentence(4, NO_COLOUR, 0, 0, 0, NO_COLOUR, 3);
    expect(text(wet.fr)).toBe("la souris s'est assise sur le tapis car il était mouillé .");
    expect(wet.en[wet.pronoun!.antecedent]).toBe('mat');
    expect(wet.en[wet.pronoun!.distractor]).toBe('mouse');
  });

  it('puts colours before the noun in English and after it in French', () => {
    const pair = antecedentSentence(0, 0, 1, 1, 3, 1, 4);
    expect(text(pair.en)).toBe('the black cat slept under the white box because it was dirty .');
    expect(text(pair.fr)).toBe('le chat noir a dormi sous la boîte blanche car elle était sale .');
  });

  it('aligns every French noun and adjective with its English counterpart', () => {
    const pair = antecedentSentence(5, 2, 2, 3, 4, 0, 1);
    const words = pair.alignment.map(([fr, en]) => `${pair.fr[fr]}=${pair.en[en]}`);
    expect(words).toEqual(['vache=cow', 'grise=grey', 'chaise=chair', 'noire=black', 'affamée=hungry']);
  });

  it('repeats names in swapped order', () => {
    expect(text(repetitionSentence(0, 1, 0, 2).en)).toBe('tom met anna and anna thanked tom .');
    expect(text(repetitionSentence(0, 1, 0, 2).fr)).toBe('tom a rencontré anna et anna a remercié tom .');
  });

  it('repeats a whole phrase, translated the same both times', () => {
    const pair = phraseSentence(0, 5, 0, 0, 0);
    expect(text(pair.en)).toBe('tom saw the black cat and nina saw the black cat too .');
    expect(text(pair.fr)).toBe('tom a vu le chat noir et nina a vu le chat noir aussi .');
    expect(pair.alignment.map(([fr, en]) => `${pair.fr[fr]}=${pair.en[en]}`)).toEqual(['chat=cat', 'noir=black', 'chat=cat', 'noir=black']);
    const bare = phraseSentence(1, 0, 3, 5, 11);
    expect(text(bare.en)).toBe('anna washed the box and tom washed the box too .');
    expect(text(bare.fr)).toBe('anna a lavé la boîte et tom a lavé la boîte aussi .');
    expect(bare.alignment.map(([fr, en]) => `${bare.fr[fr]}=${bare.en[en]}`)).toEqual(['boîte=box', 'boîte=box']);
  });

  it('repeats a roll call of names in the same order, and holds a fixed sample of them', () => {
    const pair = rollCallSentence([0, 5, 4]);
    expect(text(pair.en)).toBe('roll call : tom nina leo , again : tom nina leo .');
    expect(text(pair.fr)).toBe('appel : tom nina leo , encore : tom nina leo .');
    const calls = allSentences().filter((p) => p.kind === 'roll-call');
    expect(calls).toHaveLength(ROLL_CALLS);
    const lengths = new Set(calls.map((p) => (p.en.length - 7) / 2));
    expect([...lengths].sort()).toEqual([3, 4, 5, 6, 7, 8]);
  });

  it('makes no sentence twice', () => {
    const every = allSentences().map((pair) => text(pair.en));
    expect(new Set(every).size).toBe(every.length);
    expect(every.length).toBeGreaterThan(50_000);
  });
});

describe('splits', () => {
  it('share no sentence, have the asked sizes and depend only on the seed', () => {
    const splits = makeSplits(2000, 7);
    expect([splits.train.length, splits.validation.length, splits.test.length]).toEqual([1600, 200, 200]);
    const seen = new Set<string>();
    for (const pair of [...splits.train, ...splits.validation, ...splits.test]) {
      const key = text(pair.en);
      expect(seen.has(key)).toBe(false);
      seen.add(key);
    }
    expect(makeSplits(2000, 7)).toEqual(splits);
    expect(text(makeSplits(2000, 8).test[0]!.en)).not.toBe(text(splits.test[0]!.en));
  });

  it('refuses a size the grammar cannot fill', () => {
    expect(() => makeSplits(2, 1)).toThrow(RangeError);
    expect(() => makeSplits(10_000_000, 1)).toThrow(/from 3 to/);
  });
});

describe('vocabulary', () => {
  it('starts with the special tokens and covers every word of its language', () => {
    for (const language of ['en', 'fr'] as const) {
      const words = vocabulary(language);
      expect(words.slice(0, SPECIAL_TOKENS.length)).toEqual([...SPECIAL_TOKENS]);
      const known = new Set(words);
      const missing = new Set<string>();
      for (const pair of allSentences()) for (const w of pair[language]) if (!known.has(w)) missing.add(w);
      expect([...missing]).toEqual([]);
      expect(new Set(words).size).toBe(words.length);
    }
  });
});
