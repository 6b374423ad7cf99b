/**
 * What each head of the translation model was measured to do
 * (public/models/heads.json, translator section), arranged the way the
 * "self vs cross" figure picks heads, and the heads it opens on.
 */
import type { Picked } from './packed';

/** One head's entry in heads.json: the parts this figure reads. */
export interface MeasuredHead {
  layer: string;
  head: number;
  label: string;
  evidence: string;
  figures: Record<string, number | string | null>;
}

/** A head's measured label and the evidence for it, shown next to its picker. */
export interface HeadNote {
  label: string;
  evidence: string;
}

export interface TranslatorNotes {
  /** [encoder layer][head] */
  encoder: HeadNote[][];
  /** [head] of the decoder's self-attention and of its cross-attention. */
  self: HeadNote[];
  cross: HeadNote[];
}

function layerHeads(heads: readonly MeasuredHead[], layer: string, count: number): MeasuredHead[] {
  const found = heads.filter((h) => h.layer === layer).sort((a, b) => a.head - b.head);
  if (found.length !== count || found.some((h, i) => h.head !== i)) {
    throw new Error(`public/models/heads.json does not describe ${count} heads of ${layer} in the shipped translator: run \`npm run heads\`.`);
  }
  return found;
}

const note = (h: MeasuredHead): HeadNote => ({ label: h.label, evidence: h.evidence });

/** The notes for a translator with `encoderLayers` encoder layers, one decoder layer and `heads` heads each. */
export function translatorNotes(heads: readonly MeasuredHead[], encoderLayers: number, count: number): TranslatorNotes {
  return {
    encoder: Array.from({ length: encoderLayers }, (_, l) => layerHeads(heads, `enc${l}.self`, count).map(note)),
    self: layerHeads(heads, 'dec0.self', count).map(note),
    cross: layerHeads(heads, 'dec0.cross', count).map(note),
  };
}

const figure = (h: MeasuredHead, name: string): number => {
  const value = h.figures[name];
  return typeof value === 'number' ? value : -Infinity;
};

/** The largest share a self-attention head was measured to put on one position (the previous token, the first or itself). */
const largestShare = (h: MeasuredHead) => Math.max(figure(h, 'previousToken'), figure(h, 'firstToken'), figure(h, 'selfToken'));

function best(heads: readonly MeasuredHead[], score: (h: MeasuredHead) => number): MeasuredHead {
  if (heads.length === 0) throw new Error('No heads to choose from.');
  return heads.reduce((a, b) => (score(b) > score(a) ? b : a));
}

/**
 * The heads the figure opens on, by the measured figures: in each
 * self-attention, the head with the most concentrated measured pattern; in
 * cross-attention, the head that most often puts its largest weight on the
 * English counterpart of the word being written.
 */
export function defaultPicked(heads: readonly MeasuredHead[]): Picked {
  const encoder = best(
    heads.filter((h) => /^enc\d+\.self$/.test(h.layer)),
    largestShare,
  );
  return {
    layer: Number(/^enc(\d+)/.exec(encoder.layer)![1]),
    encoderHead: encoder.head,
    selfHead: best(
      heads.filter((h) => h.layer === 'dec0.self'),
      largestShare,
    ).head,
    crossHead: best(
      heads.filter((h) => h.layer === 'dec0.cross'),
      (h) => figure(h, 'alignmentPredicting'),
    ).head,
  };
}
