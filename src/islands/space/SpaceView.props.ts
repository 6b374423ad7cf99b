/**
 * The query-key-value space's first state (the hand-made vectors, the query
 * of "it"), computed at build time by the engine on the CPU, and the size of
 * the trained model a reader would download: for its figure (SpaceView.astro)
 * and its custom element (/embed/qkv-space/props.json).
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine } from '@attention-guide/attention';
import { attend } from './attend';
import { row, toyVectors, TOY_START_QUERY } from './vectors';

export async function props() {
  const engine = await createEngine({ prefer: 'cpu' });
  const toy = toyVectors();
  const initial = await attend(engine, toy, TOY_START_QUERY, Float32Array.from(row(toy.queries, TOY_START_QUERY, toy.d)));
  engine.dispose();
  // What a reader downloads to run the trained model; the build runs from the repository root.
  const modelsDir = join(process.cwd(), 'public', 'models');
  const manifest = JSON.parse(readFileSync(join(modelsDir, 'decoder.json'), 'utf8')) as { file: string };
  const modelBytes = statSync(join(modelsDir, 'decoder.json')).size + statSync(join(modelsDir, manifest.file)).size;
  return { initial, modelBytes };
}
