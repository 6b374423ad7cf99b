/**
 * Concat and project's first state (layer 0 of the trained decoder reading
 * the running sentence, the row of "it"), computed at build time by the CPU
 * engine through the code the browser runs. For its figure
 * (ConcatProject.astro, which renders `first`, the maps, into the island's
 * `first` slot) and its custom element (/embed/concat-project/props.json,
 * where src/embed/islands/concat-project.ts mounts them in the same slot).
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine } from '@attention-guide/attention';
import type { DecoderConfig } from '@attention-guide/models/model';
import { readShipped } from '@attention-guide/models/shipped';
import { readRunningSentence } from '../../lib/models';
import { concatView, draw, outputWeights, palette, rowOf } from './concat';

export async function props() {
  // The build runs from the repository root (as src/pages/models.astro does).
  const modelsDir = join(process.cwd(), 'public', 'models');
  const model = readShipped('decoder', undefined, modelsDir);
  const config = model.manifest.config as DecoderConfig;

  const engine = await createEngine({ prefer: 'cpu' });
  const view = await concatView(engine, await readRunningSentence(engine, model), outputWeights(model, 0), 0);
  engine.dispose();
  const { steps, ...summary } = draw(view);
  const row = rowOf(view, view.tokens.indexOf('it'));
  const colours = palette();

  const downloadBytes = ['decoder.json', model.manifest.file].reduce((sum, file) => sum + statSync(join(modelsDir, file)).size, 0);
  return {
    island: { initial: summary, initialRow: row.row, layers: config.layers, downloadBytes, colours },
    /** LayerSteps' props, for the `first` slot. */
    first: { summary, steps, colours, head: 0, row },
  };
}
