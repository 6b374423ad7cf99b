/**
 * The token explorer's first state: the decoder-only model reads the
 * chapter's running sentence on the CPU engine, through the code the browser
 * runs, and every layer × head weight matrix is kept, with what each head was
 * measured to do. For its figure (TokenExplorer.astro) and its custom element
 * (/embed/token-explorer/props.json).
 */
import heads from '../../../public/models/heads.json';
import { pack, type HeadNote } from './packed';
import { RUNNING_SENTENCE } from '../../lib/models';
import { readRunningSentence } from './build';

export async function props() {
  // The same build-time reading as the head gallery's (one run per build).
  const { config, vocabulary, reading, downloadBytes } = await readRunningSentence();

  // What each head was measured to do, by layer then head.
  const layerNames = [...new Set(heads.decoder.heads.map((h) => h.layer))];
  const notes: HeadNote[][] = layerNames.map((layer) =>
    heads.decoder.heads
      .filter((h) => h.layer === layer)
      .sort((a, b) => a.head - b.head)
      .map((h) => ({
        label: h.label,
        evidence: h.evidence,
        itAntecedent: h.figures.itAntecedentWeight,
        itOther: h.figures.itDistractorWeight,
        itTop: h.figures.itAntecedentTop,
      })),
  );
  if (notes.length !== reading.weights.length || notes.some((layer) => layer.length !== config.heads)) {
    throw new Error('public/models/heads.json does not describe the shipped decoder: run `npm run heads`.');
  }

  // Open on the head whose largest weight from "it" most often lands on the noun
  // "it" refers to, by the measured figures; the chapter says what it does and does not do.
  const best = heads.decoder.heads.reduce((a, b) => (b.figures.itAntecedentTop > a.figures.itAntecedentTop ? b : a));
  const initialLayer = layerNames.indexOf(best.layer);
  const initialToken = reading.words.indexOf('it') + 1;
  return {
    initial: pack(reading),
    initialText: RUNNING_SENTENCE,
    initialToken,
    initialLayer,
    initialHead: best.head,
    notes,
    vocabulary,
    context: config.maxLength,
    downloadBytes,
  };
}
