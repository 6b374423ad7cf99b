/**
 * What the trained models measurably do, on sentences they never saw in
 * training. Every figure runs the model through the attention engine.
 */

import type { Engine } from '@attention-guide/attention';
import { BOS, EOS } from './data';
import { allSentences, type SentencePair } from './grammar';
import { argmaxRow, runDecoder, type LayerAttention, type LoadedModel } from './inference';
import { runTranslationDecoder, translate } from './translation';

/**
 * For each sentence, the positions of its language-model targets (w1 … wn)
 * that the grammar determines: every sentence the grammar can make that
 * starts with the same words continues with the same next word. The <eos>
 * after the full stop is not among them: the model reads passages of one to
 * three sentences, so another sentence may follow.
 */
export function determinedTargets(sentences: readonly SentencePair[]): number[][] {
  const key = (words: readonly string[], length: number) => words.slice(0, length).join(' ');
  const next = new Map<string, Set<string>>();
  for (const pair of sentences) for (let k = 0; k <= pair.en.length; k++) next.set(key(pair.en, k), new Set());
  for (const pair of allSentences()) {
    let prefix = '';
    for (let k = 0; k <= pair.en.length; k++) {
      if (k > 0) prefix = k === 1 ? pair.en[0]! : `${prefix} ${pair.en[k - 1]}`;
      next.get(prefix)?.add(k < pair.en.length ? pair.en[k]! : '<eos>');
    }
  }
  return sentences.map((pair) => {
    const out: number[] = [];
    for (let k = 0; k < pair.en.length; k++) if (next.get(key(pair.en, k))!.size === 1) out.push(k);
    return out;
  });
}

/** Per head of a layer, running sums of a measurement and how many rows went in. */
export class HeadTally {
  private readonly sums = new Map<string, { sum: number; count: number }>();
  add(layer: string, head: number, value: number): void {
    const k = `${layer}/${head}`;
    const s = this.sums.get(k) ?? { sum: 0, count: 0 };
    s.sum += value;
    s.count++;
    this.sums.set(k, s);
  }
  mean(layer: string, head: number): number {
    const s = this.sums.get(`${layer}/${head}`);
    return s && s.count > 0 ? s.sum / s.count : NaN;
  }
}

export interface HeadFigures {
  layer: string;
  head: number;
  /** Mean weight a token puts on the token just before it (positions with one). */
  previousToken: number;
  /** Mean weight on the first position (<bos> in a decoder; the first English word in the encoder). */
  firstToken: number;
  /** Mean weight a token puts on itself. */
  selfToken: number;
  /** Share of pronoun sentences where "it" puts its largest weight on the noun it refers to. */
  itAntecedentTop: number;
  /** …and where that weight is more than half of its attention. */
  itAntecedentMajority: number;
  /** Mean weight "it" puts on its antecedent, and on the other noun. */
  itAntecedentWeight: number;
  itDistractorWeight: number;
  /** Repetition sentences: mean weight, at the positions that predict a repeated name, on that name's earlier occurrence. */
  copySource: number;
  /** Cross-attention only: share of French nouns and adjectives whose largest weight is on their English counterpart. */
  alignment?: number;
  /** Cross-attention only: the same, read at the query that predicts the word rather than the word's own position. */
  alignmentPredicting?: number;
  /** Cross-attention only: share of pronoun sentences where the query that writes il / elle puts its largest weight on the English noun "it" refers to. */
  pronounAntecedent?: number;
}

export interface DecoderEvaluation {
  sentences: number;
  determinedPositions: number;
  determinedAccuracy: number;
  allAccuracy: number;
  /** Positions that predict a repeated name. */
  copyPositions: number;
  copyAccuracy: number;
  heads: HeadFigures[];
}

/** One cross-attention layer with its heads' weights averaged, the usual way to read an alignment off a transformer (Garg et al. 2019). */
export interface CrossLayerFigures {
  layer: string;
  alignment: number;
  alignmentPredicting: number;
  pronounAntecedent: number;
}

