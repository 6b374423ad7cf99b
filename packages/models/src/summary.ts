/**
 * The head summary: what each head of each shipped model measurably does,
 * in words chosen by fixed rules from the figures evaluate.ts measures, as
 * Markdown for the repository and JSON for the site's demos.
 */

import type { DecoderEvaluation, HeadFigures, TranslationEvaluation } from './evaluate';

export interface HeadLabel {
  layer: string;
  head: number;
  /** Short, for a demo's caption: "previous token", "antecedent of “it”", … */
  label: string;
  /** The figure behind the label, in words. */
  evidence: string;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The rules, strongest evidence first; a head gets the first that holds. */
export function labelHead(h: HeadFigures): HeadLabel {
  const at = { layer: h.layer, head: h.head };
  const align = Math.max(h.alignment ?? 0, h.alignmentPredicting ?? 0);
  if (h.alignment !== undefined) {
    if ((h.pronounAntecedent ?? 0) >= 0.9) {
      return { ...at, label: 'finds what “it” refers to', evidence: `when the decoder writes il or elle, the largest weight falls on the English noun “it” refers to in ${pct(h.pronounAntecedent!)} of sentences` };
    }
    const reading = (h.alignmentPredicting ?? 0) > (h.alignment ?? 0) ? 'the query that writes each word' : 'each French word';
    if (align >= 0.9) return { ...at, label: 'aligns French with English', evidence: `for ${reading}, the largest weight falls on its English counterpart in ${pct(align)} of nouns and adjectives` };
    if (align >= 0.5) return { ...at, label: 'partly aligns French with English', evidence: `the largest weight falls on the English counterpart in ${pct(align)} of nouns and adjectives (${reading})` };
    return { ...at, label: 'no alignment role measured', evidence: `the English counterpart gets the largest weight in only ${pct(align)} of nouns and adjectives` };
  }
  if (h.itAntecedentTop >= 0.9) {
    return { ...at, label: 'antecedent of “it”', evidence: `“it” puts its largest weight on the noun it refers to in ${pct(h.itAntecedentTop)} of sentences (mean ${h.itAntecedentWeight.toFixed(2)} against ${h.itDistractorWeight.toFixed(2)} on the other noun)` };
  }
  if (h.previousToken >= 0.9) return { ...at, label: 'previous token', evidence: `${pct(h.previousToken)} of each token’s weight is on the token just before it, on average` };
  if (h.copySource >= 0.5) return { ...at, label: 'copies repeated words', evidence: `where the next word repeats a name, ${pct(h.copySource)} of the weight is on that name’s earlier occurrence, on average` };
  if (h.previousToken >= 0.5) return { ...at, label: 'mostly previous token', evidence: `${pct(h.previousToken)} of each token’s weight is on the token just before it, on average` };
  if (h.selfToken >= 0.5) return { ...at, label: 'current token', evidence: `${pct(h.selfToken)} of each token’s weight is on itself, on average` };
  if (h.firstToken >= 0.5) return { ...at, label: 'rests on the first token', evidence: `${pct(h.firstToken)} of the weight is on the first position, on average: a head with nothing to add parks its weight there` };
  const figures = [
    ['the previous token', h.previousToken],
    ['the first position', h.firstToken],
    ['the token itself', h.selfToken],
  ].filter(([, v]) => Number.isFinite(v as number)) as Array<[string, number]>;
  const [what, value] = figures.sort((a, b) => b[1] - a[1])[0] ?? ['the previous token', NaN];
  return { ...at, label: 'spread out', evidence: `no single role measured: its largest average share is ${pct(value)}, on ${what}` };
}

export interface Summary {
  decoder: {
    evaluation: Omit<DecoderEvaluation, 'heads'>;
    /** The same figures on the held-out sentences of kinds the decoder was not trained on, if any. */
    untrained?: Omit<DecoderEvaluation, 'heads'> & { kinds: string[] };
    heads: Array<HeadLabel & { figures: HeadFigures }>;
  };
  translator: { evaluation: Omit<TranslationEvaluation, 'heads' | 'failures'>; failures: TranslationEvaluation['failures']; heads: Array<HeadLabel & { figures: HeadFigures }> };
  /** The issue's targets, each with the best figure measured and whether it is met. */
  targets: Target[];
}

export interface Target {
  what: string;
  threshold: number;
  measured: number;
  /** Where the measured figure comes from. */
  where: string;
  met: boolean;
}

const PREVIOUS_TOKEN = 'a head puts, on average, most of its weight on the previous token';
const IT_ANTECEDENT = 'a head sends the largest weight of “it” to the noun it refers to';
/**
 * Why a head target can stay unmet with this data and these shapes: what the
 * experiments found, and where they are kept (paths from packages/models/).
 */
const WHY_NOT: Record<string, { because: string; kept: string[] }> = {
  [PREVIOUS_TOKEN]: {
    because:
      'predicting this grammar’s next word does not reward a head that reads only the word before. Trained instead to name that word, the same shape with a learned bias per distance puts most of one head’s weight there; trained on the next word, the model shares that reading out among its heads by position, and it does so too on roll calls that need it',
    kept: ['experiments/README.md, on relative-bias.patch and roll-call-restart.patch', 'src/configs.ts'],
  },
  [IT_ANTECEDENT]: {
    because:
      'the translation model gets il / elle right, but in the shipped French the pronoun comes after both nouns, so the adjective alone decides its gender and the encoder need not send “it” to its noun. Putting the pronoun first in French moves that resolving into a cross-attention head and loses the cross-attention target that is met now',
    kept: ['experiments/README.md, on fronted-clause.patch'],
  },
};

/** Why a target the shipped models miss is missed, and where the experiments behind that are kept; undefined where none is written. */
export function whyNotMet(target: Pick<Target, 'what'>): { because: string; kept: string[] } | undefined {
  return WHY_NOT[target.what];
}

const bestOf = (heads: HeadFigures[], key: (h: HeadFigures) => number | undefined) => {
  let best: HeadFigures | undefined;
  for (const h of heads) if (Number.isFinite(key(h)) && (!best || key(h)! > key(best)!)) best = h;
  return { value: best ? key(best)! : NaN, where: best ? `${best.layer} h${best.head}` : '–' };
};

/** The targets the shipped models are held to (tests assert the same thresholds). */
export function targets(decoder: DecoderEvaluation, translator: TranslationEvaluation): Target[] {
  const make = (what: string, threshold: number, measured: number, where: string): Target => ({ what, threshold, measured, where, met: measured >= threshold });
  const prev = bestOf([...decoder.heads, ...translator.heads], (h) => h.previousToken);
  const it = bestOf(translator.heads.filter((h) => h.layer.startsWith('enc')), (h) => h.itAntecedentTop);
  const cross = translator.heads.filter((h) => h.layer.endsWith('.cross'));
  const align = bestOf(cross, (h) => Math.max(h.alignment ?? 0, h.alignmentPredicting ?? 0));
  return [
    make('decoder: next-token accuracy on the positions the grammar determines', 0.95, decoder.determinedAccuracy, 'all heads'),
    make(PREVIOUS_TOKEN, 0.9, prev.value, prev.where),
    make(IT_ANTECEDENT, 0.9, it.value, it.where),
    make('translation: exact match', 0.95, translator.exactMatch, 'greedy decoding'),
    make('cross-attention: each French noun and adjective’s largest weight is on its English counterpart', 0.9, align.value, align.where),
  ];
}

export function summarize(decoder: DecoderEvaluation, translator: TranslationEvaluation, untrained?: { kinds: string[]; evaluation: DecoderEvaluation }): Summary {
  const { heads: dh, ...dEval } = decoder;
  const { heads: th, failures, ...tEval } = translator;
  const extra = untrained ? (({ heads: _, ...rest }) => ({ ...rest, kinds: untrained.kinds }))(untrained.evaluation) : undefined;
  return {
    decoder: { evaluation: dEval, ...(extra ? { untrained: extra } : {}), heads: dh.map((h) => ({ ...labelHead(h), figures: h })) },
    translator: { evaluation: tEval, failures, heads: th.map((h) => ({ ...labelHead(h), figures: h })) },
    targets: targets(decoder, translator),
  };
}

const fmt = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(2));

