/**
 * Ring attention's first state, computed at build time by the engine on the
 * CPU: for its figure (RingAttention.astro) and its custom element
 * (/embed/ring-attention/props.json).
 */
import { createEngine } from '@attention-guide/attention';
import { DEFAULT_RING, ringView } from './ring';

export async function props() {
  const engine = await createEngine({ prefer: 'cpu' });
  const initial = await ringView(engine, DEFAULT_RING);
  engine.dispose();
  return { initial };
}
