/**
 * The causal mask's first state (one head's scores and weights for the
 * running sentence, mask on), computed at build time by the code the browser
 * runs, on the CPU engine: for its figure (CausalMask.astro) and its custom
 * element (/embed/causal-mask/props.json).
 */
import { join } from 'node:path';
import { createEngine } from '@attention-guide/attention';
import { readShipped } from '@attention-guide/models/shipped';
import type { DecoderConfig } from '@attention-guide/models/model';
import { readRunningSentence } from '../../lib/models';
import { maskView, packView } from './mask';

export async function props() {
  // The build runs from the repository root (as the token explorer does).
  const model = readShipped('decoder', undefined, join(process.cwd(), 'public', 'models'));
  const config = model.manifest.config as DecoderConfig;
  const engine = await createEngine({ prefer: 'cpu' });
  const heads = await readRunningSentence(engine, model);
  // Open on the head that, without the mask, would let "it" put the most weight on
  // later tokens (the place where the mask changes most), mask on, with the row of
  // "it" outlined on the later token it would weigh most.
  const it = heads.tokens.indexOf('it');
  const n = heads.tokens.length;
  let best = { layer: 0, head: 0, ahead: -1, key: it };
  for (let layer = 0; layer < config.layers; layer++) {
    for (let head = 0; head < config.heads; head++) {
      const open = (await maskView(engine, heads, layer, head, false)).weights.subarray(it * n, (it + 1) * n);
      const ahead = open.subarray(it + 1).reduce((a, b) => a + b, 0);
      if (ahead > best.ahead) best = { layer, head, ahead, key: it + 1 + open.subarray(it + 1).indexOf(Math.max(...open.subarray(it + 1))) };
    }
  }
  const view = await maskView(engine, heads, best.layer, best.head, true);
  engine.dispose();
  return { initial: packView(view), layers: config.layers, heads: config.heads, initialCell: [it, best.key] as [number, number] };
}
