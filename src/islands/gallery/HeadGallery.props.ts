/**
 * The head gallery's first state, computed at build time: the trained
 * decoder reads the running sentence on the CPU engine, through the code the
 * browser runs, and every head's weights go with what each head was measured
 * to do (public/models/heads.json). For its figure (HeadGallery.astro) and
 * its custom element (/embed/head-gallery/props.json).
 */
import heads from '../../../public/models/heads.json';
import { RUNNING_SENTENCE } from '../../lib/models';
import { readRunningSentence } from '../tokens/build';
import { headSummaries, packThumbnails } from './gallery';

export async function props() {
  const { config, reading, downloadBytes } = await readRunningSentence();
  const notes = headSummaries(heads.decoder.heads, config.heads);
  if (notes.length !== reading.weights.length) throw new Error('public/models/heads.json does not describe the shipped decoder: run `npm run heads`.');
  // Open on the one head with a measured role.
  const first = notes.flat().findIndex((note) => note.label !== 'spread out');
  return { initial: packThumbnails(reading), initialText: RUNNING_SENTENCE, initialPick: Math.max(0, first), downloadBytes };
}
