import { describe, expect, it } from 'vitest';
import { BOS, EOS, languageModelExample, trainingSplits, translationExample, UNK, Vocabulary } from '../src/data';
import { allSentences, phraseSentence } from '../src/grammar';
import { browseVocabulary, encode, words } from '../src/tokenize';

const text = (w: readonly string[]) => w.join(' ');

describe('the training splits', () => {
  const splits = trainingSplits(1);

  it('hold every sentence exactly once, and no sentence in two splits', () => {
    const seen = new Set<string>();
    for (const pair of [...splits.train, ...splits.validation, ...splits.test]) {
      const key = text(pair.en);
      expect(seen.has(key)).toBe(false);
      seen.add(key);
    }
    expect(seen.size).toBe(allSentences().length);
  });

  it('hold out every kind of sentence, the rare ones included', () => {
    for (const kind of ['antecedent', 'repetition', 'phrase'] as const) {
      const count = allSentences().filter((p) => p.kind === kind).length;
      const held = splits.test.filter((p) => p.kind === kind).length;
      expect(held).toBe(Math.min(1000, Math.ceil(count * 0.1)));
      expect(splits.validation.filter((p) => p.kind === kind).length).toBe(held);
    }
  });

  it('depend only on the seed', () => {
    expect(trainingSplits(1).test.map((p) => text(p.en))).toEqual(splits.test.map((p) => text(p.en)));
    expect(trainingSplits(2).test.map((p) => text(p.en))).not.toEqual(splits.test.map((p) => text(p.en)));
  });
});

describe('examples', () => {
  const en = Vocabulary.of('en');
  const fr = Vocabulary.of('fr');
  const pair = phraseSentence(0, 1, 0, 0, 0);

  it('shift the language model targets by one, between <bos> and <eos>', () => {
    const { input, targets } = languageModelExample(pair, en);
    expect(input[0]).toBe(BOS);
    expect(targets.at(-1)).toBe(EOS);
    expect(input.slice(1)).toEqual(targets.slice(0, -1));
    expect(input.slice(1).map((id) => en.word(id))).toEqual(pair.en);
  });

  it('give the translation model English in and French out', () => {
    const { source, input, targets } = translationExample(pair, en, fr);
    expect(source.map((id) => en.word(id))).toEqual(pair.en);
    expect(input.slice(1).map((id) => fr.word(id))).toEqual(pair.fr);
    expect(targets.at(-1)).toBe(EOS);
  });
});

describe('reading typed text', () => {
  const en = Vocabulary.of('en');

  it('splits words and punctuation, lower-cases, and keeps apostrophes inside words', () => {
    expect(words('The cat sat on the mat, because it was TIRED.')).toEqual(['the', 'cat', 'sat', 'on', 'the', 'mat', ',', 'because', 'it', 'was', 'tired', '.']);
    expect(words("Le chat s’est assis.")).toEqual(['le', 'chat', "s'est", 'assis', '.']);
  });

  it('marks unknown words and keeps them visible', () => {
    const result = encode('The zebra sat on the mat.', en, 15);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.words).toEqual(['the', 'zebra', 'sat', 'on', 'the', 'mat', '.']);
    expect(result.value.unknown).toEqual([1]);
    expect(result.value.ids[1]).toBe(UNK);
    expect(result.value.cut).toBeUndefined();
  });

  it('turns markup, emoji and right-to-left text into unknown words, not errors', () => {
    const result = encode('<b>cat</b> 🐈 القط', en, 15);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.words).toContain('🐈');
    expect(result.value.words).toContain('القط');
    expect(result.value.words).toContain('cat');
    const known = result.value.words.filter((_, i) => !result.value.unknown.includes(i));
    expect(known).toEqual(['cat']);
  });

  it('refuses empty input with a message', () => {
    for (const input of ['', '   ', '\n\t']) {
      const result = encode(input, en, 15);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.message).toMatch(/no words/);
    }
  });

  it('cuts a sentence longer than the model reads, and says where', () => {
    const long = Array.from({ length: 300 }, (_, i) => (i % 2 ? 'cat' : 'the')).join(' ');
    const result = encode(long, en, 15);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.words).toHaveLength(15);
    expect(result.value.cut).toMatchObject({ limit: 15, total: 300 });
    expect(result.value.cut!.message).toBe('The model reads at most 15 words; this text has 300, so it stops after “the” (word 15).');
  });

  it('groups the vocabulary by first letter for browsing, without the special tokens', () => {
    const groups = browseVocabulary(en);
    const listed = groups.flatMap((g) => g.words);
    expect(listed).toHaveLength(en.size - 4);
    expect(listed).not.toContain('<unk>');
    expect(groups.find((g) => g.letter === 'C')!.words).toContain('cat');
  });
});
