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
    const reading = (h.alignmentPredicting ?? 0) > (h.alignment ?? 0) ? 'the query that writes each word' : 'each French word';
    if (align >= 0.9) return { ...at, label: 'aligns French with English', evidence: `for ${reading}, the largest weight falls on its English counterpart in ${pct(align)} of nouns and adjectives` };
    if (align >= 0.5) return { ...at, label: 'partly aligns French with English', evidence: `the largest weight falls on the English counterpart in ${pct(align)} of nouns and adjectives (${reading})` };
    return { ...at, label: 'no alignment role measured', evidence: `the English counterpart gets the largest weight in only ${pct(align)} of nouns and adjectives` };
  }
  if (h.itAntecedentTop >= 0.9) {
    return { ...at, label: 'antecedent of “it”', evidence: `“it” puts its largest weight on the noun it refers to in ${pct(h.itAntecedentTop)} of sentences (mean ${h.itAntecedentWeight.toFixed(2)} against ${h.itDistractorWeight.toFixed(2)} on the other noun)` };
  }
  if (h.previousToken >= 0.9) return { ...at, label: 'previous token', evidence: `${pct(h.previousToken)} of each token’s weight is on the token just before it, on average` };
  if (h.copySource >= 0.5) return { ...at, label: 'copies repeated words', evidence: `where a word repeats, ${pct(h.copySource)} of the weight is on its earlier occurrence, on average` };
  if (h.previousToken >= 0.5) return { ...at, label: 'mostly previous token', evidence: `${pct(h.previousToken)} of each token’s weight is on the token just before it, on average` };
  if (h.selfToken >= 0.5) return { ...at, label: 'current token', evidence: `${pct(h.selfToken)} of each token’s weight is on itself, on average` };
  if (h.firstToken >= 0.5) return { ...at, label: 'rests on the first token', evidence: `${pct(h.firstToken)} of the weight is on the first position, on average: a head with nothing to add parks its weight there` };
  const figures = [
    ['previous token', h.previousToken],
    ['first position', h.firstToken],
    ['itself', h.selfToken],
  ].filter(([, v]) => Number.isFinite(v as number)) as Array<[string, number]>;
  const [what, value] = figures.sort((a, b) => b[1] - a[1])[0] ?? ['previous token', NaN];
  return { ...at, label: 'spread out', evidence: `no single role measured: its largest average share is ${pct(value)}, on the ${what}` };
}

export interface Summary {
  decoder: { evaluation: Omit<DecoderEvaluation, 'heads'>; heads: Array<HeadLabel & { figures: HeadFigures }> };
  translator: { evaluation: Omit<TranslationEvaluation, 'heads' | 'failures'>; failures: TranslationEvaluation['failures']; heads: Array<HeadLabel & { figures: HeadFigures }> };
}

export function summarize(decoder: DecoderEvaluation, translator: TranslationEvaluation): Summary {
  const { heads: dh, ...dEval } = decoder;
  const { heads: th, failures, ...tEval } = translator;
  return {
    decoder: { evaluation: dEval, heads: dh.map((h) => ({ ...labelHead(h), figures: h })) },
    translator: { evaluation: tEval, failures, heads: th.map((h) => ({ ...labelHead(h), figures: h })) },
  };
}

const fmt = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(2));

/** The Markdown written to packages/models/HEADS.md. */
export function summaryMarkdown(summary: Summary, testSplit: string): string {
  const d = summary.decoder.evaluation;
  const t = summary.translator.evaluation;
  const lines = [
    '# What each head does',
    '',
    '<!-- Written by `npm run heads` from the shipped weights in public/models/. Do not edit by hand: a test checks that it matches. -->',
    '',
    `Measured on the held-out test split (${testSplit}), with the shipped weights, through the attention engine on the CPU. Each label comes from fixed rules (packages/models/src/summary.ts) applied to the figures in its row.`,
    '',
    '## Decoder-only model',
    '',
    `- Next-token accuracy on the ${d.determinedPositions} positions the grammar determines: **${pct(d.determinedAccuracy)}** (all ${d.sentences} sentences; accuracy on every position, determined or not: ${pct(d.allAccuracy)}).`,
    `- On the ${d.copyPositions} positions that repeat an earlier word (names and phrases): ${pct(d.copyAccuracy)}.`,
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
    'Alignment is read two ways: at each French noun or adjective’s own position in the decoder (“word”), and at the position before it, whose output predicts it (“writer”).',
    '',
  ];
  if (summary.translator.failures.length > 0) {
    lines.push('Translations that were not exact (up to 20):', '', ...summary.translator.failures.map((f) => `- ${f.en} → ${f.got} (expected: ${f.expected})`), '');
  }
  return lines.join('\n');
}
