/**
 * Sparse attention patterns' first state (the default pattern on the head
 * whose weight it loses most), computed at build time by the code the browser
 * runs, on the CPU engine. For its figure (SparsePatterns.astro) and its
 * custom element (/embed/sparse-patterns/props.json).
 */
import { join } from 'node:path';
import { createEngine } from '@attention-guide/attention';
import { readShipped } from '@attention-guide/models/shipped';
import type { DecoderConfig } from '@attention-guide/models/model';
import { readText } from '../../lib/models';
import type { Params } from './patterns';
import { firstState, PASSAGE, sparseView, viewCost } from './view';

export async function props() {
  // The build runs from the repository root (as the token explorer does).
  const model = readShipped('decoder', undefined, join(process.cwd(), 'public', 'models'));
  const config = model.manifest.config as DecoderConfig;
  const engine = await createEngine({ prefer: 'cpu' });
  const heads = await readText(engine, model, PASSAGE);
  // A stride near √n, as Child et al. choose it; the window as wide.
  const params: Params = { window: 6, stride: 6, summary: 2, globals: 2, block: 6 };
  // Open on the head whose weight the local window loses most.
  let best = { view: await sparseView(engine, heads, 0, 0, 'window', params), lost: -1 };
  for (let layer = 0; layer < config.layers; layer++) {
    for (let head = 0; head < config.heads; head++) {
      const view = await sparseView(engine, heads, layer, head, 'window', params);
      const lost = viewCost(view).lostMass;
      if (lost > best.lost) best = { view, lost };
    }
  }
  engine.dispose();
  return { initial: firstState(best.view), layers: config.layers, heads: config.heads };
}