export interface TranslationEvaluation {
  sentences: number;
  crossLayers: CrossLayerFigures[];
  exactMatch: number;
  /** Of the French pronouns (il / elle), the share translated right. */
  pronounAccuracy: number;
  failures: Array<{ en: string; expected: string; got: string }>;
  heads: HeadFigures[];
}

function tallyHeads(
  tally: HeadTally,
  layers: LayerAttention[],
  pair: SentencePair,
  offset: number,
  copyQueries: Array<[query: number, source: number]>,
  measureSelf: boolean,
  measurePronoun: boolean,
): void {
  for (const layer of layers) {
    if (layer.name.endsWith('.cross')) continue;
    layer.heads.forEach((w, h) => {
      const n = layer.queries;
      for (let i = 1; i < n; i++) tally.add(`${layer.name}:prev`, h, w[i * n + i - 1]!);
      for (let i = 1; i < n; i++) tally.add(`${layer.name}:first`, h, w[i * n]!);
      if (measureSelf) for (let i = 0; i < n; i++) tally.add(`${layer.name}:self`, h, w[i * n + i]!);
      if (measurePronoun && pair.pronoun) {
        const it = pair.pronoun.it + offset;
        const row = w.subarray(it * n, it * n + n);
        const a = row[pair.pronoun.antecedent + offset]!;
        let top = 0;
        for (let j = 1; j < n; j++) if (row[j]! > row[top]!) top = j;
        tally.add(`${layer.name}:itTop`, h, top === pair.pronoun.antecedent + offset ? 1 : 0);
        tally.add(`${layer.name}:itMajority`, h, a > 0.5 ? 1 : 0);
        tally.add(`${layer.name}:itWeight`, h, a);
        tally.add(`${layer.name}:itDistractor`, h, row[pair.pronoun.distractor + offset]!);
      }
      for (const [q, source] of copyQueries) tally.add(`${layer.name}:copy`, h, w[q * n + source]!);
    });
  }
}

function headFigures(tally: HeadTally, layers: LayerAttention[]): HeadFigures[] {
  return layers.flatMap((layer) =>
    layer.heads.map((_, h) => {
      const m = (what: string) => tally.mean(`${layer.name}:${what}`, h);
      const figures: HeadFigures = {
        layer: layer.name,
        head: h,
        previousToken: m('prev'),
        firstToken: m('first'),
        selfToken: m('self'),
        itAntecedentTop: m('itTop'),
        itAntecedentMajority: m('itMajority'),
        itAntecedentWeight: m('itWeight'),
        itDistractorWeight: m('itDistractor'),
        copySource: m('copy'),
      };
      if (layer.name.endsWith('.cross')) {
        figures.alignment = m('align');
        figures.alignmentPredicting = m('alignPredicting');
        figures.pronounAntecedent = m('pronounAntecedent');
      }
      return figures;
    }),
  );
}

/** In "A v B and B w A .", the language-model inputs (<bos> first) that predict the repeated B and A, with the input position of each one's first occurrence. */
function copyQueries(pair: SentencePair): Array<[number, number]> {
  if (pair.kind === 'antecedent') return [];
  const out: Array<[number, number]> = [];
  for (let k = 1; k < pair.en.length; k++) {
    const first = pair.en.indexOf(pair.en[k]!);
    // Input position k (the word before, with <bos> at 0) predicts word k; the earlier occurrence is at input position first + 1.
    if (first < k) out.push([k, first + 1]);
  }
  return out;
}