/** The Markdown written to packages/models/HEADS.md. */
export function summaryMarkdown(summary: Summary, testSplit: string): string {
  const d = summary.decoder.evaluation;
  const t = summary.translator.evaluation;
  const unmet = summary.targets.filter((target) => !target.met);
  const lines = [
    '# What each head does',
    '',
    '<!-- Written by `npm run heads` from the shipped weights in public/models/. Do not edit by hand: a test checks that it matches. -->',
    '',
    `Measured on the held-out test split (${testSplit}), with the shipped weights, through the attention engine on the CPU. Each label comes from fixed rules (packages/models/src/summary.ts) applied to the figures in its row.`,
    '',
    '## Targets',
    '',
    '| target | needed | measured | where | met |',
    '|---|---|---|---|---|',
    ...summary.targets.map((t) => `| ${t.what} | ${pct(t.threshold)} | ${pct(t.measured)} | ${t.where} | ${t.met ? 'yes' : '**no**'} |`),
    '',
    ...unmet.map((t) => {
      const why = whyNotMet(t);
      return `- ${t.what[0]!.toUpperCase()}${t.what.slice(1)}: not met${why ? `, because ${why.because} (see ${why.kept.join('; ')})` : ''}.`;
    }),
    ...(unmet.length ? [''] : []),
    '## Decoder-only model',
    '',
    `- Next-token accuracy on the ${d.determinedPositions} positions the grammar determines: **${pct(d.determinedAccuracy)}** (all ${d.sentences} sentences; accuracy on every position, determined or not: ${pct(d.allAccuracy)}).`,
    `- On the ${d.copyPositions} positions that repeat an earlier word (names and phrases): ${pct(d.copyAccuracy)}.`,
    ...(summary.decoder.untrained
      ? [
          `- Not trained on: ${summary.decoder.untrained.kinds.join(', ')} (its ${summary.decoder.untrained.sentences} held-out sentences are not in the figures above). On them: ${pct(summary.decoder.untrained.determinedAccuracy)} of determined positions, ${pct(summary.decoder.untrained.copyAccuracy)} of repeated words. Continuing a roll call needs an induction head, which this model did not form when roll calls were part of its training (see src/configs.ts); they are left to the translation model, which copies the names from its source.`,
        ]
      : []),
    '',
    '| head | what it does | evidence | prev | first | copy | “it”→antecedent (top) |',
    '|---|---|---|---|---|---|---|',
    ...summary.decoder.heads.map(
      (h) => `| ${h.layer} h${h.head} | ${h.label} | ${h.evidence} | ${fmt(h.figures.previousToken)} | ${fmt(h.figures.firstToken)} | ${fmt(h.figures.copySource)} | ${fmt(h.figures.itAntecedentTop)} |`,
    ),
    '',
    'In the decoder-only model “it” comes before the adjective that decides what it refers to, and a causal model cannot look ahead, so no head of it can resolve “it” at that position; the translation model’s encoder, which reads the whole sentence, is where that head is measured.',
    '',
    '## Translation model (English → French)',
    '',
    `- Exact-match translation (greedy decoding): **${pct(t.exactMatch)}** of ${t.sentences} sentences.`,
    `- French pronoun (il / elle) right: ${pct(t.pronounAccuracy)}.`,
    '',
    '| head | what it does | evidence | prev | self | “it”→antecedent (top) | “it”: weight on antecedent / other noun | alignment (word / writer) |',
    '|---|---|---|---|---|---|---|---|',
    ...summary.translator.heads.map(
      (h) =>
        `| ${h.layer} h${h.head} | ${h.label} | ${h.evidence} | ${fmt(h.figures.previousToken)} | ${fmt(h.figures.selfToken)} | ${fmt(h.figures.itAntecedentTop)} | ${fmt(h.figures.itAntecedentWeight)} / ${fmt(h.figures.itDistractorWeight)} | ${fmt(h.figures.alignment)} / ${fmt(h.figures.alignmentPredicting)} |`,
    ),
    '',
    'Alignment is read two ways: at each French noun or adjective’s own position in the decoder (“word”), and at the position before it, whose output predicts it (“writer”). The last column of the next table is the same reading for il / elle: at the position that writes the pronoun, the share of sentences whose largest weight is on the English noun “it” refers to.',
    '',
    '| cross-attention layer, heads averaged | alignment (word / writer) | il / elle → antecedent |',
    '|---|---|---|',
    ...summary.translator.evaluation.crossLayers.map((l) => `| ${l.layer} | ${fmt(l.alignment)} / ${fmt(l.alignmentPredicting)} | ${fmt(l.pronounAntecedent)} |`),
    '',
    '| cross-attention head | il / elle → antecedent |',
    '|---|---|',
    ...summary.translator.heads.filter((h) => h.figures.pronounAntecedent !== undefined).map((h) => `| ${h.layer} h${h.head} | ${fmt(h.figures.pronounAntecedent)} |`),
    '',
  ];
  if (summary.translator.failures.length > 0) {
    lines.push('Translations that were not exact (up to 20):', '', ...summary.translator.failures.map((f) => `- ${f.en} → ${f.got} (expected: ${f.expected})`), '');
  }
  return lines.join('\n');
}
