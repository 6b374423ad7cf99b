/**
 * The √d_k demo's first state, computed at build time by the same code and
 * engine (on the CPU) the browser runs: for its figure (SqrtDk.astro) and its
 * custom element (/embed/sqrt-dk/props.json).
 */
import { createEngine } from '@attention-guide/attention';
import { DEFAULT_SETTING, scalingView } from './scaling';

export async function props() {
  const engine = await createEngine({ prefer: 'cpu' });
  const initial = await scalingView(engine, DEFAULT_SETTING);
  engine.dispose();
  return { initial };
}