export async function evaluateDecoder(engine: Engine, model: LoadedModel, sentences: readonly SentencePair[]): Promise<DecoderEvaluation> {
  const vocab = model.vocabulary['tokens']!;
  const determined = determinedTargets(sentences);
  const tally = new HeadTally();
  let heads: LayerAttention[] = [];
  let determinedRight = 0;
  let determinedCount = 0;
  let allRight = 0;
  let allCount = 0;
  let copyRight = 0;
  let copyCount = 0;
  for (const [s, pair] of sentences.entries()) {
    const ids = [BOS, ...vocab.ids(pair.en)];
    const targets = [...vocab.ids(pair.en), EOS];
    const run = await runDecoder(engine, model, ids);
    heads = run.attention;
    const right = targets.map((t, i) => argmaxRow(run.logits, i, vocab.size) === t);
    right.forEach((r) => {
      allCount++;
      if (r) allRight++;
    });
    for (const k of determined[s]!) {
      determinedCount++;
      if (right[k]) determinedRight++;
    }
    const copies = copyQueries(pair);
    for (const [q] of copies) {
      copyCount++;
      if (right[q]) copyRight++;
    }
    tallyHeads(tally, run.attention, pair, 1, copies, false, true);
  }
  return {
    sentences: sentences.length,
    determinedPositions: determinedCount,
    determinedAccuracy: determinedRight / determinedCount,
    allAccuracy: allRight / allCount,
    copyPositions: copyCount,
    copyAccuracy: copyRight / Math.max(1, copyCount),
    heads: headFigures(tally, heads),
  };
}

export async function evaluateTranslation(engine: Engine, model: LoadedModel, sentences: readonly SentencePair[]): Promise<TranslationEvaluation> {
  const source = model.vocabulary['source']!;
  const target = model.vocabulary['target']!;
  const tally = new HeadTally();
  let layers: LayerAttention[] = [];
  let exact = 0;
  let pronouns = 0;
  let pronounsRight = 0;
  const failures: TranslationEvaluation['failures'] = [];
  for (const pair of sentences) {
    const src = source.ids(pair.en);
    const result = await translate(engine, model, src);
    const got = result.words.join(' ');
    const expected = pair.fr.join(' ');
    if (got === expected && result.finished) exact++;
    else if (failures.length < 20) failures.push({ en: pair.en.join(' '), expected, got });
    const pronoun = pair.pronoun ? pair.fr.findIndex((w) => w === 'il' || w === 'elle') : -1;
    if (pronoun >= 0) {
      pronouns++;
      if (result.words[pronoun] === pair.fr[pronoun]) pronounsRight++;
    }
    // Heads, read with the correct French as the decoder's input (teacher forcing), so every row is a known word.
    const encoder = result.encoder;
    const run = await runTranslationDecoder(engine, model, result.memory, src.length, [BOS, ...target.ids(pair.fr)]);
    tallyHeads(tally, encoder, pair, 0, [], true, true);
    for (const layer of run.attention) {
      if (!layer.name.endsWith('.cross')) continue;
      const mean = new Float32Array(layer.heads[0]!.length);
      for (const w of layer.heads) for (let i = 0; i < w.length; i++) mean[i] = mean[i]! + w[i]! / layer.heads.length;
      [...layer.heads, mean].forEach((w, index) => {
        // Index heads.length is the layer's average over heads.
        const h = index;
        const m = layer.keys;
        const topOf = (row: number) => {
          let top = 0;
          for (let j = 1; j < m; j++) if (w[row * m + j]! > w[row * m + top]!) top = j;
          return top;
        };
        if (pair.pronoun && pronoun >= 0) tally.add(`${layer.name}:pronounAntecedent`, h, topOf(pronoun) === pair.pronoun.antecedent ? 1 : 0);
        for (const [fr, en] of pair.alignment) {
          // The word itself is decoder input fr + 1; the query that predicts it is input fr.
          tally.add(`${layer.name}:align`, h, topOf(fr + 1) === en ? 1 : 0);
          tally.add(`${layer.name}:alignPredicting`, h, topOf(fr) === en ? 1 : 0);
        }
      });
    }
    tallyHeads(tally, run.attention, pair, 1, [], false, false);
    layers = [...encoder, ...run.attention];
  }
  const crossLayers = layers
    .filter((l) => l.name.endsWith('.cross'))
    .map((l) => {
      const m = (what: string) => tally.mean(`${l.name}:${what}`, l.heads.length);
      return { layer: l.name, alignment: m('align'), alignmentPredicting: m('alignPredicting'), pronounAntecedent: m('pronounAntecedent') };
    });
  return {
    sentences: sentences.length,
    crossLayers,
    exactMatch: exact / sentences.length,
    pronounAccuracy: pronounsRight / Math.max(1, pronouns),
    failures,
    heads: headFigures(tally, layers),
  };
}
