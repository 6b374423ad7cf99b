/**
 * The training snapshots' first state: the decoder's last snapshot (the
 * shipped weights) reading the running sentence on the CPU engine, through
 * the code the browser runs; only the thumbnails' colour steps are kept. For
 * its figure (TrainingSnapshots.astro) and its custom element
 * (/embed/training-snapshots/props.json).
 */
import { readRunningSentence } from '../tokens/build';
import { packThumbnails } from './gallery';

export async function props() {
  const { manifest, reading, downloadBytes } = await readRunningSentence();
  const snapshots = manifest.snapshots.map(({ step, trainLoss, validationLoss }) => ({ step, trainLoss, validationLoss }));
  if (snapshots.at(-1)?.step !== manifest.training.steps) throw new Error('The decoder’s last snapshot is not the end of its training: retrain it with `npm run train`.');
  return { initial: packThumbnails(reading), snapshots, initialPick: 0, downloadBytes };
}
